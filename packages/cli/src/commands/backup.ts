/**
 * `credless backup <file>` / `credless restore <file>`: the embedded store's online backup and its
 * restore into a data directory (see @credless/server's store/backup.ts for what a backup holds and
 * how the key-encryption key travels). PostgreSQL is backed up with its own tools.
 * @module
 */
import type { BackupSummary, RestoreSummary } from '@credless/server';
import { requireDataDirectory } from '../context.ts';
import { UsageError } from '../exit-codes.ts';

export interface BackupCommandOptions {
  dataDir?: string;
  databaseUrl?: string;
  force?: boolean;
  includeKek?: boolean;
}

export type RestoreCommandOptions = Omit<BackupCommandOptions, 'includeKek'>;

export const POSTGRES_BACKUP_HINT =
  'credless backup and restore cover the embedded SQLite store. A PostgreSQL store is backed up with ' +
  'PostgreSQL\'s tools: pg_dump --format=custom --file credless.dump "$CREDLESS_DATABASE_URL", restored with ' +
  'pg_restore --clean --if-exists --dbname "$CREDLESS_DATABASE_URL" credless.dump (with ?schema=<name> in ' +
  'the URL, drop it and pass --schema <name> to pg_dump). Keep the key-encryption ' +
  'key (CREDLESS_KEK) with it: the signing keys in the dump are encrypted under it.';

async function resolve(options: BackupCommandOptions) {
  const server = await import('@credless/server');
  const config = server.loadStorageConfig(process.env, {
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
  });
  if (config.databaseUrl) throw new UsageError(POSTGRES_BACKUP_HINT);
  return { server, dataDir: config.dataDir, kekEnv: config.kek };
}

export async function backupCommand(
  file: string,
  options: BackupCommandOptions = {},
): Promise<BackupSummary> {
  const { server, dataDir, kekEnv } = await resolve(options);
  // Reading a data directory that is not there says so, by name (not a missing store file inside it).
  await requireDataDirectory(dataDir);
  // A refusal is a BackupError: its catalogue code (backup_not_found, …) gives the exit code.
  return server.backupEmbeddedStore({
    dataDir,
    file,
    kekEnv,
    ...(options.force ? { force: true } : {}),
    ...(options.includeKek ? { includeKek: true } : {}),
  });
}

export async function restoreCommand(
  file: string,
  options: RestoreCommandOptions = {},
): Promise<RestoreSummary> {
  const { server, dataDir, kekEnv } = await resolve(options);
  return server.restoreEmbeddedStore({ file, dataDir, kekEnv, ...(options.force ? { force: true } : {}) });
}
