/**
 * `credless role assignment create|list|delete`: `az role assignment` for credless's Azure RBAC
 * (built-in AKS and registry roles at subscription, resource group, cluster or namespace scope).
 * Results are shaped like az's, so `--query id -o tsv` works as in the seed.
 * @module
 */
import {
  assignRole,
  deleteRoleAssignments,
  ensureAksServerApplication,
  listRoleAssignmentViews,
  type RoleAssignmentView,
} from '@credless/platforms';
import type { DirectoryContext } from '../../context.ts';

export interface CreateRoleAssignmentOptions {
  role: string;
  assignee: string;
  scope: string;
}

/** Creates the assignment; again with the same role, assignee and scope returns the existing one. */
export async function createRoleAssignment(
  ctx: DirectoryContext,
  options: CreateRoleAssignmentOptions,
): Promise<RoleAssignmentView> {
  const { assignment } = await assignRole(ctx.store, ctx.tenantId, options);
  // An AKS role is useless without the AKS server app the exec plugin gets tokens for.
  if (/\/managedClusters\//i.test(assignment.scope) || /Kubernetes/.test(assignment.roleDefinitionName)) {
    await ensureAksServerApplication(ctx.store, ctx.tenantId);
  }
  return assignment;
}

export interface ListRoleAssignmentsOptions {
  assignee?: string;
  role?: string;
  scope?: string;
  includeInherited?: boolean;
}

export function listRoleAssignments(
  ctx: DirectoryContext,
  options: ListRoleAssignmentsOptions = {},
): Promise<RoleAssignmentView[]> {
  return listRoleAssignmentViews(ctx.store, ctx.tenantId, options);
}

export interface DeleteRoleAssignmentsOptions extends ListRoleAssignmentsOptions {
  ids?: string[];
}

/** By `--ids`, or every assignment matching `--assignee/--role/--scope` (at least one is needed). */
export function deleteRoleAssignment(
  ctx: DirectoryContext,
  options: DeleteRoleAssignmentsOptions,
): Promise<RoleAssignmentView[]> {
  return deleteRoleAssignments(ctx.store, ctx.tenantId, options);
}
