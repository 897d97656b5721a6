/**
 * Start-up stages that make the directory able to issue: the default tenant and local administrator,
 * then every tenant's signing keys, kept rotating by a timer.
 * @module
 */
import { type AdminIdentityFile, ensureAdminIdentity, readAdminIdentity } from '../admin/admin-identity.ts';
import type { ServerConfig } from '../config.ts';
import type { CachedTokenDirectory } from '../directory/cached-token-directory.ts';
import { ensureDefaultTenant } from '../directory/default-tenant.ts';
import { loadKeyEncryptionKey } from '../keys/key-encryption-key.ts';
import { checkKeyEncryptionKey } from '../keys/key-encryption-key-check.ts';
import { SigningKeyManager } from '../keys/signing-key-manager.ts';
import type { DirectoryStore } from '../store/directory-store.ts';
import type { Opened } from './closers.ts';
import type { StageContext } from './storage-stage.ts';

const KEY_MAINTENANCE_INTERVAL_MS = 60_000;

export interface Bootstrapped {
  defaultTenantId: string;
  /** Absent when the administrator bootstrap is off. */
  admin: AdminIdentityFile | undefined;
}

export async function bootstrapDirectory(
  config: ServerConfig,
  store: DirectoryStore,
  { logger, now }: StageContext,
): Promise<Bootstrapped> {
  const defaultTenantId = await ensureDefaultTenant(store, config.defaultTenant);
  const admin = config.adminBootstrap
    ? await ensureAdminIdentity(store, { dataDir: config.dataDir, tenantId: defaultTenantId, now })
    : undefined;
  if (admin?.created) logger.info(`created the administrator identity ${admin.identity.clientId}`);
  return { defaultTenantId, admin: admin?.identity };
}

/**
 * A worker's view of what its primary bootstrapped (start/workers.ts): read only, since every start-up
 * write would be a directory change that empties every process's caches.
 */
export async function readBootstrapped(config: ServerConfig, store: DirectoryStore): Promise<Bootstrapped> {
  const tenant = (await store.findTenant(config.defaultTenant.domain)) ?? (await store.listTenants())[0];
  if (!tenant) throw new Error('a worker started before its primary created the default tenant');
  const found = config.adminBootstrap ? await readAdminIdentity(config.dataDir) : undefined;
  if (!found) return { defaultTenantId: tenant.id, admin: undefined };
  const { privateKeyPem: _secret, ...admin } = found;
  return { defaultTenantId: tenant.id, admin };
}

/** The signing keys of every tenant in `store`, with the configured lifecycle (server and in-process API). */
export function signingKeyManagerFor(
  config: ServerConfig,
  store: DirectoryStore,
  kek: Uint8Array,
  now: () => number,
): SigningKeyManager {
  return new SigningKeyManager({
    store,
    kek,
    now,
    rotationPeriodMs: config.signingKeys.rotationPeriodMs,
    prepublishPeriodMs: config.signingKeys.prepublishPeriodMs,
    retentionAfterRetireMs: config.signingKeys.retentionAfterRetireMs,
    maxTokenLifetimeMs: config.tokenLifetimeSeconds.max * 1000,
  });
}

export interface SigningKeys {
  keys: SigningKeyManager;
  kek: Uint8Array;
}

export async function startSigningKeys(
  config: ServerConfig,
  { store, directory }: { store: DirectoryStore; directory: CachedTokenDirectory },
  defaultTenantId: string,
  { logger, now }: StageContext,
  /** false in a worker of `credless up --workers`: its primary creates and rotates the keys. */
  { maintain = true }: { maintain?: boolean } = {},
): Promise<Opened<SigningKeys>> {
  const kek = await loadKeyEncryptionKey({ dataDir: config.dataDir, env: config.kek });
  const keys = signingKeyManagerFor(config, store, kek, now);
  directory.onInvalidate(() => keys.invalidate());
  if (!maintain) return { value: { keys, kek } };
  const maintainKeys = async () => {
    for (const tenant of await store.listTenants()) await keys.ensureKeys(tenant.id);
  };
  await maintainKeys();
  const kekFromEnv = (config.kek?.trim() ?? '') !== '';
  await checkKeyEncryptionKey({ keys, tenantId: defaultTenantId, kekFromEnv, dataDir: config.dataDir });
  const timer = setInterval(() => {
    maintainKeys().catch((error) => logger.error({ err: error }, 'signing key maintenance failed'));
  }, KEY_MAINTENANCE_INTERVAL_MS);
  timer.unref();
  return { value: { keys, kek }, close: () => clearInterval(timer) };
}
