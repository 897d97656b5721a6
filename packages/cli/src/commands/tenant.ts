/** `credless tenant create|list|show`: tenants (organizations) of this credless. */
import { CredlessError, type Tenant } from '@credless/core';
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
