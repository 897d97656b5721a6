/**
 * Resolving what the file names against the directory, without I/O: applications by displayName
 * (a duplicate in the directory is an error), permission APIs by appId or displayName, role names to
 * role ids (through the resource's appRoles), and stable ids for new app roles.
 * @module
 */
import { createHash } from 'node:crypto';
import type { AppRole } from '@credless/core';
import { UsageError } from '../exit-codes.ts';
import type { ResourceRef } from './actions.ts';
import type { ApiPermissionSpec, ApplicationSpec, IdentityFile } from './definition.ts';
import { isGuid } from './definition.ts';
import type { DirectoryState } from './directory-api.ts';

/** The file cannot be converged against this directory (unknown API or role, ambiguous name, …). */
export class PlanError extends UsageError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('cannot plan', {
      code: 'plan_invalid',
      params: { problems: problems.map((p) => `  ${p}`).join('\n') },
    });
    this.problems = problems;
  }
}

export type CurrentApplication = DirectoryState['applications'][number];
export type CurrentServicePrincipal = DirectoryState['servicePrincipals'][number];

/** A deterministic GUID for a role the file gives no id, so plans are stable and reviewable. */
export function derivedRoleId(appDisplayName: string, value: string): string {
  const hex = createHash('sha256').update(`credless-app-role\0${appDisplayName}\0${value}`).digest('hex');
  const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The app roles the file wants, reusing the ids of existing roles with the same value. */
export function desiredAppRoles(spec: ApplicationSpec, current: CurrentApplication | undefined): AppRole[] {
  return spec.appRoles.map((role) => ({
    id: (
      role.id ??
      current?.appRoles.find((existing) => existing.value === role.value)?.id ??
      derivedRoleId(spec.displayName, role.value)
    ).toLowerCase(),
    value: role.value,
    displayName: role.displayName ?? role.value,
    description: role.description ?? role.value,
    allowedMemberTypes: role.allowedMemberTypes,
    isEnabled: role.isEnabled,
    origin: 'Application',
  }));
}

export interface ResolvedApi {
  ref: ResourceRef;
  /** For messages: the displayName, or the appId when unknown. */
  name: string;
  roles: AppRole[];
  /** The resource's service principal (consent target); undefined until it is created. */
  servicePrincipalId: string | undefined;
  /** False when no service principal exists nor is planned (consent impossible). */
  hasServicePrincipal: boolean;
}

export class Resolver {
  private readonly byName = new Map<string, CurrentApplication[]>();
  private readonly specs = new Map<string, ApplicationSpec>();

  readonly state: DirectoryState;

  constructor(file: IdentityFile, state: DirectoryState) {
    this.state = state;
    for (const app of state.applications) {
      const list = this.byName.get(app.displayName) ?? [];
      list.push(app);
      this.byName.set(app.displayName, list);
    }
    for (const spec of file.applications) this.specs.set(spec.displayName, spec);
  }

  /** The directory's application with this displayName; more than one is an error. */
  application(displayName: string, where: string): CurrentApplication | undefined {
    const found = this.byName.get(displayName) ?? [];
    if (found.length > 1) {
      throw new PlanError([
        `${where}: ${found.length} applications in the directory are named '${displayName}' (ids ${found
          .map((app) => app.id)
          .join(', ')}); rename or delete all but one`,
      ]);
    }
    return found[0];
  }

  servicePrincipalOf(appId: string): CurrentServicePrincipal | undefined {
    return this.state.servicePrincipals.find((sp) => sp.appId === appId);
  }

  spec(displayName: string): ApplicationSpec | undefined {
    return this.specs.get(displayName);
  }

  /** An API named by a permission: appId (directory), or displayName (the file first, then the directory). */
  api(permission: ApiPermissionSpec, where: string): ResolvedApi {
    if (isGuid(permission.api)) {
      const appId = permission.api.toLowerCase();
      const sp = this.servicePrincipalOf(appId);
      const app = this.state.applications.find((candidate) => candidate.appId === appId);
      const fileSpec = app ? this.specs.get(app.displayName) : undefined;
      if (!sp && !app) {
        throw new PlanError([`${where}.api: no application with appId ${appId} in the directory`]);
      }
      return {
        ref: { appId },
        name: app?.displayName ?? sp?.displayName ?? appId,
        roles: fileSpec && app ? desiredAppRoles(fileSpec, app) : (sp?.appRoles ?? app?.appRoles ?? []),
        servicePrincipalId: sp?.id,
        hasServicePrincipal: sp !== undefined || fileSpec?.servicePrincipal === true,
      };
    }
    const fileSpec = this.specs.get(permission.api);
    const app = this.application(permission.api, `${where}.api`);
    if (fileSpec) {
      const sp = app ? this.servicePrincipalOf(app.appId) : undefined;
      return {
        ref: app ? { appId: app.appId } : { displayName: fileSpec.displayName },
        name: fileSpec.displayName,
        roles: desiredAppRoles(fileSpec, app),
        servicePrincipalId: sp?.id,
        hasServicePrincipal: sp !== undefined || fileSpec.servicePrincipal,
      };
    }
    if (!app) {
      // Built-in resources (Microsoft Graph) have a service principal but no listed application.
      const principals = this.state.servicePrincipals.filter((sp) => sp.displayName === permission.api);
      const [principal] = principals;
      if (principals.length === 1 && principal) {
        return {
          ref: { appId: principal.appId },
          name: principal.displayName,
          roles: principal.appRoles,
          servicePrincipalId: principal.id,
          hasServicePrincipal: true,
        };
      }
      throw new PlanError([
        `${where}.api: '${permission.api}' is neither an appId nor an application in the file or the directory`,
      ]);
    }
    const sp = this.servicePrincipalOf(app.appId);
    return {
      ref: { appId: app.appId },
      name: app.displayName,
      roles: sp?.appRoles ?? app.appRoles,
      servicePrincipalId: sp?.id,
      hasServicePrincipal: sp !== undefined,
    };
  }

  /** Role values or ids to role ids of the resolved API. */
  roleIds(api: ResolvedApi, roles: readonly string[], where: string): Array<{ id: string; value: string }> {
    const problems: string[] = [];
    const resolved = roles.flatMap((role) => {
      const found =
        api.roles.find((candidate) => candidate.value === role) ??
        (isGuid(role) ? api.roles.find((candidate) => candidate.id === role.toLowerCase()) : undefined);
      if (!found) {
        const known = api.roles.map((candidate) => candidate.value).join(', ') || 'none';
        problems.push(`${where}.roles: '${role}' is not an app role of ${api.name} (its roles: ${known})`);
        return [];
      }
      return [{ id: found.id, value: found.value }];
    });
    if (problems.length > 0) throw new PlanError(problems);
    return resolved;
  }
}
