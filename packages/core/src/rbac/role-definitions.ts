/**
 * Azure RBAC built-in role definitions credless knows (ARM's, not Entra app roles), with Microsoft's
 * ids so `--role <guid>` and Bicep's `subscriptionResourceId('Microsoft.Authorization/roleDefinitions', …)`
 * work unchanged. What each grants inside a cluster is a simplification of the real data actions,
 * kept to what the local cluster API serves.
 * @module
 */

/** Kubernetes request verbs (what kube-apiserver's authorizer sees). */
export type KubeVerb =
  | 'get'
  | 'list'
  | 'watch'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'deletecollection';

export const KUBE_READ_VERBS: ReadonlySet<KubeVerb> = new Set(['get', 'list', 'watch']);

/** What a role lets its holder do in a cluster. */
export interface ClusterDataActions {
  read: boolean;
  write: boolean;
  /** Resources the role does not cover at all (e.g. Reader: secrets). */
  excludedResources: readonly string[];
  /** Resources the role may read but not change (e.g. RBAC Admin: namespaces, resourcequotas). */
  readOnlyResources: readonly string[];
  /** Whether an assignment at a namespace scope (…/namespaces/<ns>) is meaningful for this role. */
  cluster: boolean;
}

export interface RoleDefinition {
  /** The role definition's guid (the last segment of its ARM id). */
  name: string;
  roleName: string;
  description: string;
  /** Undefined: the role grants nothing inside a cluster (e.g. registry roles). */
  clusterDataActions?: ClusterDataActions;
}

const NONE: readonly string[] = [];

export const BUILT_IN_ROLE_DEFINITIONS: readonly RoleDefinition[] = Object.freeze([
  {
    name: 'b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b',
    roleName: 'Azure Kubernetes Service RBAC Cluster Admin',
    description: 'Lets you manage all resources in the cluster.',
    clusterDataActions: {
      read: true,
      write: true,
      excludedResources: NONE,
      readOnlyResources: NONE,
      cluster: true,
    },
  },
  {
    name: '3498e952-d568-435e-9b2c-8d77e338d7f7',
    roleName: 'Azure Kubernetes Service RBAC Admin',
    description:
      'Lets you manage all resources under cluster/namespace, except update or delete resource quotas and namespaces.',
    clusterDataActions: {
      read: true,
      write: true,
      excludedResources: NONE,
      readOnlyResources: ['namespaces', 'resourcequotas'],
      cluster: true,
    },
  },
  {
    name: 'a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb',
    roleName: 'Azure Kubernetes Service RBAC Writer',
    description:
      'Allows read/write access to most objects in a namespace. It does not allow viewing or modifying roles or role bindings.',
    clusterDataActions: {
      read: true,
      write: true,
      excludedResources: ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'],
      readOnlyResources: ['namespaces', 'resourcequotas'],
      cluster: true,
    },
  },
  {
    name: '7f6c6a51-bcf8-42ba-9220-52d62157d7db',
    roleName: 'Azure Kubernetes Service RBAC Reader',
    description:
      'Allows read-only access to see most objects in a namespace. It does not allow viewing roles or role bindings, nor secrets.',
    clusterDataActions: {
      read: true,
      write: false,
      excludedResources: ['secrets', 'roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'],
      readOnlyResources: NONE,
      cluster: true,
    },
  },
  // Azure's general-purpose roles: they govern Resource Manager (e.g. resource groups), not a cluster's data.
  {
    name: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
    roleName: 'Owner',
    description:
      'Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.',
  },
  {
    name: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
    roleName: 'Contributor',
    description:
      'Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.',
  },
  {
    name: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
    roleName: 'Reader',
    description: 'View all resources, but does not allow you to make any changes.',
  },
  {
    name: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
    roleName: 'User Access Administrator',
    description: 'Lets you manage user access to Azure resources.',
  },
  {
    name: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
    roleName: 'AcrPull',
    description: 'acr pull',
  },
  {
    name: '8311e382-0749-4cb8-b61a-304f252e45ec',
    roleName: 'AcrPush',
    description: 'acr push',
  },
]);

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEFINITION_ID = /\/providers\/Microsoft\.Authorization\/roleDefinitions\/([0-9a-f-]{36})$/i;

/**
 * A built-in role by its name (case-insensitive, as az matches), its guid, or its ARM id
 * (`/subscriptions/…/providers/Microsoft.Authorization/roleDefinitions/<guid>`).
 */
export function findRoleDefinition(nameOrId: string): RoleDefinition | undefined {
  const value = nameOrId.trim();
  const guid = DEFINITION_ID.exec(value)?.[1] ?? (GUID.test(value) ? value : undefined);
  if (guid !== undefined) {
    return BUILT_IN_ROLE_DEFINITIONS.find((role) => role.name === guid.toLowerCase());
  }
  const lower = value.toLowerCase();
  return BUILT_IN_ROLE_DEFINITIONS.find((role) => role.roleName.toLowerCase() === lower);
}

/** ARM id of a role definition as seen from a subscription (what az prints as roleDefinitionId). */
export const roleDefinitionResourceId = (subscriptionId: string, roleName: string): string =>
  `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleName}`;
