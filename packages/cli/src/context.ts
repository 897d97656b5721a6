/**
 * What directory commands act on: the store named by the configuration (data directory or
 * CREDLESS_DATABASE_URL) and one tenant (by id or domain, else the default tenant).
 * @module
 */
import { stat } from 'node:fs/promises';
import { CredlessError } from '@credless/core';
import type { DirectoryStore } from '@credless/server';

export interface DirectoryContext {
  store: DirectoryStore;
  tenantId: string;
  /** The data directory the store was opened from (its key-encryption key lives there). */
  dataDir?: string;
}

export interface StoreOptions {
  dataDir?: string;
  databaseUrl?: string;
  tenant?: string;
}

/**
 * A command that reads the data directory never creates it: a missing one is the catalogue's
 * data_directory_missing (exit 3), naming the path, and a file in its place data_directory_not_directory.
 */
export async function requireDataDirectory(dataDir: string): Promise<void> {
  const found = await stat(dataDir).catch(() => undefined);
  if (!found) throw new CredlessError('data_directory_missing', { dir: dataDir });
  if (!found.isDirectory()) throw new CredlessError('data_directory_not_directory', { dir: dataDir });
}

/** `readOnly`: the command only reads, so a missing data directory is an error, not a new store. */
export async function openDirectoryContext(
  options: StoreOptions,
  { readOnly = false } = {},
): Promise<DirectoryContext & { close(): Promise<void> }> {
  // Loaded here, not at the top: the server package is most of a command's start-up time (lazy CLI).
  const { ensureDefaultTenant, loadStorageConfig, openDirectoryStore } = await import('@credless/server');
  const config = loadStorageConfig(process.env, {
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
  });
  if (readOnly && !config.databaseUrl) await requireDataDirectory(config.dataDir);
  const store = await openDirectoryStore({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    ficLimitPerApp: config.ficLimitPerApp,
  });
  try {
    await store.migrate();
    let tenantId: string;
    if (options.tenant) {
      const tenant = await store.findTenant(options.tenant);
      if (!tenant) throw new CredlessError('not_found', { id: options.tenant });
      tenantId = tenant.id;
    } else {
      tenantId = await ensureDefaultTenant(store, config.defaultTenant);
    }
    return { store, tenantId, dataDir: config.dataDir, close: () => store.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Runs `run` against the opened directory and closes it, whatever happens. */
export async function withDirectoryContext<T>(
  options: StoreOptions,
  readOnly: boolean,
  run: (ctx: DirectoryContext) => Promise<T>,
): Promise<T> {
  const ctx = await openDirectoryContext(options, { readOnly });
  try {
    return await run(ctx);
  } finally {
    await ctx.close();
  }
}
