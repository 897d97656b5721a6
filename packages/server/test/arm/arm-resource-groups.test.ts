/**
 * Resource groups on credless's Resource Manager by inject on a real credless's app: ARM's shapes and
 * error codes, case-insensitive path segments and names, DELETE as a long-running operation, and
 * authorization by Azure RBAC role assignments (the local administrator may do everything).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { GraphFixture } from '../graph/graph-fixture.ts';
import { ARM_HOST as ARM, type ArmFixture, startArmFixture } from './arm-fixture.ts';

// What az 2.45 sends for resource groups.
const API = 'api-version=2021-04-01';

describe('ARM resource groups', () => {
  let x: ArmFixture;
  let f: GraphFixture;
  let tid: string;
  let admin: string;
  let sub: string;
  let arm: ArmFixture['arm'];
  let assign: ArmFixture['assign'];
  let workload: ArmFixture['workload'];
  before(async () => {
    x = await startArmFixture();
    ({ f, tid, admin, sub, arm, assign, workload } = x);
  });
  after(() => x.close());

  test('the administrator creates, updates, shows, lists, checks and deletes a group, in ARM’s shapes', async () => {
    const created = await arm('PUT', `${sub}/resourcegroups/rg1?${API}`, admin, { location: 'West Europe' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body, {
      id: `${sub}/resourceGroups/rg1`,
      name: 'rg1',
      type: 'Microsoft.Resources/resourceGroups',
      location: 'westeurope',
      properties: { provisioningState: 'Succeeded' },
    });
    // Same name in another casing, path segment in another casing: the same group, updated (200).
    const updated = await arm('PUT', `${sub}/resourceGroups/RG1?${API}`, admin, {
      location: 'westeurope',
      tags: { env: 'dev' },
      managedBy: `${sub}/resourceGroups/other`,
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.name, 'rg1');
    assert.deepEqual(updated.body.tags, { env: 'dev' });
    assert.equal(updated.body.managedBy, `${sub}/resourceGroups/other`);
    const shown = await arm('GET', `${sub}/RESOURCEGROUPS/Rg1?api-version=2022-09-01`, admin);
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.body, updated.body);
    await arm('PUT', `${sub}/resourcegroups/rg0?${API}`, admin, { location: 'eastus' });
    const list = await arm('GET', `${sub}/resourcegroups?${API}`, admin);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.value.map((group: { name: string }) => group.name),
      ['rg0', 'rg1'],
    );
    assert.equal((await arm('HEAD', `${sub}/resourcegroups/rg1?${API}`, admin)).status, 204);
    assert.equal((await arm('HEAD', `${sub}/resourcegroups/nope?${API}`, admin)).status, 404);

    const deleted = await arm('DELETE', `${sub}/resourcegroups/RG1?${API}`, admin);
    assert.equal(deleted.status, 202);
    assert.equal(deleted.headers['retry-after'], '1');
    const location = new URL(String(deleted.headers.location));
    assert.equal(location.host, ARM);
    assert.match(location.pathname, new RegExp(`^${sub}/operationresults/[A-Za-z0-9_-]+$`));
    assert.equal(location.searchParams.get('api-version'), '2021-04-01');
    const polled = await arm('GET', `${location.pathname}${location.search}`, admin);
    assert.equal(polled.status, 200);
    assert.equal((await arm('GET', `${sub}/resourcegroups/rg1?${API}`, admin)).status, 404);
    assert.equal((await arm('HEAD', `${sub}/resourcegroups/rg1?${API}`, admin)).status, 404);
    await arm('DELETE', `${sub}/resourcegroups/rg0?${API}`, admin);
    assert.deepEqual((await arm('GET', `${sub}/resourcegroups?${API}`, admin)).body, { value: [] });
  });

  test('deleting a group deletes the role assignments at and below it', async () => {
    await arm('PUT', `${sub}/resourcegroups/doomed?${API}`, admin, { location: 'westeurope' });
    const { oid } = await workload();
    await assign(oid, 'Reader', `${sub}/resourceGroups/doomed`);
    await assign(oid, 'Reader', sub);
    assert.equal((await arm('DELETE', `${sub}/resourcegroups/doomed?${API}`, admin)).status, 202);
    const left = await f.credless.store.listRoleAssignments(tid, { principalIds: [oid] });
    assert.deepEqual(
      left.map((record) => record.scope),
      [sub],
    );
  });

  test('authorization: Owner/Contributor write, Reader reads, at subscription or group scope, directly or through a group', async () => {
    await arm('PUT', `${sub}/resourcegroups/team-a?${API}`, admin, { location: 'westeurope' });
    await arm('PUT', `${sub}/resourcegroups/team-b?${API}`, admin, { location: 'westeurope' });

    const nobody = await workload();
    const denied = await arm('PUT', `${sub}/resourcegroups/team-c?${API}`, nobody.token, {
      location: 'westeurope',
    });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, 'AuthorizationFailed');
    assert.match(denied.body.error.message, /Microsoft\.Resources\/subscriptions\/resourcegroups\/write/);
    assert.match(denied.body.error.message, new RegExp(`over scope '${sub}/resourceGroups/team-c'`));
    assert.equal((await arm('GET', `${sub}/resourcegroups/team-a?${API}`, nobody.token)).status, 403);
    assert.equal((await arm('HEAD', `${sub}/resourcegroups/team-a?${API}`, nobody.token)).status, 403);
    assert.equal((await arm('DELETE', `${sub}/resourcegroups/team-a?${API}`, nobody.token)).status, 403);
    assert.deepEqual((await arm('GET', `${sub}/resourcegroups?${API}`, nobody.token)).body, { value: [] });
    // Not created by the refused PUT.
    assert.equal((await arm('GET', `${sub}/resourcegroups/team-c?${API}`, admin)).status, 404);

    const reader = await workload();
    await assign(reader.oid, 'Reader', sub);
    assert.equal((await arm('GET', `${sub}/resourcegroups/team-a?${API}`, reader.token)).status, 200);
    assert.equal((await arm('GET', `${sub}/resourcegroups?${API}`, reader.token)).body.value.length, 2);
    const readerPut = await arm('PUT', `${sub}/resourcegroups/team-a?${API}`, reader.token, {
      location: 'westeurope',
    });
    assert.equal(readerPut.status, 403);

    const scoped = await workload();
    await assign(scoped.oid, 'Contributor', `${sub}/resourceGroups/TEAM-A`);
    const scopedPut = await arm('PUT', `${sub}/resourcegroups/team-a?${API}`, scoped.token, {
      location: 'westeurope',
      tags: { owner: 'a' },
    });
    assert.equal(scopedPut.status, 200, JSON.stringify(scopedPut.body));
    assert.equal((await arm('GET', `${sub}/resourcegroups/team-b?${API}`, scoped.token)).status, 403);
    assert.deepEqual(
      (await arm('GET', `${sub}/resourcegroups?${API}`, scoped.token)).body.value.map(
        (g: { name: string }) => g.name,
      ),
      ['team-a'],
    );

    const member = await workload();
    const group = await f.credless.store.createGroup(tid, {
      displayName: 'rg-owners',
      mailNickname: 'rg-owners',
    });
    await f.credless.store.createGroupMember(tid, group.id, member.oid);
    await assign(group.id, 'Owner', sub, 'Group');
    const viaGroup = await arm('PUT', `${sub}/resourcegroups/team-d?${API}`, member.token, {
      location: 'eastus',
    });
    assert.equal(viaGroup.status, 201);
    assert.equal((await arm('DELETE', `${sub}/resourcegroups/team-d?${API}`, member.token)).status, 202);
  });

  const bad: Array<{
    name: string;
    method: string;
    url: string | (() => string);
    body?: unknown;
    status: number;
    code: string;
  }> = [
    {
      name: 'unknown group',
      method: 'GET',
      url: 'SUB/resourcegroups/missing?API',
      status: 404,
      code: 'ResourceGroupNotFound',
    },
    {
      name: 'delete an unknown group',
      method: 'DELETE',
      url: 'SUB/resourcegroups/missing?API',
      status: 404,
      code: 'ResourceGroupNotFound',
    },
    {
      name: 'name with a slash-free bad character',
      method: 'PUT',
      url: 'SUB/resourcegroups/bad*name?API',
      body: { location: 'westeurope' },
      status: 400,
      code: 'InvalidResourceGroupName',
    },
    {
      name: 'name ending in a period',
      method: 'PUT',
      url: 'SUB/resourcegroups/rg.?API',
      body: { location: 'westeurope' },
      status: 400,
      code: 'InvalidResourceGroupName',
    },
    {
      name: 'name of 91 characters',
      method: 'GET',
      url: `SUB/resourcegroups/${'a'.repeat(91)}?API`,
      status: 400,
      code: 'InvalidResourceGroupName',
    },
    {
      name: 'no location',
      method: 'PUT',
      url: 'SUB/resourcegroups/rgx?API',
      body: { tags: {} },
      status: 400,
      code: 'LocationRequired',
    },
    {
      name: 'unknown location',
      method: 'PUT',
      url: 'SUB/resourcegroups/rgx?API',
      body: { location: 'atlantis' },
      status: 400,
      code: 'LocationNotAvailableForResourceGroup',
    },
    {
      name: 'malformed JSON',
      method: 'PUT',
      url: 'SUB/resourcegroups/rgx?API',
      body: '{"location":',
      status: 400,
      code: 'InvalidRequestContent',
    },
    {
      name: 'a JSON array',
      method: 'PUT',
      url: 'SUB/resourcegroups/rgx?API',
      body: [],
      status: 400,
      code: 'InvalidRequestContent',
    },
    {
      name: 'a non-string tag',
      method: 'PUT',
      url: 'SUB/resourcegroups/rgx?API',
      body: { location: 'westeurope', tags: { n: 1 } },
      status: 400,
      code: 'InvalidRequestContent',
    },
    {
      name: 'location changed',
      method: 'PUT',
      url: 'SUB/resourcegroups/fixed?API',
      body: { location: 'eastus' },
      status: 409,
      code: 'InvalidResourceGroupLocation',
    },
    {
      name: 'unknown api-version',
      method: 'GET',
      url: 'SUB/resourcegroups?api-version=2099-01-01',
      status: 400,
      code: 'InvalidApiVersionParameter',
    },
    {
      name: 'no api-version',
      method: 'PUT',
      url: 'SUB/resourcegroups/rgx',
      body: { location: 'westeurope' },
      status: 400,
      code: 'MissingApiVersionParameter',
    },
    {
      name: 'another tenant’s subscription',
      method: 'GET',
      url: `/subscriptions/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}/resourcegroups?API`,
      status: 404,
      code: 'SubscriptionNotFound',
    },
    {
      name: 'malformed subscription',
      method: 'GET',
      url: '/subscriptions/nope/resourcegroups/rg1?API',
      status: 400,
      code: 'InvalidSubscriptionId',
    },
    {
      name: 'unknown operation',
      method: 'GET',
      url: 'SUB/operationresults/bm90LWEtam9i?API',
      status: 404,
      code: 'OperationNotFound',
    },
    {
      name: 'unknown resource type',
      method: 'GET',
      url: 'SUB/resourcegroups/rg1/providers/x?API',
      status: 404,
      code: 'InvalidResourceType',
    },
    {
      name: 'POST on a group',
      method: 'POST',
      url: 'SUB/resourcegroups/rg1?API',
      body: {},
      status: 404,
      code: 'InvalidResourceType',
    },
  ];
  for (const c of bad) {
    test(`bad input: ${c.name} → ${c.status} ${c.code}`, async () => {
      await arm('PUT', `${sub}/resourcegroups/fixed?${API}`, admin, { location: 'westeurope' });
      const before = (await arm('GET', `${sub}/resourcegroups?${API}`, admin)).body.value;
      const url = (typeof c.url === 'function' ? c.url() : c.url).replace('SUB', sub).replace('API', API);
      const answer = await arm(c.method, url, admin, c.body);
      assert.equal(answer.status, c.status, JSON.stringify(answer.body));
      assert.equal(answer.body.error.code, c.code);
      assert.deepEqual(Object.keys(answer.body.error).sort(), ['code', 'message']);
      // Nothing half-created or changed.
      assert.deepEqual((await arm('GET', `${sub}/resourcegroups?${API}`, admin)).body.value, before);
    });
  }
});
