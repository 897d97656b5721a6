/** Azure RBAC role assignments in the store (migration 0010) and the az-shaped service, on SQLite and PostgreSQL. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { CredlessError } from '@credless/core';
import {
  assignRole,
  decideClusterAccess,
  deleteRoleAssignments,
  listRoleAssignmentViews,
} from '../../src/cluster-access/role-assignments.ts';
import { createLocalCluster } from '../../src/local-issuers/clusters.ts';
import { describeEachStore } from '../support/store-suite.ts';

const kek = new Uint8Array(randomBytes(32));
const CLUSTER_ADMIN = 'Azure Kubernetes Service RBAC Cluster Admin';
const CLUSTER_ADMIN_ID = 'b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b';

const code = (expected: string) => (error: unknown) =>
  error instanceof CredlessError && error.code === expected;

await describeEachStore('role assignments', (target) => {
  async function setup() {
    const store = await target.openStore();
    const tenant = await store.createTenant({ defaultDomain: 'contoso.test', displayName: 'Contoso' });
    const tenantId = tenant.id;
    const { cluster } = await createLocalCluster(
      { store, kek },
      { tenantId, baseUrl: 'https://localhost:8443', resourceGroup: 'rg-dev-aks', name: 'dev-aks' },
    );
    const app = await store.createApplication(tenantId, { displayName: 'ci-deployer' });
    const principal = await store.createServicePrincipal(tenantId, { appId: app.appId });
    return { store, tenantId, cluster, app, principal };
  }

  test('create is idempotent, az-shaped, a directory write; list filters; delete by id', async () => {
    const { store, tenantId, cluster, app, principal } = await setup();
    const version = await store.getDirectoryVersion();
    const first = await assignRole(store, tenantId, {
      role: CLUSTER_ADMIN,
      assignee: app.appId,
      scope: cluster.id,
    });
    assert.equal(first.created, true);
    assert.ok((await store.getDirectoryVersion()) > version);
    const view = first.assignment;
    assert.match(
      view.id,
      new RegExp(`^${cluster.id}/providers/Microsoft.Authorization/roleAssignments/[0-9a-f-]{36}$`),
    );
    assert.equal(view.name, view.id.split('/').at(-1));
    assert.equal(view.principalId, principal.id);
    assert.equal(view.principalType, 'ServicePrincipal');
    assert.equal(view.roleDefinitionName, CLUSTER_ADMIN);
    assert.equal(
      view.roleDefinitionId,
      `/subscriptions/${tenantId}/providers/Microsoft.Authorization/roleDefinitions/${CLUSTER_ADMIN_ID}`,
    );
    assert.equal(view.resourceGroup, 'rg-dev-aks');
    assert.equal(view.type, 'Microsoft.Authorization/roleAssignments');

    // Again, by object id, role guid and a differently cased scope: the same assignment.
    const again = await assignRole(store, tenantId, {
      role: CLUSTER_ADMIN_ID,
      assignee: principal.id,
      scope: cluster.id.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/'),
    });
    assert.equal(again.created, false);
    assert.equal(again.assignment.id, view.id);
    // Concurrent creates agree on one record.
    const raced = await Promise.all(
      [1, 2, 3].map(() =>
        assignRole(store, tenantId, { role: 'AcrPull', assignee: app.appId, scope: cluster.id }),
      ),
    );
    assert.equal(new Set(raced.map((r) => r.assignment.id)).size, 1);
    assert.equal(raced.filter((r) => r.created).length, 1);

    const rgScope = `/subscriptions/${tenantId}/resourceGroups/rg-dev-aks`;
    await assignRole(store, tenantId, {
      role: 'Azure Kubernetes Service RBAC Reader',
      assignee: app.appId,
      scope: rgScope,
    });
    assert.equal((await listRoleAssignmentViews(store, tenantId)).length, 3);
    const atCluster = await listRoleAssignmentViews(store, tenantId, { scope: cluster.id });
    assert.deepEqual(atCluster.map((a) => a.roleDefinitionName).sort(), ['AcrPull', CLUSTER_ADMIN]);
    assert.equal(atCluster[0]?.principalName, app.appId);
    assert.equal(
      (await listRoleAssignmentViews(store, tenantId, { scope: cluster.id, includeInherited: true })).length,
      3,
    );
    assert.equal(
      (await listRoleAssignmentViews(store, tenantId, { assignee: app.appId, role: 'AcrPull' })).length,
      1,
    );

    const deleted = await deleteRoleAssignments(store, tenantId, { ids: [view.id.toLowerCase()] });
    assert.deepEqual(
      deleted.map((a) => a.id),
      [view.id],
    );
    await assert.rejects(store.deleteRoleAssignment(tenantId, view.id), code('not_found'));
    const byFilter = await deleteRoleAssignments(store, tenantId, { assignee: app.appId, scope: rgScope });
    assert.equal(byFilter.length, 1);
    assert.deepEqual(
      (await listRoleAssignmentViews(store, tenantId)).map((a) => a.roleDefinitionName),
      ['AcrPull'],
    );
    await assert.rejects(deleteRoleAssignments(store, tenantId, {}), code('invalid_value'));
  });

  test("a cluster's API port and role assignments: gone with the cluster; the port is no directory write", async () => {
    const { store, tenantId, cluster, app } = await setup();
    assert.equal(await store.getClusterApiPort(cluster.id), undefined);
    const version = await store.getDirectoryVersion();
    await store.setClusterApiPort(cluster.id, 30443);
    await store.setClusterApiPort(cluster.id, 30444);
    assert.equal(await store.getClusterApiPort(cluster.id), 30444);
    assert.equal(await store.getDirectoryVersion(), version);
    await assignRole(store, tenantId, { role: CLUSTER_ADMIN, assignee: app.appId, scope: cluster.id });
    await assignRole(store, tenantId, {
      role: CLUSTER_ADMIN,
      assignee: app.appId,
      scope: `${cluster.id}/namespaces/a`,
    });
    const rgScope = `/subscriptions/${tenantId}/resourceGroups/${cluster.resourceGroup}`;
    await assignRole(store, tenantId, { role: CLUSTER_ADMIN, assignee: app.appId, scope: rgScope });
    await store.deleteCluster(tenantId, cluster.resourceGroup, cluster.name);
    assert.equal(await store.getClusterApiPort(cluster.id), undefined);
    // The cluster's assignments went with it (a cluster created again starts with none); the group's stay.
    assert.deepEqual(
      (await store.listRoleAssignments(tenantId)).map((a) => a.scope),
      [rgScope],
    );
  });

  test('unknown role, assignee, foreign or malformed scope, missing cluster: refused, nothing stored', async () => {
    const { store, tenantId, cluster, app } = await setup();
    await assert.rejects(
      assignRole(store, tenantId, {
        role: 'Storage Blob Data Reader',
        assignee: app.appId,
        scope: cluster.id,
      }),
      code('role_definition_not_found'),
    );
    await assert.rejects(
      assignRole(store, tenantId, {
        role: CLUSTER_ADMIN,
        assignee: '00000000-0000-0000-0000-00000000beef',
        scope: cluster.id,
      }),
      code('role_assignee_not_found'),
    );
    for (const scope of [
      'dev-aks',
      cluster.id.replace(tenantId, '11111111-1111-1111-1111-111111111111'),
      cluster.id.replace('dev-aks', 'no-such-cluster'),
      `${cluster.id}/pods/x`,
    ]) {
      await assert.rejects(
        assignRole(store, tenantId, { role: CLUSTER_ADMIN, assignee: app.appId, scope }),
        code('role_assignment_scope_invalid'),
        scope,
      );
    }
    assert.deepEqual(await store.listRoleAssignments(tenantId), []);
  });

  test('access: direct, inherited, through a group; tenants are separate', async () => {
    const { store, tenantId, cluster, app, principal } = await setup();
    assert.equal(
      (await decideClusterAccess(store, tenantId, principal.id, cluster.id, 'get')).allowed,
      false,
    );
    const group = await store.createGroup(tenantId, {
      displayName: 'aks-admins',
      mailNickname: 'aks-admins',
      mailEnabled: false,
      securityEnabled: true,
    });
    await assignRole(store, tenantId, { role: CLUSTER_ADMIN, assignee: group.id, scope: cluster.id });
    assert.equal(
      (await decideClusterAccess(store, tenantId, principal.id, cluster.id, 'get')).allowed,
      false,
    );
    await store.createGroupMember(tenantId, group.id, principal.id);
    assert.equal((await decideClusterAccess(store, tenantId, principal.id, cluster.id, 'get')).allowed, true);
    await store.deleteGroupMember(tenantId, group.id, principal.id);

    await assignRole(store, tenantId, {
      role: 'Azure Kubernetes Service RBAC Reader',
      assignee: app.appId,
      scope: `/subscriptions/${tenantId}`,
    });
    const read = await decideClusterAccess(store, tenantId, principal.id, cluster.id, 'list', {
      namespace: 'default',
      resource: 'pods',
    });
    assert.equal(read.allowed, true);
    const write = await decideClusterAccess(store, tenantId, principal.id, cluster.id, 'create', {
      namespace: 'default',
      resource: 'pods',
    });
    assert.equal(write.allowed, false);

    const other = await store.createTenant({ defaultDomain: 'fabrikam.test', displayName: 'Fabrikam' });
    assert.deepEqual(await store.listRoleAssignments(other.id), []);
    assert.equal(
      (await decideClusterAccess(store, other.id, principal.id, cluster.id, 'get')).allowed,
      false,
    );
  });
});
