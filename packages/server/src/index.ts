/**
 * @credless/server: the token service (HTTP app, store, keys, TLS) and its start-up.
 * @module
 */

export type { ConfigOverrides, ServerConfig } from './config.ts';
export { ConfigError, loadConfig } from './config.ts';
export { ensureDefaultTenant } from './directory/default-tenant.ts';
export type { RunningCredless, StartOptions } from './main.ts';
export { createLogger, startCredless } from './main.ts';
export type { DirectoryStore } from './store/directory-store.ts';
export { openDirectoryStore } from './store/kysely-directory-store.ts';
