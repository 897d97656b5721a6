/**
 * The executor: runs a plan's actions in order through a DirectoryApi, resolving the file's keys
 * (application and group displayNames) to the ids of objects that exist or were just created.
 * Stops at the first failure, saying which action failed and how many were applied; planning again
 * then picks up from where it stopped.
 * @module
 */
import type { RequiredResourceAccess } from '@credless/core';
import { CommandError, EXIT, exitCodeFor } from '../exit-codes.ts';
import type { Action, Plan, PlannedApplicationBody, ResourceRef } from './actions.ts';
import type { ApplicationBody, DirectoryApi, DirectoryState } from './directory-api.ts';
import { renderAction } from './render.ts';

/** Exits like its cause (a 409 from the directory exits 4, a 400 exits 2, …). */
export class ApplyError extends CommandError {
  readonly action: Action;
  readonly applied: number;
  constructor(action: Action, applied: number, cause: unknown) {
    super(
      `failed at: ${renderAction(action).split('\n')[0]}\n  ${cause instanceof Error ? cause.message : String(cause)}\n` +
        `  (${applied} change${applied === 1 ? '' : 's'} applied before it; plan again to see what remains)`,
      exitCodeFor(cause),
    );
    this.cause = cause;
    this.action = action;
    this.applied = applied;
  }
}

/** Ids of what exists, seeded from the planned-against state and grown as the plan creates objects. */
class Registry {
  readonly appIds = new Map<string, { id: string; appId: string }>();
  readonly spIds = new Map<string, string>();
  readonly groupIds = new Map<string, string>();

  constructor(state: DirectoryState) {
    for (const app of state.applications) this.appIds.set(app.displayName, { id: app.id, appId: app.appId });
    for (const sp of state.servicePrincipals) this.spIds.set(sp.appId, sp.id);
    for (const group of state.groups) this.groupIds.set(group.displayName, group.id);
  }

  app(displayName: string): { id: string; appId: string } {
    const found = this.appIds.get(displayName);
    if (!found) throw new CommandError(`application "${displayName}" does not exist`, EXIT.notFound);
    return found;
  }

  appIdOf(ref: ResourceRef): string {
    return 'appId' in ref ? ref.appId : this.app(ref.displayName).appId;
  }

  servicePrincipal(ref: ResourceRef, what: string): string {
    const id = this.spIds.get(this.appIdOf(ref));
    if (!id) throw new CommandError(`${what} has no service principal`, EXIT.notFound);
    return id;
  }

  group(displayName: string): string {
    const id = this.groupIds.get(displayName);
    if (!id) throw new CommandError(`group "${displayName}" does not exist`, EXIT.notFound);
    return id;
  }

  /** The Graph body: permissions name resources by appId. */
  body(planned: Partial<PlannedApplicationBody>): Partial<ApplicationBody> {
    const { requiredResourceAccess, ...rest } = planned;
    if (!requiredResourceAccess) return rest;
    const resolved: RequiredResourceAccess[] = requiredResourceAccess.map((entry) => ({
      resourceAppId: this.appIdOf(entry.resource),
      resourceAccess: entry.resourceAccess,
    }));
    return { ...rest, requiredResourceAccess: resolved };
  }
}

async function run(api: DirectoryApi, registry: Registry, action: Action): Promise<void> {
  switch (action.kind) {
    case 'group':
      if (action.op === 'create') registry.groupIds.set(action.name, (await api.createGroup(action.body)).id);
      else if (action.op === 'update') await api.patchGroup(action.id, action.patch);
      else await api.deleteGroup(action.id);
      return;
    case 'application':
      if (action.op === 'create') {
        const created = await api.createApplication(registry.body(action.body) as ApplicationBody);
        registry.appIds.set(action.name, { id: created.id, appId: created.appId });
      } else if (action.op === 'update') {
        await api.patchApplication(action.id, registry.body(action.patch));
      } else {
        await api.deleteApplication(action.id);
      }
      return;
    case 'servicePrincipal': {
      const app = registry.app(action.app);
      if (action.op === 'create') {
        registry.spIds.set(app.appId, (await api.createServicePrincipal(app.appId)).id);
      } else {
        await api.deleteServicePrincipal(action.id);
        registry.spIds.delete(app.appId);
      }
      return;
    }
    case 'federatedCredential': {
      const app = registry.app(action.app);
      if (action.op === 'create') await api.createFederatedCredential(app.id, action.body);
      else if (action.op === 'update') await api.patchFederatedCredential(app.id, action.name, action.patch);
      else await api.deleteFederatedCredential(app.id, action.name);
      return;
    }
    case 'appRoleAssignment':
      if (action.op === 'create') {
        await api.createAppRoleAssignment({
          principalId: registry.servicePrincipal({ displayName: action.app }, `application "${action.app}"`),
          resourceId: registry.servicePrincipal(action.resource, action.resourceName),
          appRoleId: action.appRoleId,
        });
      } else {
        await api.deleteAppRoleAssignment(action.principalId, action.assignmentId);
      }
      return;
    case 'groupMember':
      if (action.op === 'create') {
        const memberId = registry.servicePrincipal(
          { displayName: action.member },
          `application "${action.member}"`,
        );
        await api.addGroupMember(registry.group(action.group), memberId);
      } else {
        await api.removeGroupMember(action.groupId, action.memberId);
      }
      return;
  }
}

export interface ApplyProgress {
  /** Called after each action that succeeded. */
  onApplied?(action: Action, index: number): void;
}

/** Applies `plan` (made against `state`); returns how many actions ran. */
export async function applyPlan(
  api: DirectoryApi,
  state: DirectoryState,
  plan: Plan,
  progress: ApplyProgress = {},
): Promise<number> {
  const registry = new Registry(state);
  let applied = 0;
  for (const action of plan.actions) {
    try {
      await run(api, registry, action);
    } catch (error) {
      throw new ApplyError(action, applied, error);
    }
    progress.onApplied?.(action, applied);
    applied += 1;
  }
  return applied;
}
