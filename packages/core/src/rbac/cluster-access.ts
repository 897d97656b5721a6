/**
 * Azure RBAC for a cluster's Kubernetes API, as AKS with `--enable-azure-rbac` decides it: a request
 * is allowed when a role assignment of the caller (or of a group it belongs to) grants the verb at a
 * scope that covers the cluster — the cluster itself, its resource group or subscription (inherited),
 * or for namespaced requests the namespace (`<cluster id>/namespaces/<ns>`).
 * @module
 */
import {
  type ClusterDataActions,
  findRoleDefinition,
  KUBE_READ_VERBS,
  type KubeVerb,
} from './role-definitions.ts';

/** What the decision needs of an assignment (the stored record has more). */
export interface RoleAssignmentGrant {
  id: string;
  /** Role definition guid or ARM id. */
  roleDefinitionId: string;
  principalId: string;
  scope: string;
}

const SCOPE =
  /^\/subscriptions\/[^/\s]+(?:\/resourceGroups\/[^/\s]+(?:\/providers\/[^/\s]+(?:\/[^/\s]+\/[^/\s]+)+)?)?$/i;

/**
 * The scope without a trailing slash, or undefined when it is not an ARM subscription, resource group
 * or resource id (provider, then type/name pairs).
 */
export function normalizeScope(scope: string): string | undefined {
  const trimmed = scope.trim().replace(/\/+$/, '');
  return SCOPE.test(trimmed) ? trimmed : undefined;
}

/** The subscription a scope lies in. */
export function scopeSubscription(scope: string): string | undefined {
  return /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1];
}

/** True when an assignment at `scope` applies to `target`: the same id, or an ancestor (ARM names compare case-insensitively). */
export function scopeCovers(scope: string, target: string): boolean {
  const a = scope.replace(/\/+$/, '').toLowerCase();
  const b = target.replace(/\/+$/, '').toLowerCase();
  return a === b || b.startsWith(`${a}/`);
}

export interface ClusterRequest {
  /** Namespace of a namespaced request; absent for cluster-scoped ones. */
  namespace?: string;
  /** Resource (plural, e.g. `pods`); absent for non-resource paths (`/version`, `/api`, `/apis`). */
  resource?: string;
}

export interface ClusterAccessDecision {
  allowed: boolean;
  /** The assignment that allowed the request. */
  assignment?: RoleAssignmentGrant;
}

function grants(actions: ClusterDataActions, verb: KubeVerb, resource: string | undefined): boolean {
  if (resource !== undefined && actions.excludedResources.includes(resource)) return false;
  if (KUBE_READ_VERBS.has(verb)) return actions.read;
  if (resource !== undefined && actions.readOnlyResources.includes(resource)) return false;
  return actions.write;
}

/**
 * Whether `principalId` (a service principal or group object id, or several: the caller and its
 * groups) may perform `verb` on the cluster `clusterId`. Non-resource paths (discovery, /version) need
 * any cluster role covering the cluster or one of its namespaces.
 */
export function checkClusterAccess(
  assignments: readonly RoleAssignmentGrant[],
  principalId: string | readonly string[],
  clusterId: string,
  verb: KubeVerb,
  request: ClusterRequest = {},
): ClusterAccessDecision {
  const principals = new Set(
    (typeof principalId === 'string' ? [principalId] : principalId).map((id) => id.toLowerCase()),
  );
  const target = request.namespace === undefined ? clusterId : `${clusterId}/namespaces/${request.namespace}`;
  for (const assignment of assignments) {
    if (!principals.has(assignment.principalId.toLowerCase())) continue;
    const actions = findRoleDefinition(assignment.roleDefinitionId)?.clusterDataActions;
    if (!actions) continue;
    const covers =
      scopeCovers(assignment.scope, target) ||
      // Discovery works for anyone holding a role anywhere in the cluster (a namespace, say).
      (request.resource === undefined && scopeCovers(clusterId, assignment.scope));
    if (covers && grants(actions, verb, request.resource)) return { allowed: true, assignment };
  }
  return { allowed: false };
}
