/**
 * API permissions as the portal shows them — each requested permission with its resource, name and
 * whether admin consent granted it — and "Grant admin consent": one app role assignment per requested
 * application permission not yet granted, through Graph's public API (what
 * `credless ad app permission admin-consent` does), creating the client's service principal if needed.
 * @module
 */
import { ApiError, api, list, odataString } from '../../api/client.ts';
import type { Application, AppRoleAssignment, ServicePrincipal } from '../../api/types.ts';

export interface PermissionRow {
  resourceAppId: string;
  resourceName: string;
  resourceId: string | undefined;
  permissionId: string;
  permission: string;
  description: string;
  type: 'Role' | 'Scope';
  granted: boolean;
}

/** A service principal by appId, or undefined when none exists. */
export async function principalByAppId(
  appId: string,
  signal?: AbortSignal,
): Promise<ServicePrincipal | undefined> {
  const found = await list<ServicePrincipal>(
    `/v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq ${odataString(appId)}`)}`,
    signal,
  );
  return found[0];
}

export async function loadPermissions(
  application: Application,
  signal?: AbortSignal,
): Promise<PermissionRow[]> {
  const client = await principalByAppId(application.appId, signal);
  const assignments = client
    ? await list<AppRoleAssignment>(`/v1.0/servicePrincipals/${client.id}/appRoleAssignments`, signal)
    : [];
  const rows: PermissionRow[] = [];
  for (const required of application.requiredResourceAccess) {
    const resource = await principalByAppId(required.resourceAppId, signal);
    for (const access of required.resourceAccess) {
      const role = resource?.appRoles.find((candidate) => candidate.id === access.id);
      rows.push({
        resourceAppId: required.resourceAppId,
        resourceName: resource?.displayName ?? required.resourceAppId,
        resourceId: resource?.id,
        permissionId: access.id,
        permission: role?.value ?? access.id,
        description: role?.displayName ?? '',
        type: access.type,
        granted: assignments.some(
          (assignment) => assignment.resourceId === resource?.id && assignment.appRoleId === access.id,
        ),
      });
    }
  }
  return rows;
}

/** Grants every requested application permission not yet granted; returns how many it granted. */
export async function grantAdminConsent(application: Application, rows: PermissionRow[]): Promise<number> {
  const missing = rows.filter((row) => row.type === 'Role' && !row.granted && row.resourceId);
  if (missing.length === 0) return 0;
  let client = await principalByAppId(application.appId);
  if (!client) {
    client = await api<ServicePrincipal>('/v1.0/servicePrincipals', {
      method: 'POST',
      body: { appId: application.appId },
    });
  }
  for (const row of missing) {
    await api(`/v1.0/servicePrincipals/${row.resourceId}/appRoleAssignedTo`, {
      method: 'POST',
      body: { principalId: client.id, resourceId: row.resourceId, appRoleId: row.permissionId },
    });
  }
  return missing.length;
}

/** requiredResourceAccess with one application permission added (or removed). */
export function withPermission(
  application: Application,
  resourceAppId: string,
  roleId: string,
  present: boolean,
): Application['requiredResourceAccess'] {
  const others = application.requiredResourceAccess.filter((entry) => entry.resourceAppId !== resourceAppId);
  const current =
    application.requiredResourceAccess.find((entry) => entry.resourceAppId === resourceAppId)
      ?.resourceAccess ?? [];
  const kept = current.filter((access) => access.id !== roleId);
  const next = present ? [...kept, { id: roleId, type: 'Role' as const }] : kept;
  return next.length > 0 ? [...others, { resourceAppId, resourceAccess: next }] : others;
}

export const isNotFound = (error: unknown) => error instanceof ApiError && error.status === 404;
