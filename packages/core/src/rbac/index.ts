/**
 * Azure RBAC (ARM role assignments): built-in role definitions and the cluster access decision.
 * @module
 */
export type { ClusterAccessDecision, ClusterRequest, RoleAssignmentGrant } from './cluster-access.ts';
export { checkClusterAccess, normalizeScope, scopeCovers, scopeSubscription } from './cluster-access.ts';
export type { ClusterDataActions, KubeVerb, RoleDefinition } from './role-definitions.ts';
export {
  BUILT_IN_ROLE_DEFINITIONS,
  findRoleDefinition,
  KUBE_READ_VERBS,
  roleDefinitionResourceId,
} from './role-definitions.ts';
