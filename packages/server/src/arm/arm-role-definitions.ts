/**
 * `Microsoft.Authorization/roleDefinitions` at any scope of a tenant's subscription: the built-in roles
 * credless knows (core's BUILT_IN_ROLE_DEFINITIONS), listed with `$filter=roleName eq '…'` as `az role
 * assignment create --role <name>` resolves a name, or read by id. Unknown names list as `[]` (az then
 * says "Role '…' doesn't exist"). Also the path rules both Authorization handlers share.
 * @module
 */
import {
  BUILT_IN_ROLE_DEFINITIONS,
  type ClusterDataActions,
  CredlessError,
  findRoleDefinition,
  normalizeScope,
  type RoleDefinition,
  roleDefinitionResourceId,
} from '@credless/core';
import type { FastifyRequest } from 'fastify';

/** Microsoft.Authorization's api-versions (az 2.45: 2020-04-01-preview for assignments, 2018-01-01-preview for definitions). */
export const AUTHORIZATION_API_VERSIONS: readonly string[] = Object.freeze([
  '2015-07-01',
  '2018-01-01-preview',
  '2018-07-01',
  '2018-09-01-preview',
  '2020-04-01-preview',
  '2020-08-01-preview',
  '2020-10-01-preview',
  '2022-01-01-preview',
  '2022-04-01',
  '2022-05-01-preview',
]);

export type AuthorizationCollection = 'roleassignments' | 'roledefinitions';

export interface AuthorizationPath {
  /** The scope the request names, as written (ARM compares it case-insensitively). */
  scope: string;
  collection: AuthorizationCollection;
  /** The item's name (a guid), when the path names one. */
  name: string | undefined;
}

const PROVIDER = '/providers/microsoft.authorization/';

/**
 * `{scope}/providers/Microsoft.Authorization/{roleAssignments|roleDefinitions}[/{name}]`, or undefined
 * for any other path of the provider. An invalid scope is ARM's InvalidScope.
 */
export function parseAuthorizationPath(path: string): AuthorizationPath | undefined {
  const index = path.toLowerCase().lastIndexOf(PROVIDER);
  const segments = path.slice(index + PROVIDER.length).split('/');
  if (segments.at(-1) === '') segments.pop();
  const collection = segments[0]?.toLowerCase();
  if (segments.length > 2 || (collection !== 'roleassignments' && collection !== 'roledefinitions')) {
    return undefined;
  }
  const written = path.slice(0, index);
  const scope = normalizeScope(written);
  if (scope === undefined) {
    throw new CredlessError('role_assignment_scope_invalid', {
      scope: written.slice(0, 300),
      reason: 'expected /subscriptions/<id>[/resourceGroups/<group>[/providers/<namespace>/<type>/<name>…]]',
    });
  }
  return { scope, collection, name: segments[1] };
}

// ---- the ARM shape of a built-in role

type Permission = {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
};
const allow = (actions: string[], notActions: string[] = []): Permission => ({
  actions,
  notActions,
  dataActions: [],
  notDataActions: [],
});

// Azure's published permissions of the general-purpose and registry roles (what ARM enforces here too).
const PUBLISHED: Record<string, Permission> = {
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': allow(['*']),
  'b24988ac-6180-42a0-ab88-20f7382dd24c': allow(
    ['*'],
    [
      'Microsoft.Authorization/*/Delete',
      'Microsoft.Authorization/*/Write',
      'Microsoft.Authorization/elevateAccess/Action',
      'Microsoft.Blueprint/blueprintAssignments/write',
      'Microsoft.Blueprint/blueprintAssignments/delete',
      'Microsoft.Compute/galleries/share/action',
    ],
  ),
  'acdd72a7-3385-48ef-bd42-f606fba81ae7': allow(['*/read']),
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9': allow([
    '*/read',
    'Microsoft.Authorization/*',
    'Microsoft.Support/*',
  ]),
  '7f951dda-4ed3-4680-a7ca-43fe172d538d': allow(['Microsoft.ContainerRegistry/registries/pull/read']),
  '8311e382-0749-4cb8-b61a-304f252e45ec': allow([
    'Microsoft.ContainerRegistry/registries/pull/read',
    'Microsoft.ContainerRegistry/registries/push/write',
  ]),
};

// The AKS RBAC roles' control-plane actions, as Azure publishes them.
const AKS_ACTIONS = [
  'Microsoft.Authorization/*/read',
  'Microsoft.Insights/alertRules/*',
  'Microsoft.Resources/deployments/write',
  'Microsoft.Resources/subscriptions/operationresults/read',
  'Microsoft.Resources/subscriptions/read',
  'Microsoft.Resources/subscriptions/resourceGroups/read',
  'Microsoft.Support/*',
];
const CLUSTER = 'Microsoft.ContainerService/managedClusters';
const RBAC_RESOURCES = new Set(['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings']);
const dataAction = (resource: string) =>
  `${CLUSTER}/${RBAC_RESOURCES.has(resource) ? `rbac.authorization.k8s.io/${resource}` : resource}`;

/** A cluster role's data actions, from what credless's cluster API enforces (core's clusterDataActions). */
function clusterPermission(role: RoleDefinition, actions: ClusterDataActions): Permission {
  const admin = role.roleName === 'Azure Kubernetes Service RBAC Cluster Admin';
  return {
    actions: admin ? [...AKS_ACTIONS, `${CLUSTER}/listClusterUserCredential/action`] : AKS_ACTIONS,
    notActions: [],
    dataActions: [actions.write ? `${CLUSTER}/*` : `${CLUSTER}/*/read`],
    notDataActions: [
      ...actions.excludedResources.map((resource) => `${dataAction(resource)}/*`),
      ...actions.readOnlyResources.flatMap((resource) => [
        `${dataAction(resource)}/write`,
        `${dataAction(resource)}/delete`,
      ]),
    ],
  };
}

export function toArmRoleDefinition(subscriptionId: string, role: RoleDefinition) {
  const permission = role.clusterDataActions
    ? clusterPermission(role, role.clusterDataActions)
    : (PUBLISHED[role.name] ?? allow([]));
  return {
    id: roleDefinitionResourceId(subscriptionId, role.name),
    name: role.name,
    type: 'Microsoft.Authorization/roleDefinitions',
    properties: {
      roleName: role.roleName,
      type: 'BuiltInRole',
      description: role.description,
      assignableScopes: ['/'],
      permissions: [permission],
    },
  };
}

// ---- $filter: roleName eq '<name>' (quotes doubled inside), or type eq 'BuiltInRole' | 'CustomRole'
const FILTER = /^\s*(roleName|type)\s+eq\s+'((?:[^']|'')*)'\s*$/i;

function filtered(filter: string | undefined): readonly RoleDefinition[] {
  if (filter === undefined || filter.trim() === '') return BUILT_IN_ROLE_DEFINITIONS;
  const match = FILTER.exec(filter);
  if (!match) {
    throw new CredlessError('arm_query_unsupported', {
      reason: `The filter '${filter.slice(0, 200)}' is not supported. Supported filters are "roleName eq '{value}'" and "type eq 'BuiltInRole|CustomRole'".`,
    });
  }
  const value = (match[2] as string).replaceAll("''", "'");
  if ((match[1] as string).toLowerCase() === 'type') {
    return value.toLowerCase() === 'builtinrole' ? BUILT_IN_ROLE_DEFINITIONS : [];
  }
  const found = findRoleDefinition(value);
  // A guid is not a role name: only names match roleName.
  return found && found.roleName.toLowerCase() === value.trim().toLowerCase() ? [found] : [];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** GET of the collection (`{ value }`) or of one definition by its guid. Every caller of the tenant may read them. */
export function answerRoleDefinitions(
  request: FastifyRequest,
  subscriptionId: string,
  path: AuthorizationPath,
): unknown {
  if (path.name === undefined) {
    const filter = (request.query as Record<string, unknown>)['$filter'];
    const roles = filtered(typeof filter === 'string' ? filter : undefined);
    return { value: roles.map((role) => toArmRoleDefinition(subscriptionId, role)) };
  }
  const role = GUID.test(path.name) ? findRoleDefinition(path.name) : undefined;
  if (!role) throw new CredlessError('arm_role_definition_not_found', { id: path.name.slice(0, 100) });
  return toArmRoleDefinition(subscriptionId, role);
}
