/**
 * Start-up stages around the directory store: opening it (data directory, lock, migrations) with the
 * token path's cache in front, and following changes other processes make.
 * @module
 */
import type { Logger } from '@credless/common';
import type { ServerConfig } from '../config.ts';
import { lockDataDirectory } from '../data-directory/data-directory-lock.ts';
import { ensurePrivateDataDirectory } from '../data-directory/private-data-directory.ts';
import { CachedTokenDirectory } from '../directory/cached-token-directory.ts';
import { startDirectoryChangeFeed } from '../store/change-feed.ts';
import type { DirectoryStore } from '../store/directory-store.ts';
import { openDirectoryStore } from '../store/kysely-directory-store.ts';
import { isTransientStoreError } from '../store/sql-errors.ts';
import type { Opened } from './closers.ts';

/** With NOTIFY active the version poll is only a safety net: 10 × directoryPollMs (default 5 s). */
const NOTIFY_POLL_SLOWDOWN = 10;

export interface StageContext {
  logger: Logger;
  now: () => number;
}

export interface Storage {
  /** The same store as `store`, kept for the start-up code that still names it (to be dropped). */
  rawStore: DirectoryStore;
  /** Its committed directory writes invalidate the token path's caches at once (sign-in records do not). */
  store: DirectoryStore;
  directory: CachedTokenDirectory;
}

/**
 * `asWorker`: a worker process of `credless up --workers` (start/workers.ts) opens the store its primary
 * has locked and migrated, so it neither locks nor migrates.
 */
export async function openStorage(
  config: ServerConfig,
  { logger, now }: StageContext,
  { asWorker = false }: { asWorker?: boolean } = {},
): Promise<Opened<Storage>> {
  const warn = (message: string) => logger.warn(message);
  await ensurePrivateDataDirectory(config.dataDir, { log: warn });
  // Replicas share PostgreSQL, not a directory: only an embedded store belongs to one server process.
  const lock =
    config.databaseUrl || asWorker ? undefined : await lockDataDirectory(config.dataDir, { log: warn });
  const store = await openDirectoryStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    ficLimitPerApp: config.ficLimitPerApp,
    now,
    onConnectionError: (error) =>
      logger.warn({ err: error }, 'database connection lost; reconnecting on next use'),
    onChangeListenerError: (error) =>
      logger.warn(
        { err: error },
        'a committed write could not be announced; replicas see it at their next poll',
      ),
  }).catch(async (error: unknown) => {
    await lock?.release();
    throw error;
  });
  // Last resort for static stability: a database call whose rejection nobody awaited (while the database
  // is down) must not take a replica down. Anything else still ends the process, as Node would.
  const onUnhandledRejection = (reason: unknown) => {
    if (!isTransientStoreError(reason)) throw reason;
    logger.warn({ err: reason }, 'unawaited database call failed while the database is unreachable');
  };
  process.on('unhandledRejection', onUnhandledRejection);
  const close = async () => {
    process.off('unhandledRejection', onUnhandledRejection);
    await store.close();
    await lock?.release();
  };
  try {
    if (!asWorker) await store.migrate();
  } catch (error) {
    await close();
    throw error;
  }
  const directory = new CachedTokenDirectory(store, { maxStalenessMs: config.directoryMaxStalenessMs, now });
  // Lives as long as the store: closing the store ends the subscription with it.
  directory.followWrites(store);
  return { value: { rawStore: store, store, directory }, close };
}

/**
 * Polls the store's version; with PostgreSQL, other replicas' writes also arrive by NOTIFY, the poll
 * then a slower safety net that goes back to full speed while the listening connection is down.
 */
export async function followDirectoryChanges(
  config: ServerConfig,
  directory: CachedTokenDirectory,
  { logger }: StageContext,
): Promise<Opened<void>> {
  const onPollError = (error: unknown) => logger.warn({ err: error }, 'directory poll failed');
  directory.startPolling(config.directoryPollMs, onPollError);
  const stopPolling = () => directory.stopPolling();
  if (!config.databaseUrl) return { value: undefined, close: stopPolling };
  const changeFeed = await startDirectoryChangeFeed({
    databaseUrl: config.databaseUrl,
    onChange: (version) => directory.changed(version),
    onListeningChange: (listening) => {
      if (!listening) logger.warn('directory change feed disconnected; polling until it reconnects');
      const pollMs = listening ? config.directoryPollMs * NOTIFY_POLL_SLOWDOWN : config.directoryPollMs;
      directory.startPolling(pollMs, onPollError);
    },
    onError: (error) => logger.warn({ err: error }, 'directory change feed error'),
  }).catch((error: unknown) => {
    stopPolling();
    throw error;
  });
  return {
    value: undefined,
    close: async () => {
      await changeFeed.stop();
      stopPolling();
    },
  };
}
