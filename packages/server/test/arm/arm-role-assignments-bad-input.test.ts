/**
 * Bad input to Microsoft.Authorization on credless's Resource Manager (by inject on a real credless's
 * app): each answer in ARM's error shape (status, code, message), nothing created — not the
 * assignment, not the AKS server application an AKS role brings.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type ArmFixture, BUILT_IN_ROLES, startArmFixture } from './arm-fixture.ts';

const API = 'api-version=2020-04-01-preview';
const DEFS_API = 'api-version=2018-01-01-preview';
const AKS_ADMIN = 'Azure Kubernetes Service RBAC Cluster Admin';

describe('ARM role assignments: bad input', () => {
  let x: ArmFixture;
  before(async () => {
    x = await startArmFixture();
  });
  after(() => x.close());

  test('each refused in ARM’s shape, nothing created', async () => {
    const { sub, definitionId, assignmentsAt, assignmentBody: body, stored } = x;
    const sp = await x.workload();
    const scope = `${sub}/resourceGroups/rg-bad`;
    const at = (name: string = randomUUID(), where = scope) => `${assignmentsAt(where, name)}?${API}`;
    const otherSub = `/subscriptions/${randomUUID()}`;
    const cases: Array<[string, string, string, unknown, number, string, RegExp?]> = [
      [
        'name not a guid',
        'PUT',
        at('not-a-guid'),
        body(BUILT_IN_ROLES.Reader, sp.oid),
        400,
        'InvalidRoleAssignmentId',
        /must be a GUID/,
      ],
      [
        'unknown role definition',
        'PUT',
        at(),
        body(randomUUID(), sp.oid),
        400,
        'RoleDefinitionDoesNotExist',
        /does not exist/,
      ],
      [
        "another subscription's role definition",
        'PUT',
        at(),
        {
          properties: {
            roleDefinitionId: `${otherSub}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.Reader}`,
            principalId: sp.oid,
          },
        },
        400,
        'RoleDefinitionDoesNotExist',
      ],
      [
        'principal not in the directory',
        'PUT',
        at(),
        body(BUILT_IN_ROLES.Reader, randomUUID()),
        400,
        'PrincipalNotFound',
        /does not exist in the directory/,
      ],
      [
        'principalType that does not match',
        'PUT',
        at(),
        body(BUILT_IN_ROLES.Reader, sp.oid, { principalType: 'User' }),
        400,
        'UnmatchedPrincipalType',
      ],
      [
        'principalId not a guid',
        'PUT',
        at(),
        body(BUILT_IN_ROLES.Reader, 'someone'),
        400,
        'InvalidRequestContent',
      ],
      [
        'no properties',
        'PUT',
        at(),
        { roleDefinitionId: definitionId(BUILT_IN_ROLES.Reader) },
        400,
        'InvalidRequestContent',
      ],
      ['malformed JSON', 'PUT', at(), '{"properties":', 400, 'InvalidRequestContent'],
      [
        'a condition',
        'PUT',
        at(),
        body(BUILT_IN_ROLES.Reader, sp.oid, { condition: '@Resource[x] StringEquals y' }),
        400,
        'InvalidRequestContent',
      ],
      [
        'scope that is no ARM id',
        'PUT',
        at(undefined, `${sub}/resourceGroups/rg-bad/providers/Microsoft.Web`),
        body(BUILT_IN_ROLES.Reader, sp.oid),
        400,
        'InvalidScope',
      ],
      [
        'a cluster that does not exist',
        'PUT',
        at(undefined, `${scope}/providers/Microsoft.ContainerService/managedClusters/ghost`),
        body(BUILT_IN_ROLES[AKS_ADMIN], sp.oid),
        400,
        'InvalidScope',
        /no cluster 'ghost'/,
      ],
      [
        "another tenant's subscription",
        'PUT',
        at(undefined, otherSub),
        body(BUILT_IN_ROLES.Reader, sp.oid),
        404,
        'SubscriptionNotFound',
      ],
      [
        'unsupported $filter',
        'GET',
        `${assignmentsAt(scope)}?$filter=${encodeURIComponent("roleName eq 'Reader'")}&${API}`,
        undefined,
        400,
        'UnsupportedQuery',
      ],
      [
        'unsupported definitions $filter',
        'GET',
        `${sub}/providers/Microsoft.Authorization/roleDefinitions?$filter=bogus&${DEFS_API}`,
        undefined,
        400,
        'UnsupportedQuery',
      ],
      [
        'unknown role definition id',
        'GET',
        `${definitionId(randomUUID())}?${DEFS_API}`,
        undefined,
        404,
        'RoleDefinitionDoesNotExist',
      ],
      [
        'api-version of another provider',
        'PUT',
        `${assignmentsAt(scope, randomUUID())}?api-version=2022-12-01`,
        body(BUILT_IN_ROLES.Reader, sp.oid),
        400,
        'NoRegisteredProviderFound',
      ],
      [
        'a resource type Authorization has not here',
        'GET',
        `${sub}/providers/Microsoft.Authorization/locks?${API}`,
        undefined,
        404,
        'InvalidResourceType',
      ],
      [
        'write to role definitions',
        'PUT',
        `${definitionId(randomUUID())}?${DEFS_API}`,
        { properties: { roleName: 'x' } },
        404,
        'InvalidResourceType',
      ],
    ];
    for (const [label, method, url, payload, status, code, message] of cases) {
      const answer = await x.arm(method, url, x.admin, payload);
      assert.equal(answer.status, status, `${label}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, code, label);
      assert.equal(typeof answer.body.error.message, 'string', label);
      if (message) assert.match(answer.body.error.message, message, label);
    }
    assert.deepEqual(await stored(sp.oid), [], 'nothing created');
    const aks = await x.f.credless.store.getServicePrincipalByAppId(
      x.tid,
      '6dae42f8-4368-4678-94ff-3960e28e3630',
    );
    assert.equal(aks, undefined, 'a refused AKS assignment creates no AKS server application');
  });
});
