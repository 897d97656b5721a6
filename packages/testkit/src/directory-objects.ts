/**
 * Directory objects a test needs as a given (not as its subject), written to a test credless's store
 * with the same normalisation the Graph API applies. What the CLI's `ad` commands do on top (idempotent
 * re-runs, name lookups, exit codes) is tested with the CLI; server tests need none of it.
 * @module
 */
import {
  type Application,
  type AppRoleAssignment,
  type FederatedIdentityCredential,
  GRAPH_APP_ROLES,
  normalizeFederatedIdentityCredential,
  type ServicePrincipal,
} from '@credless/core';
import type { DirectoryStore } from '@credless/server';

/** Where the objects go: a test credless (or a replica) and one of its tenants. */
export interface DirectoryTarget {
  store: DirectoryStore;
  tenantId: string;
}

/** The application with this appId or object id; a test that names a missing one is wrong. */
export async function applicationOf(target: DirectoryTarget, id: string): Promise<Application> {
  const { store, tenantId } = target;
  const found =
    (await store.getApplicationByAppId(tenantId, id)) ?? (await store.getApplication(tenantId, id));
  if (!found) throw new Error(`test setup: no application ${id} in tenant ${tenantId}`);
  return found;
}

/** The application's service principal, created when it has none. */
export async function servicePrincipalOf(target: DirectoryTarget, appId: string): Promise<ServicePrincipal> {
  const { store, tenantId } = target;
  return (
    (await store.getServicePrincipalByAppId(tenantId, appId)) ??
    (await store.createServicePrincipal(tenantId, { appId }))
  );
}

/** A federated credential from az-style parameters (`name`, `issuer`, `subject`, …) on the app `appId`. */
export async function addFederatedCredential(
  target: DirectoryTarget,
  appId: string,
  parameters: Record<string, unknown>,
): Promise<FederatedIdentityCredential> {
  const application = await applicationOf(target, appId);
  return target.store.createFederatedIdentityCredential(
    target.tenantId,
    application.id,
    normalizeFederatedIdentityCredential(parameters),
  );
}

export async function removeFederatedCredential(
  target: DirectoryTarget,
  appId: string,
  name: string,
): Promise<void> {
  const application = await applicationOf(target, appId);
  await target.store.deleteFederatedIdentityCredential(target.tenantId, application.id, name);
}

/**
 * `ad app permission add` and `admin-consent` in one: the client requests the resource's application
 * role and is granted it (both service principals are created when missing).
 */
export async function grantAppRole(
  target: DirectoryTarget,
  grant: { clientAppId: string; resourceAppId: string; appRoleId: string },
): Promise<AppRoleAssignment> {
  const { store, tenantId } = target;
  const client = await applicationOf(target, grant.clientAppId);
  const others = client.requiredResourceAccess.filter((entry) => entry.resourceAppId !== grant.resourceAppId);
  const current = client.requiredResourceAccess.find((entry) => entry.resourceAppId === grant.resourceAppId);
  const resourceAccess = [...(current?.resourceAccess ?? [])];
  if (!resourceAccess.some((access) => access.id === grant.appRoleId))
    resourceAccess.push({ id: grant.appRoleId, type: 'Role' });
  await store.updateApplication(tenantId, client.id, {
    requiredResourceAccess: [...others, { resourceAppId: grant.resourceAppId, resourceAccess }],
  });
  const principal = await servicePrincipalOf(target, grant.clientAppId);
  const resource = await servicePrincipalOf(target, grant.resourceAppId);
  return store.createAppRoleAssignment(tenantId, {
    principalId: principal.id,
    resourceId: resource.id,
    appRoleId: grant.appRoleId,
  });
}

/** The id of a Microsoft Graph application role, by value (e.g. 'User.Read.All'). */
export function graphRoleId(value: string): string {
  const role = GRAPH_APP_ROLES.find((candidate) => candidate.value === value);
  if (!role) throw new Error(`test setup: unknown Graph role ${value}`);
  return role.id;
}
