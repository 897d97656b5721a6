import type { ServerConfig } from '../config.ts';
import type { DirectoryStore } from '../store/directory-store.ts';
import { ensureTenantResourceApplications } from './built-in-resources.ts';

/**
 * The tenant used when none is named: the configured default domain, created on first use. Run at
 * start, it also gives tenants made by an older credless the resources new tenants have.
 */
export async function ensureDefaultTenant(
  store: DirectoryStore,
  defaults: ServerConfig['defaultTenant'],
): Promise<string> {
  await ensureTenantResourceApplications(store);
  const existing = await store.findTenant(defaults.domain);
  if (existing) return existing.id;
  const [first] = await store.listTenants();
  if (first) return first.id;
  try {
    const created = await store.createTenant({
      defaultDomain: defaults.domain,
      displayName: defaults.displayName,
    });
    return created.id;
  } catch (error) {
    // Another replica starting on the same empty database created it first.
    const raced = await store.findTenant(defaults.domain);
    if (raced) return raced.id;
    throw error;
  }
}
