/**
 * Makes sure a tenant has a built-in resource application and its service principal: for tenants
 * created before a resource was pre-registered, and for resources added on demand (AKS server).
 * @module
 */
import { CredlessError } from '@credless/core';
import { type BuiltInApplication, TENANT_RESOURCE_APPLICATIONS } from '../store/built-in-applications.ts';
import type { DirectoryStore } from '../store/directory-store.ts';

export type BuiltInResourceStore = Pick<
  DirectoryStore,
  'getApplicationByAppId' | 'createApplication' | 'getServicePrincipalByAppId' | 'createServicePrincipal'
>;

const isDuplicate = (error: unknown) => error instanceof CredlessError && error.code === 'duplicate_value';

/** Idempotent and race-safe: another replica creating the same rows first is not an error. */
export async function ensureBuiltInApplication(
  store: BuiltInResourceStore,
  tenantId: string,
  application: BuiltInApplication,
): Promise<void> {
  if (!(await store.getApplicationByAppId(tenantId, application.appId))) {
    try {
      await store.createApplication(tenantId, application);
    } catch (error) {
      if (!isDuplicate(error)) throw error;
    }
  }
  if (!(await store.getServicePrincipalByAppId(tenantId, application.appId))) {
    try {
      await store.createServicePrincipal(tenantId, { appId: application.appId });
    } catch (error) {
      if (!isDuplicate(error)) throw error;
    }
  }
}

/** Gives every existing tenant the resources new tenants are created with (run at start). */
export async function ensureTenantResourceApplications(
  store: BuiltInResourceStore & Pick<DirectoryStore, 'listTenants'>,
): Promise<void> {
  for (const tenant of await store.listTenants()) {
    for (const application of TENANT_RESOURCE_APPLICATIONS) {
      await ensureBuiltInApplication(store, tenant.id, application);
    }
  }
}
