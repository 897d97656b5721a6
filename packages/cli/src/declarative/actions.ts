/**
 * The plan: an ordered list of actions over Graph-shaped objects. Objects that do not exist yet are
 * referenced by the key the file gives them (application and group displayName); the executor
 * resolves those to ids as it creates them.
 * @module
 */
import type { ResourceAccess } from '@credless/core';
import type { ApplicationBody, FederatedCredentialBody, GroupBody } from './directory-api.ts';

/** An application known by appId, or one of the file's applications that is created by this plan. */
export type ResourceRef = { appId: string } | { displayName: string };

export interface PlannedRequiredResourceAccess {
  resource: ResourceRef;
  resourceAccess: ResourceAccess[];
  /** For the rendering only: the resource's name and its role values by id. */
  resourceName: string;
  roleNames: Record<string, string>;
}

/** An application body whose permissions may reference applications created earlier in the plan. */
export type PlannedApplicationBody = Omit<ApplicationBody, 'requiredResourceAccess'> & {
  requiredResourceAccess: PlannedRequiredResourceAccess[];
};

/** One field that changes: `before` absent = added, `after` absent = removed. */
export interface Change {
  path: string;
  before?: unknown;
  after?: unknown;
}

export type Action =
  | { kind: 'group'; op: 'create'; name: string; body: GroupBody }
  | { kind: 'group'; op: 'update'; name: string; id: string; patch: Partial<GroupBody>; changes: Change[] }
  | { kind: 'group'; op: 'delete'; name: string; id: string }
  | { kind: 'application'; op: 'create'; name: string; body: PlannedApplicationBody; changes: Change[] }
  | {
      kind: 'application';
      op: 'update';
      name: string;
      id: string;
      patch: Partial<PlannedApplicationBody>;
      changes: Change[];
    }
  | { kind: 'application'; op: 'delete'; name: string; id: string; appId: string }
  | { kind: 'servicePrincipal'; op: 'create'; app: string }
  | { kind: 'servicePrincipal'; op: 'delete'; app: string; id: string }
  | { kind: 'federatedCredential'; op: 'create'; app: string; name: string; body: FederatedCredentialBody }
  | {
      kind: 'federatedCredential';
      op: 'update';
      app: string;
      name: string;
      patch: Partial<Omit<FederatedCredentialBody, 'name'>>;
      changes: Change[];
    }
  | { kind: 'federatedCredential'; op: 'delete'; app: string; name: string }
  | {
      kind: 'appRoleAssignment';
      op: 'create';
      app: string;
      resource: ResourceRef;
      resourceName: string;
      appRoleId: string;
      role: string;
    }
  | {
      kind: 'appRoleAssignment';
      op: 'delete';
      app: string;
      principalId: string;
      assignmentId: string;
      resourceName: string;
      role: string;
    }
  | { kind: 'groupMember'; op: 'create'; group: string; member: string }
  | { kind: 'groupMember'; op: 'delete'; group: string; member: string; groupId: string; memberId: string };

export interface Plan {
  actions: Action[];
  /** Objects not in the file that `--prune` would delete (counted when prune is off). */
  unmanaged: number;
  /**
   * Applications not in the file that `--prune` leaves alone because credless's local platforms
   * created them (display names; see local-platform.ts). Said in the plan, so nobody wonders.
   */
  keptPlatformIdentities?: string[];
}

export const isEmptyPlan = (plan: Plan): boolean => plan.actions.length === 0;

/** create/update/delete counts; revoking consent and removing a member count as deletes. */
export function summarize(plan: Plan): { create: number; update: number; delete: number } {
  const counts = { create: 0, update: 0, delete: 0 };
  for (const action of plan.actions) counts[action.op] += 1;
  return counts;
}
