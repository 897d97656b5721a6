/**
 * Permissions on an open store: `addPermission` records application permissions on the client app
 * (requiredResourceAccess, which by itself grants nothing), and `admin-consent` grants them: one app role
 * assignment per requested role, which is what puts `roles` in access tokens.
 * Store-level helpers kept for tests and library callers only (exported by @credless/cli): the
 * `credless ad …` commands themselves go through the Graph client (commands/az), online or in-process.
 * @module
 */
import {
  type Application,
  type AppRoleAssignment,
  CredlessError,
  type RequiredResourceAccess,
} from '@credless/core';
import { type DirectoryContext, resolveApplication } from '../../context.ts';
import { parsePermissionEntry } from '../az/graph-credentials.ts';

export interface AddPermissionOptions {
  /** The client application (appId or object id). */
  id: string;
  /** The resource application's appId, e.g. 00000003-0000-0000-c000-000000000000 for Graph. */
  api: string;
  /** `<appRoleId>=Role` entries (delegated `=Scope` permissions do not apply to workloads). */
  apiPermissions: string[];
}

export async function addPermission(
  ctx: DirectoryContext,
  options: AddPermissionOptions,
): Promise<Application> {
  const client = await resolveApplication(ctx, options.id);
  const resource = await ctx.store.getApplicationByAppId(ctx.tenantId, options.api);
  if (!resource) throw new CredlessError('not_found', { id: options.api });
  const requested = options.apiPermissions.map(parsePermissionEntry);
  for (const permission of requested) {
    if (!resource.appRoles.some((role) => role.id === permission.id)) {
      throw new CredlessError('invalid_value', {
        field: 'api-permissions',
        reason: `'${permission.id}' is not an app role of ${resource.displayName} (${resource.appId})`,
      });
    }
  }
  const others = client.requiredResourceAccess.filter((entry) => entry.resourceAppId !== resource.appId);
  const current = client.requiredResourceAccess.find((entry) => entry.resourceAppId === resource.appId);
  const merged: RequiredResourceAccess = {
    resourceAppId: resource.appId,
    resourceAccess: [...(current?.resourceAccess ?? [])],
  };
  for (const permission of requested) {
    if (
      !merged.resourceAccess.some((entry) => entry.id === permission.id && entry.type === permission.type)
    ) {
      merged.resourceAccess.push(permission);
    }
  }
  return ctx.store.updateApplication(ctx.tenantId, client.id, {
    requiredResourceAccess: [...others, merged],
  });
}

/**
 * Grants every application permission the app requests (only those of the API `api` when given);
 * running it again grants nothing new.
 */
export async function adminConsent(
  ctx: DirectoryContext,
  id: string,
  api?: string,
): Promise<AppRoleAssignment[]> {
  const client = await resolveApplication(ctx, id);
  const principal = await ctx.store.getServicePrincipalByAppId(ctx.tenantId, client.appId);
  if (!principal) {
    throw new CredlessError('not_found', {
      id: `service principal for ${client.appId} (create it first: credless ad sp create --id ${client.appId})`,
    });
  }
  const granted: AppRoleAssignment[] = [];
  const entries = client.requiredResourceAccess.filter(
    (entry) => api === undefined || entry.resourceAppId === api.toLowerCase(),
  );
  if (api !== undefined && entries.length === 0) {
    throw new CredlessError('not_found', { id: `requested permissions of ${api} on ${client.appId}` });
  }
  for (const entry of entries) {
    const resource = await ctx.store.getServicePrincipalByAppId(ctx.tenantId, entry.resourceAppId);
    if (!resource)
      throw new CredlessError('not_found', { id: `service principal for ${entry.resourceAppId}` });
    for (const access of entry.resourceAccess.filter((item) => item.type === 'Role')) {
      granted.push(
        await ctx.store.createAppRoleAssignment(ctx.tenantId, {
          principalId: principal.id,
          resourceId: resource.id,
          appRoleId: access.id,
        }),
      );
    }
  }
  return granted;
}
