import type { ServerConfig } from '../config.ts';
import type { DirectoryStore } from '../store/directory-store.ts';

/** The tenant used when none is named: the configured default domain, created on first use. */
export async function ensureDefaultTenant(
  store: DirectoryStore,
  defaults: ServerConfig['defaultTenant'],
): Promise<string> {
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
