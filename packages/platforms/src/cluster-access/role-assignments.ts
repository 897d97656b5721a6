/**
 * `az role assignment create|list|delete` semantics over the store: resolves the role (built-in name,
 * guid or ARM id) and the assignee (appId, service principal or group object id), checks the scope
 * lies in the tenant's local subscription (and names an existing cluster when it is one), and shapes
 * results as az prints them.
 * @module
 */
import {
  BUILT_IN_ROLE_DEFINITIONS,
  type ClusterAccessDecision,
  type ClusterRequest,
  CredlessError,
  checkClusterAccess,
  findRoleDefinition,
  type KubeVerb,
  normalizeScope,
  type RoleDefinition,
  roleDefinitionResourceId,
  scopeCovers,
  scopeSubscription,
} from '@credless/core';
import {
  type DirectoryStore,
  localSubscriptionId,
  type RoleAssignmentRecord,
  type RolePrincipalType,
} from '@credless/server';

export type RoleAssignmentStore = Pick<
  DirectoryStore,
  | 'createRoleAssignment'
  | 'listRoleAssignments'
  | 'deleteRoleAssignment'
  | 'getServicePrincipal'
  | 'getServicePrincipalByAppId'
  | 'getGroup'
  | 'listGroupMembers'
  | 'getCluster'
>;

/** `az role assignment` output, member for member (the null ones are always null locally). */
export function roleAssignmentView(record: RoleAssignmentRecord, principalName?: string) {
  const resourceGroup = /\/resourceGroups\/([^/]+)/i.exec(record.scope)?.[1];
  return {
    condition: null,
    conditionVersion: null,
    createdBy: null,
    createdOn: record.createdAt.toISOString(),
    delegatedManagedIdentityResourceId: null,
    description: null,
    id: record.id,
    name: record.name,
    principalId: record.principalId,
    ...(principalName !== undefined ? { principalName } : {}),
    principalType: record.principalType,
    ...(resourceGroup !== undefined ? { resourceGroup } : {}),
    roleDefinitionId: record.roleDefinitionId,
    roleDefinitionName: record.roleDefinitionName,
    scope: record.scope,
    type: 'Microsoft.Authorization/roleAssignments',
    updatedBy: null,
    updatedOn: record.createdAt.toISOString(),
  };
}

export type RoleAssignmentView = ReturnType<typeof roleAssignmentView>;

export function resolveRole(role: string): RoleDefinition {
  const found = findRoleDefinition(role);
  if (!found) {
    throw new CredlessError('role_definition_not_found', {
      role,
      known: BUILT_IN_ROLE_DEFINITIONS.map((definition) => `'${definition.roleName}'`).join(', '),
    });
  }
  return found;
}

export interface ResolvedAssignee {
  principalId: string;
  principalType: RolePrincipalType;
  /** What az shows as principalName: the appId of a service principal, the group's name. */
  principalName: string;
}

/** An appId or service principal object id (as az accepts), or a group object id. */
export async function resolveAssignee(
  store: RoleAssignmentStore,
  tenantId: string,
  assignee: string,
): Promise<ResolvedAssignee> {
  const value = assignee.trim();
  const principal =
    (await store.getServicePrincipalByAppId(tenantId, value)) ??
    (await store.getServicePrincipal(tenantId, value));
  if (principal) {
    return { principalId: principal.id, principalType: 'ServicePrincipal', principalName: principal.appId };
  }
  const group = await store.getGroup(tenantId, value);
  if (group) return { principalId: group.id, principalType: 'Group', principalName: group.displayName };
  throw new CredlessError('role_assignee_not_found', { assignee: value });
}

const CLUSTER_SCOPE =
  /^(\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerService\/managedClusters\/([^/]+))(?:\/namespaces\/[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)?$/i;

/** The scope, normalized; refused outside the tenant's local subscription or naming a missing cluster. */
export async function checkScope(
  store: RoleAssignmentStore,
  tenantId: string,
  scope: string,
): Promise<string> {
  const normalized = normalizeScope(scope);
  if (normalized === undefined) {
    throw new CredlessError('role_assignment_scope_invalid', {
      scope: scope.slice(0, 300),
      reason:
        'expected /subscriptions/<id>[/resourceGroups/<group>[/providers/<namespace>/<type>/<name>…]] ' +
        '(e.g. the output of `credless cluster show --query id -o tsv`)',
    });
  }
  const subscription = localSubscriptionId(tenantId);
  if (scopeSubscription(normalized)?.toLowerCase() !== subscription.toLowerCase()) {
    throw new CredlessError('role_assignment_scope_invalid', {
      scope: normalized,
      reason: `this tenant's subscription is /subscriptions/${subscription}`,
    });
  }
  const cluster = CLUSTER_SCOPE.exec(normalized);
  if (/\/managedClusters\//i.test(normalized) && !cluster) {
    throw new CredlessError('role_assignment_scope_invalid', {
      scope: normalized,
      reason: 'below a cluster only /namespaces/<namespace> is a scope',
    });
  }
  if (cluster && !(await store.getCluster(tenantId, cluster[3] as string, cluster[4] as string))) {
    throw new CredlessError('role_assignment_scope_invalid', {
      scope: normalized,
      reason: `no cluster '${cluster[4]}' in resource group '${cluster[3]}'`,
    });
  }
  return normalized;
}

export interface AssignRoleInput {
  role: string;
  assignee: string;
  scope: string;
}

/** `az role assignment create`: creating an existing assignment returns it (created: false). */
export async function assignRole(
  store: RoleAssignmentStore,
  tenantId: string,
  input: AssignRoleInput,
): Promise<{ assignment: RoleAssignmentView; created: boolean }> {
  const role = resolveRole(input.role);
  const assignee = await resolveAssignee(store, tenantId, input.assignee);
  const scope = await checkScope(store, tenantId, input.scope);
  const { assignment, created } = await store.createRoleAssignment(tenantId, {
    scope,
    roleDefinitionId: roleDefinitionResourceId(localSubscriptionId(tenantId), role.name),
    roleDefinitionGuid: role.name,
    roleDefinitionName: role.roleName,
    principalId: assignee.principalId,
    principalType: assignee.principalType,
  });
  return { assignment: roleAssignmentView(assignment), created };
}

export interface RoleAssignmentQuery {
  assignee?: string;
  role?: string;
  scope?: string;
  /** With a scope: also assignments at the scopes above it (az --include-inherited). */
  includeInherited?: boolean;
}

async function matching(
  store: RoleAssignmentStore,
  tenantId: string,
  query: RoleAssignmentQuery,
): Promise<RoleAssignmentRecord[]> {
  const principalIds =
    query.assignee === undefined
      ? undefined
      : [(await resolveAssignee(store, tenantId, query.assignee)).principalId];
  const role = query.role === undefined ? undefined : resolveRole(query.role);
  const scope = query.scope === undefined ? undefined : (normalizeScope(query.scope) ?? query.scope);
  const found = await store.listRoleAssignments(tenantId, principalIds ? { principalIds } : {});
  return found.filter(
    (record) =>
      (role === undefined || record.roleDefinitionId.toLowerCase().endsWith(`/${role.name}`)) &&
      (scope === undefined ||
        record.scope.toLowerCase() === scope.toLowerCase() ||
        (query.includeInherited === true && scopeCovers(record.scope, scope))),
  );
}

/** `az role assignment list`, with principalName and roleDefinitionName as az shows them. */
export async function listRoleAssignmentViews(
  store: RoleAssignmentStore,
  tenantId: string,
  query: RoleAssignmentQuery = {},
): Promise<RoleAssignmentView[]> {
  const names = new Map<string, string | undefined>();
  const views: RoleAssignmentView[] = [];
  for (const record of await matching(store, tenantId, query)) {
    if (!names.has(record.principalId)) {
      const name =
        record.principalType === 'Group'
          ? (await store.getGroup(tenantId, record.principalId))?.displayName
          : (await store.getServicePrincipal(tenantId, record.principalId))?.appId;
      names.set(record.principalId, name);
    }
    views.push(roleAssignmentView(record, names.get(record.principalId) ?? ''));
  }
  return views;
}

/** `az role assignment delete --ids …` or by `--assignee/--role/--scope` (at least one); returns what was deleted. */
export async function deleteRoleAssignments(
  store: RoleAssignmentStore,
  tenantId: string,
  input: RoleAssignmentQuery & { ids?: readonly string[] },
): Promise<RoleAssignmentView[]> {
  if (input.ids !== undefined && input.ids.length > 0) {
    const all = await store.listRoleAssignments(tenantId);
    const deleted: RoleAssignmentView[] = [];
    for (const id of input.ids) {
      const record = all.find((candidate) => candidate.id.toLowerCase() === id.trim().toLowerCase());
      if (!record) throw new CredlessError('not_found', { id });
      await store.deleteRoleAssignment(tenantId, record.id);
      deleted.push(roleAssignmentView(record));
    }
    return deleted;
  }
  if (input.assignee === undefined && input.role === undefined && input.scope === undefined) {
    throw new CredlessError('invalid_value', {
      field: 'ids',
      reason: 'give --ids, or at least one of --assignee, --role and --scope',
    });
  }
  const records = await matching(store, tenantId, input);
  for (const record of records) await store.deleteRoleAssignment(tenantId, record.id);
  return records.map((record) => roleAssignmentView(record));
}

/** Groups (direct or nested) among `groupIds` that have `principalId` as a member. */
async function memberOf(
  store: RoleAssignmentStore,
  tenantId: string,
  principalId: string,
  groupIds: readonly string[],
): Promise<string[]> {
  const result: string[] = [];
  for (const groupId of groupIds) {
    const seen = new Set<string>();
    const pending = [groupId];
    let found = false;
    while (!found && pending.length > 0) {
      const current = pending.pop() as string;
      if (seen.has(current)) continue;
      seen.add(current);
      const members = await store.listGroupMembers(tenantId, current).catch(() => []);
      found = members.some((member) => member.id === principalId);
      for (const member of members) if (member.type === 'group') pending.push(member.id);
    }
    if (found) result.push(groupId);
  }
  return result;
}

/** The access decision for a caller (service principal object id) on a cluster, groups included. */
export async function decideClusterAccess(
  store: RoleAssignmentStore,
  tenantId: string,
  principalId: string,
  clusterId: string,
  verb: KubeVerb,
  request: ClusterRequest = {},
): Promise<ClusterAccessDecision> {
  const all = await store.listRoleAssignments(tenantId);
  const direct = checkClusterAccess(all, principalId, clusterId, verb, request);
  if (direct.allowed) return direct;
  const groupIds = [
    ...new Set(all.filter((record) => record.principalType === 'Group').map((record) => record.principalId)),
  ];
  if (groupIds.length === 0) return direct;
  const groups = await memberOf(store, tenantId, principalId, groupIds);
  return checkClusterAccess(all, [principalId, ...groups], clusterId, verb, request);
}
