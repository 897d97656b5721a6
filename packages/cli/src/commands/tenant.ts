/** `credless tenant create|list|show|secret-policy`: tenants (organizations) of this credless. */
import {
  type ClientSecretMode,
  type ClientSecretPolicy,
  CredlessError,
  DEFAULT_CLIENT_SECRET_POLICY,
  type Tenant,
} from '@credless/core';
import type { DirectoryStore } from '@credless/server';

export const createTenant = (
  store: DirectoryStore,
  options: { domain: string; displayName: string },
): Promise<Tenant> => store.createTenant({ defaultDomain: options.domain, displayName: options.displayName });

export const listTenants = (store: DirectoryStore): Promise<Tenant[]> => store.listTenants();

export async function showTenant(store: DirectoryStore, idOrDomain: string): Promise<Tenant> {
  const tenant = await store.findTenant(idOrDomain);
  if (!tenant) throw new CredlessError('not_found', { id: idOrDomain });
  return tenant;
}

export interface SecretPolicyOptions {
  id: string;
  mode?: string;
  /** Seconds, as typed. */
  maxLifetime?: string;
  reset?: boolean;
}

/**
 * Shows or changes the tenant's client secret policy (deny | audit | allow, maximum lifetime); the
 * store checks the values. `--reset` returns to the default (audit, one day).
 */
export async function secretPolicy(
  store: DirectoryStore,
  options: SecretPolicyOptions,
): Promise<{ tenantId: string; clientSecretPolicy: ClientSecretPolicy }> {
  const tenant = await showTenant(store, options.id);
  const current = tenant.clientSecretPolicy ?? DEFAULT_CLIENT_SECRET_POLICY;
  if (options.reset) {
    await store.updateClientSecretPolicy(tenant.id, null);
  } else if (options.mode !== undefined || options.maxLifetime !== undefined) {
    await store.updateClientSecretPolicy(tenant.id, {
      mode: (options.mode ?? current.mode) as ClientSecretMode,
      maxLifetimeSeconds:
        options.maxLifetime === undefined ? current.maxLifetimeSeconds : Number(options.maxLifetime),
    });
  }
  const after = await showTenant(store, tenant.id);
  return {
    tenantId: tenant.id,
    clientSecretPolicy: after.clientSecretPolicy ?? DEFAULT_CLIENT_SECRET_POLICY,
  };
}
