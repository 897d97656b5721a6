/**
 * Microsoft.Authorization on credless's Resource Manager by inject on a real credless's app: role
 * definitions as `az role … --role <name>` resolves them, role assignments created, listed with az's
 * filters, read and deleted in ARM's shapes; authorization (Owner / User Access Administrator write,
 * Reader reads); and bad input, each answered in ARM's error shape with nothing created.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type ArmFixture, BUILT_IN_ROLES, startArmFixture } from './arm-fixture.ts';

// What az 2.45 sends: 2020-04-01-preview for assignments, 2018-01-01-preview for definitions.
const API = 'api-version=2020-04-01-preview';
const DEFS_API = 'api-version=2018-01-01-preview';
const AKS_ADMIN = 'Azure Kubernetes Service RBAC Cluster Admin';

describe('ARM role definitions and role assignments', () => {
  let x: ArmFixture;
  let sub: string;
  let definitionId: ArmFixture['definitionId'];
  let assignmentsAt: ArmFixture['assignmentsAt'];
  let body: ArmFixture['assignmentBody'];
  let stored: ArmFixture['stored'];
  before(async () => {
    x = await startArmFixture();
    ({ sub, definitionId, assignmentsAt, stored } = x);
    body = x.assignmentBody;
  });
  after(() => x.close());

  test('role definitions: the built-ins, by roleName filter (unknown → empty), by id, at any scope', async () => {
    const all = await x.arm(
      'GET',
      `${sub}/providers/Microsoft.Authorization/roleDefinitions?${DEFS_API}`,
      x.admin,
    );
    assert.equal(all.status, 200);
    const names = all.body.value.map(
      (role: { properties: { roleName: string } }) => role.properties.roleName,
    );
    for (const name of Object.keys(BUILT_IN_ROLES)) assert.ok(names.includes(name), name);

    const filter = encodeURIComponent(`roleName eq '${AKS_ADMIN}'`);
    // az asks at the assignment's scope (a cluster here), in the path casing it was given.
    const scope = `${sub}/resourcegroups/rg1/providers/Microsoft.ContainerService/managedClusters/c1`;
    const found = await x.arm(
      'GET',
      `${scope}/providers/microsoft.authorization/roledefinitions?$filter=${filter}&${DEFS_API}`,
      x.admin,
    );
    assert.equal(found.status, 200);
    assert.equal(found.body.value.length, 1);
    const [role] = found.body.value;
    assert.equal(role.id, definitionId(BUILT_IN_ROLES[AKS_ADMIN]));
    assert.equal(role.name, BUILT_IN_ROLES[AKS_ADMIN]);
    assert.equal(role.type, 'Microsoft.Authorization/roleDefinitions');
    assert.equal(role.properties.roleName, AKS_ADMIN);
    assert.equal(role.properties.type, 'BuiltInRole');
    assert.deepEqual(role.properties.assignableScopes, ['/']);
    assert.deepEqual(role.properties.permissions[0].dataActions, [
      'Microsoft.ContainerService/managedClusters/*',
    ]);

    const acrPull = await x.arm(
      'GET',
      `${sub}/providers/Microsoft.Authorization/roleDefinitions?$filter=${encodeURIComponent("roleName eq 'AcrPull'")}&${DEFS_API}`,
      x.admin,
    );
    assert.deepEqual(
      acrPull.body.value.map((r: { name: string }) => r.name),
      [BUILT_IN_ROLES.AcrPull],
    );
    assert.deepEqual(acrPull.body.value[0].properties.permissions[0].actions, [
      'Microsoft.ContainerRegistry/registries/pull/read',
    ]);

    const unknown = await x.arm(
      'GET',
      `${sub}/providers/Microsoft.Authorization/roleDefinitions?$filter=${encodeURIComponent("roleName eq 'Cluster Wizard'")}&${DEFS_API}`,
      x.admin,
    );
    assert.deepEqual(unknown.body, { value: [] });

    const byId = await x.arm('GET', `${definitionId(BUILT_IN_ROLES.Reader)}?${DEFS_API}`, x.admin);
    assert.equal(byId.status, 200);
    assert.equal(byId.body.properties.roleName, 'Reader');
    assert.deepEqual(byId.body.properties.permissions[0].actions, ['*/read']);
    // Any caller of the tenant may read definitions, as in Azure.
    const { token } = await x.workload();
    const asWorkload = await x.arm('GET', `${definitionId(BUILT_IN_ROLES.Owner)}?${DEFS_API}`, token);
    assert.equal(asWorkload.status, 200);
  });

  test('create → again → list (atScope, principalId, assignedTo, unfiltered) → get → delete → delete again', async () => {
    const sp = await x.workload();
    const scope = `${sub}/resourceGroups/rg-life`;
    const name = randomUUID();
    const created = await x.arm(
      'PUT',
      `${assignmentsAt(scope, name)}?${API}`,
      x.admin,
      body(BUILT_IN_ROLES.AcrPull, sp.oid),
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.id, assignmentsAt(scope, name));
    assert.equal(created.body.name, name);
    assert.equal(created.body.type, 'Microsoft.Authorization/roleAssignments');
    assert.equal(created.body.properties.roleDefinitionId, definitionId(BUILT_IN_ROLES.AcrPull));
    assert.equal(created.body.properties.principalId, sp.oid);
    assert.equal(created.body.properties.principalType, 'ServicePrincipal');
    assert.equal(created.body.properties.scope, scope);
    assert.match(created.body.properties.createdOn, /^\d{4}-\d\d-\d\dT/);

    // The same PUT again: the same assignment. Another name for the same triple: 409, as ARM.
    const again = await x.arm(
      'PUT',
      `${assignmentsAt(scope, name)}?${API}`,
      x.admin,
      body(BUILT_IN_ROLES.AcrPull, sp.oid),
    );
    assert.equal(again.status, 201);
    assert.deepEqual(again.body, created.body);
    const duplicate = await x.arm(
      'PUT',
      `${assignmentsAt(scope, randomUUID())}?${API}`,
      x.admin,
      body(BUILT_IN_ROLES.AcrPull, sp.oid),
    );
    assert.equal(duplicate.status, 409);
    assert.deepEqual(duplicate.body, {
      error: { code: 'RoleAssignmentExists', message: 'The role assignment already exists.' },
    });
    const changed = await x.arm(
      'PUT',
      `${assignmentsAt(scope, name)}?${API}`,
      x.admin,
      body(BUILT_IN_ROLES.Reader, sp.oid),
    );
    assert.equal(changed.status, 409);
    assert.equal(changed.body.error.code, 'RoleAssignmentUpdateNotPermitted');
    assert.deepEqual(await stored(sp.oid), [`AcrPull@${scope}`]);

    // A group the workload is a member of holds Reader at the subscription.
    const group = await x.f.credless.store.createGroup(x.tid, {
      displayName: 'readers',
      mailNickname: 'readers',
    });
    await x.f.credless.store.createGroupMember(x.tid, group.id, sp.oid);
    const groupAssignment = await x.arm(
      'PUT',
      `${assignmentsAt(sub, randomUUID())}?${API}`,
      x.admin,
      body(BUILT_IN_ROLES.Reader, group.id, { principalType: 'Group' }),
    );
    assert.equal(groupAssignment.status, 201, JSON.stringify(groupAssignment.body));

    const list = async (at: string, filter?: string) => {
      const query = filter === undefined ? API : `$filter=${encodeURIComponent(filter)}&${API}`;
      const answer = await x.arm('GET', `${assignmentsAt(at)}?${query}`, x.admin);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body.value.map((a: { name: string }) => a.name).sort();
    };
    const both = [name, groupAssignment.body.name].sort();
    assert.deepEqual(
      await list(scope, 'atScope()'),
      both,
      'at the group and inherited from the subscription',
    );
    assert.deepEqual(await list(sub, 'atScope()'), [groupAssignment.body.name], 'not what lies below');
    assert.ok((await list(sub)).includes(name), 'unfiltered: below the scope too');
    assert.deepEqual(await list(sub, `principalId eq '${sp.oid}'`), [name]);
    assert.deepEqual(await list(sub, `assignedTo('${sp.oid}')`), both, "with the principal's groups");
    assert.deepEqual(await list(`${sub}/resourceGroups/other`, `principalId eq '${sp.oid}'`), []);

    const shown = await x.arm(
      'GET',
      `${assignmentsAt(scope.toUpperCase().replace(/^\/SUBSCRIPTIONS/, '/subscriptions'), name)}?${API}`,
      x.admin,
    );
    assert.equal(shown.status, 200);
    assert.equal(shown.body.id, created.body.id);

    const deleted = await x.arm('DELETE', `${created.body.id}?${API}`, x.admin);
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body.name, name);
    assert.equal((await x.arm('DELETE', `${created.body.id}?${API}`, x.admin)).status, 204);
    const gone = await x.arm('GET', `${created.body.id}?${API}`, x.admin);
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.body, {
      error: { code: 'RoleAssignmentNotFound', message: `The role assignment '${name}' is not found.` },
    });
    assert.deepEqual(await stored(sp.oid), []);
  });

  test('authorization: Owner or User Access Administrator at or above the scope writes, Contributor and Reader do not', async () => {
    const target = await x.workload();
    const scope = `${sub}/resourceGroups/rg-authz`;
    const put = (token: string, at = scope) =>
      x.arm(
        'PUT',
        `${assignmentsAt(at, randomUUID())}?${API}`,
        token,
        body(BUILT_IN_ROLES.Reader, target.oid),
      );

    const nobody = await x.workload();
    const denied = await put(nobody.token);
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, 'AuthorizationFailed');
    assert.match(denied.body.error.message, /Microsoft\.Authorization\/roleAssignments\/write/);
    assert.match(denied.body.error.message, new RegExp(`over scope '${scope}'`));
    assert.equal((await x.arm('GET', `${assignmentsAt(scope)}?${API}`, nobody.token)).status, 403);

    const contributor = await x.workload();
    await x.assign(contributor.oid, 'Contributor', sub);
    assert.equal((await put(contributor.token)).status, 403, 'Contributor may not assign roles');
    assert.equal((await x.arm('GET', `${assignmentsAt(scope)}?${API}`, contributor.token)).status, 200);

    const reader = await x.workload();
    await x.assign(reader.oid, 'Reader', scope);
    assert.equal((await put(reader.token)).status, 403);
    assert.equal((await x.arm('GET', `${assignmentsAt(scope)}?${API}`, reader.token)).status, 200);
    assert.deepEqual(await stored(target.oid), [], 'nothing written by the refused requests');

    const owner = await x.workload();
    await x.assign(owner.oid, 'Owner', scope);
    const byOwner = await put(owner.token, `${scope}/providers/Microsoft.ContainerRegistry/registries/acr1`);
    assert.equal(byOwner.status, 201, 'below its scope');
    assert.equal((await put(owner.token, sub)).status, 403, 'not above its scope');
    assert.equal((await x.arm('DELETE', `${byOwner.body.id}?${API}`, nobody.token)).status, 403);

    const uaa = await x.workload();
    await x.assign(uaa.oid, 'User Access Administrator', sub);
    const byUaa = await put(uaa.token, sub);
    assert.equal(byUaa.status, 201, JSON.stringify(byUaa.body));
    assert.equal((await x.arm('DELETE', `${byUaa.body.id}?${API}`, uaa.token)).status, 200);
  });

  test('an AKS role at an existing cluster scope (and its namespace) creates the AKS server application', async () => {
    const { cluster } = await x.f.credless.store.createCluster({
      id: `${sub}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1`,
      tenantId: x.tid,
      subscriptionId: x.tid,
      resourceGroup: 'rg-aks',
      name: 'aks1',
      location: 'westeurope',
      issuerGuid: randomUUID(),
      issuerUrl: `https://localhost/${randomUUID()}/`,
      oidcIssuerEnabled: true,
      workloadIdentityEnabled: true,
      // A stored record only: no token is signed with it in this test.
      signingKey: {
        kid: 'k',
        publicJwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB' },
        encryptedPrivateKey: 'x',
        createdAt: new Date(),
      },
      createdAt: new Date(),
    });
    const sp = await x.workload();
    for (const scope of [cluster.id, `${cluster.id}/namespaces/team-a`]) {
      const answer = await x.arm(
        'PUT',
        `${assignmentsAt(scope, randomUUID())}?${API}`,
        x.admin,
        body(BUILT_IN_ROLES[AKS_ADMIN], sp.oid),
      );
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
    }
    const aks = await x.f.credless.store.getServicePrincipalByAppId(
      x.tid,
      '6dae42f8-4368-4678-94ff-3960e28e3630',
    );
    assert.ok(aks, 'the AKS server application has a service principal');
  });
});
