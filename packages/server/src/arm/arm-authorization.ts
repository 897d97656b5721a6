/**
 * Authorization of Resource Manager requests by Azure RBAC role assignments, as ARM decides it for
 * resource groups: Owner or Contributor at the subscription or the group (or above it) may write,
 * Reader (and User Access Administrator) too may read; role assignments are written by Owner and User
 * Access Administrator. The local administrator may do everything, as a subscription's Owner.
 * Assignments to a group the caller is a direct member of count too.
 * @module
 */
import { CredlessError, findRoleDefinition, scopeCovers } from '@credless/core';
import { adminAppIdFor } from '../admin/admin-identity.ts';
import type { GraphCaller } from '../graph/graph-token.ts';
import type { DirectoryStore, RoleAssignmentRecord } from '../store/directory-store.ts';

export type ArmAuthorizationStore = Pick<DirectoryStore, 'listRoleAssignments' | 'listGroupIdsOfMembers'>;

const WRITERS = new Set(['owner', 'contributor']);
// Microsoft.Authorization/roleAssignments/write: Owner and User Access Administrator (not Contributor).
const ROLE_ASSIGNERS = new Set(['owner', 'user access administrator']);
const READERS = new Set([...WRITERS, ...ROLE_ASSIGNERS, 'reader']);

const roleNameOf = (record: RoleAssignmentRecord): string | undefined =>
  findRoleDefinition(record.roleDefinitionId)?.roleName.toLowerCase();

/** What a caller may do: `covers(scope, write)` answers for one scope. */
export interface ArmGrants {
  admin: boolean;
  covers(scope: string, write: boolean): boolean;
  /** Whether the caller may create and delete role assignments at `scope`. */
  assigns(scope: string): boolean;
}

export async function armGrantsOf(store: ArmAuthorizationStore, caller: GraphCaller): Promise<ArmGrants> {
  const tenantId = caller.tenant.id;
  if (caller.appId !== undefined && caller.appId === adminAppIdFor(tenantId)) {
    return { admin: true, covers: () => true, assigns: () => true };
  }
  if (caller.principalId === undefined) return { admin: false, covers: () => false, assigns: () => false };
  const groups = await store.listGroupIdsOfMembers(tenantId, [caller.principalId]);
  const assignments = await store.listRoleAssignments(tenantId, {
    principalIds: [caller.principalId, ...groups],
  });
  const holds = (allowed: ReadonlySet<string>, scope: string) =>
    assignments.some((record) => {
      const role = roleNameOf(record);
      return role !== undefined && allowed.has(role) && scopeCovers(record.scope, scope);
    });
  return {
    admin: false,
    covers: (scope, write) => holds(write ? WRITERS : READERS, scope),
    assigns: (scope) => holds(ROLE_ASSIGNERS, scope),
  };
}

/** Throws ARM's AuthorizationFailed unless the grants cover `action` at `scope`. */
export function requireArmAccess(
  grants: ArmGrants,
  caller: GraphCaller,
  scope: string,
  action: string,
  write: boolean,
): void {
  if (grants.covers(scope, write)) return;
  throw new CredlessError('arm_authorization_failed', {
    client: caller.principalId ?? caller.appId ?? 'unknown',
    action,
    scope,
  });
}
