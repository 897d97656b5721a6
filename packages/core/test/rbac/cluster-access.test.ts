import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type ClusterRequest,
  checkClusterAccess,
  findRoleDefinition,
  type KubeVerb,
  normalizeScope,
  type RoleAssignmentGrant,
  scopeCovers,
} from '../../src/rbac/index.ts';

const SUB = '/subscriptions/11111111-2222-3333-4444-555555555555';
const RG = `${SUB}/resourceGroups/rg-dev-aks`;
const CLUSTER = `${RG}/providers/Microsoft.ContainerService/managedClusters/dev-aks`;
const OTHER_CLUSTER = `${RG}/providers/Microsoft.ContainerService/managedClusters/dev-aks-2`;
const SP = 'aaaaaaaa-0000-0000-0000-000000000001';
const GROUP = 'gggggggg-0000-0000-0000-000000000001';

const ROLES = {
  clusterAdmin: 'b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b',
  admin: '3498e952-d568-435e-9b2c-8d77e338d7f7',
  writer: 'a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb',
  reader: '7f6c6a51-bcf8-42ba-9220-52d62157d7db',
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
};

const grant = (role: string, scope: string, principalId = SP): RoleAssignmentGrant => ({
  id: `${scope}/providers/Microsoft.Authorization/roleAssignments/x`,
  roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
  principalId,
  scope,
});

interface Row {
  name: string;
  assignments: RoleAssignmentGrant[];
  principals?: string | string[];
  verb: KubeVerb;
  request?: ClusterRequest;
  allowed: boolean;
}

const ROWS: Row[] = [
  { name: 'no assignment', assignments: [], verb: 'get', allowed: false },
  {
    name: 'cluster admin at the cluster: /version',
    assignments: [grant(ROLES.clusterAdmin, CLUSTER)],
    verb: 'get',
    allowed: true,
  },
  {
    name: 'cluster admin at the resource group (inherited)',
    assignments: [grant(ROLES.clusterAdmin, RG)],
    verb: 'get',
    allowed: true,
  },
  {
    name: 'cluster admin at the subscription (inherited)',
    assignments: [grant(ROLES.clusterAdmin, SUB)],
    verb: 'delete',
    request: { namespace: 'default', resource: 'pods' },
    allowed: true,
  },
  {
    name: 'scope compares case-insensitively',
    assignments: [grant(ROLES.clusterAdmin, CLUSTER.toLowerCase())],
    verb: 'get',
    allowed: true,
  },
  {
    name: 'another cluster (name prefix) does not cover',
    assignments: [grant(ROLES.clusterAdmin, OTHER_CLUSTER)],
    verb: 'get',
    allowed: false,
  },
  {
    name: 'another principal',
    assignments: [grant(ROLES.clusterAdmin, CLUSTER, 'bbbbbbbb-0000-0000-0000-000000000002')],
    verb: 'get',
    allowed: false,
  },
  {
    name: 'group assignment, caller in group',
    assignments: [grant(ROLES.clusterAdmin, CLUSTER, GROUP)],
    principals: [SP, GROUP],
    verb: 'get',
    allowed: true,
  },
  {
    name: 'AcrPull grants nothing in a cluster',
    assignments: [grant(ROLES.acrPull, CLUSTER)],
    verb: 'get',
    allowed: false,
  },
  {
    name: 'reader lists pods',
    assignments: [grant(ROLES.reader, CLUSTER)],
    verb: 'list',
    request: { namespace: 'default', resource: 'pods' },
    allowed: true,
  },
  {
    name: 'reader cannot create pods',
    assignments: [grant(ROLES.reader, CLUSTER)],
    verb: 'create',
    request: { namespace: 'default', resource: 'pods' },
    allowed: false,
  },
  {
    name: 'reader cannot read secrets',
    assignments: [grant(ROLES.reader, CLUSTER)],
    verb: 'get',
    request: { namespace: 'default', resource: 'secrets' },
    allowed: false,
  },
  {
    name: 'writer creates pods',
    assignments: [grant(ROLES.writer, CLUSTER)],
    verb: 'create',
    request: { namespace: 'default', resource: 'pods' },
    allowed: true,
  },
  {
    name: 'writer cannot touch rolebindings',
    assignments: [grant(ROLES.writer, CLUSTER)],
    verb: 'get',
    request: { namespace: 'default', resource: 'rolebindings' },
    allowed: false,
  },
  {
    name: 'admin cannot delete namespaces',
    assignments: [grant(ROLES.admin, CLUSTER)],
    verb: 'delete',
    request: { resource: 'namespaces' },
    allowed: false,
  },
  {
    name: 'admin lists namespaces',
    assignments: [grant(ROLES.admin, CLUSTER)],
    verb: 'list',
    request: { resource: 'namespaces' },
    allowed: true,
  },
  {
    name: 'namespace scope: its namespace',
    assignments: [grant(ROLES.writer, `${CLUSTER}/namespaces/team-a`)],
    verb: 'create',
    request: { namespace: 'team-a', resource: 'pods' },
    allowed: true,
  },
  {
    name: 'namespace scope: another namespace',
    assignments: [grant(ROLES.writer, `${CLUSTER}/namespaces/team-a`)],
    verb: 'list',
    request: { namespace: 'team-b', resource: 'pods' },
    allowed: false,
  },
  {
    name: 'namespace scope: cluster-scoped resource',
    assignments: [grant(ROLES.writer, `${CLUSTER}/namespaces/team-a`)],
    verb: 'list',
    request: { resource: 'namespaces' },
    allowed: false,
  },
  {
    name: 'namespace scope: discovery allowed',
    assignments: [grant(ROLES.reader, `${CLUSTER}/namespaces/team-a`)],
    verb: 'get',
    allowed: true,
  },
];

describe('checkClusterAccess', () => {
  for (const row of ROWS) {
    test(row.name, () => {
      const decision = checkClusterAccess(
        row.assignments,
        row.principals ?? SP,
        CLUSTER,
        row.verb,
        row.request,
      );
      assert.equal(decision.allowed, row.allowed);
      if (row.allowed) assert.ok(decision.assignment);
      else assert.equal(decision.assignment, undefined);
    });
  }
});

describe('role definitions and scopes', () => {
  test('roles by name (any case), guid or ARM id', () => {
    assert.equal(findRoleDefinition('azure kubernetes service rbac cluster admin')?.name, ROLES.clusterAdmin);
    assert.equal(
      findRoleDefinition(ROLES.reader.toUpperCase())?.roleName,
      'Azure Kubernetes Service RBAC Reader',
    );
    assert.equal(
      findRoleDefinition(`${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ROLES.acrPull}`)
        ?.roleName,
      'AcrPull',
    );
    assert.equal(findRoleDefinition('owner')?.roleName, 'Owner');
    assert.equal(
      findRoleDefinition('user access administrator')?.name,
      '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
    );
    assert.equal(findRoleDefinition('Storage Blob Data Reader'), undefined);
    assert.equal(findRoleDefinition('00000000-0000-0000-0000-000000000000'), undefined);
  });

  test('scopes: subscription, resource group, resource; anything else is refused', () => {
    assert.equal(normalizeScope(`${CLUSTER}/`), CLUSTER);
    assert.equal(normalizeScope(SUB), SUB);
    assert.equal(normalizeScope(RG), RG);
    assert.equal(normalizeScope(`${CLUSTER}/namespaces/team-a`), `${CLUSTER}/namespaces/team-a`);
    for (const bad of [
      '',
      '/',
      'dev-aks',
      '/subscriptions',
      `${RG}/providers/Microsoft.ContainerService`,
      `${SUB}//resourceGroups/x`,
    ]) {
      assert.equal(normalizeScope(bad), undefined, bad);
    }
    assert.ok(scopeCovers(RG, CLUSTER));
    assert.ok(!scopeCovers(CLUSTER, RG));
    assert.ok(!scopeCovers(`${RG}/providers/Microsoft.ContainerService/managedClusters/dev`, CLUSTER));
  });
});
