/**
 * Backup and restore of the embedded (SQLite) store.
 *
 * A backup is one SQLite file taken with SQLite's online backup API, so a running server keeps serving
 * while it is made. The signing keys in it are encrypted under the key-encryption key (KEK), which is
 * not in the database: the operator keeps the KEK (`CREDLESS_KEK` or the data directory's `kek` file),
 * or asks for it to be written beside the backup as `<file>.kek` — that pair then holds every secret.
 *
 * A restore checks before it writes anything that the KEK the restored server will use opens every
 * signing key in the backup (a wrong KEK would otherwise start a server that cannot sign), and refuses a
 * data directory a running server holds. The administrator's private key and the local CA are files of
 * the data directory, not of the store: a restored server creates new ones.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CredlessError, type ErrorCode } from '@credless/core';
import Sqlite from 'better-sqlite3';
import { lockDataDirectory } from '../data-directory/data-directory-lock.ts';
import { ensurePrivateDataDirectory } from '../data-directory/private-data-directory.ts';
import {
  decryptPrivateJwk,
  KeyEncryptionKeyMismatchError,
  loadKeyEncryptionKey,
} from '../keys/key-encryption-key.ts';
import { SQLITE_FILE_NAME } from './database.ts';
import type { SigningKeysTable } from './schema.ts';

export const KEK_FILE_NAME = 'kek';
/** Where `--include-kek` puts the KEK: beside the backup, never inside it. */
export const backupKekPath = (file: string) => `${file}.kek`;

export type BackupErrorReason =
  /** The backup file or the store to back up does not exist. */
  | 'not-found'
  /** The target exists (use `force`), or a running server holds the data directory. */
  | 'conflict'
  /** The file is not a credless store, or no KEK is available. */
  | 'invalid'
  /** The KEK does not open the backup's signing keys. */
  | 'key-mismatch';

const BACKUP_CODES = {
  'not-found': 'backup_not_found',
  conflict: 'backup_conflict',
  invalid: 'backup_invalid',
  'key-mismatch': 'backup_key_mismatch',
} as const satisfies Record<BackupErrorReason, ErrorCode>;

/** Its catalogue code (backup_not_found, …) gives the CLI's exit code. */
export class BackupError extends CredlessError {
  override readonly name = 'BackupError';
  readonly reason: BackupErrorReason;
  constructor(reason: BackupErrorReason, message: string, options?: { cause?: unknown }) {
    super(BACKUP_CODES[reason], { reason: message }, options);
    this.reason = reason;
  }
}

export interface BackupOptions {
  dataDir: string;
  file: string;
  /** Replace an existing backup file. */
  force?: boolean;
  /** Also write the KEK to `<file>.kek` (0600). */
  includeKek?: boolean;
  /** `CREDLESS_KEK`, if set (it takes precedence over the kek file, as in the server). */
  kekEnv?: string | undefined;
}

export interface BackupSummary {
  file: string;
  bytes: number;
  tenants: number;
  applications: number;
  signingKeys: number;
  /** Set when the KEK was written beside the backup. */
  kekFile?: string;
}

export interface RestoreOptions {
  file: string;
  dataDir: string;
  /** Replace the data directory's existing store. */
  force?: boolean;
  kekEnv?: string | undefined;
}

export interface RestoreSummary extends Omit<BackupSummary, 'kekFile' | 'bytes'> {
  /** The data directory restored into (`file` is the backup restored from). */
  dataDir: string;
  /** Where the KEK that opened the signing keys came from. */
  kekSource: 'CREDLESS_KEK' | 'kek file' | 'backup kek file';
}

const temporaryPath = (file: string) => join(dirname(file), `.${randomBytes(6).toString('hex')}.tmp`);

/** Creates `path` empty and owner-only, so what SQLite or a copy writes into it is never readable by others. */
async function createPrivateFile(path: string): Promise<void> {
  await (await open(path, 'wx', 0o600)).close();
}

function openReadOnly(file: string): Sqlite.Database {
  try {
    return new Sqlite(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new BackupError('not-found', `cannot open ${file}: ${(error as Error).message}`, { cause: error });
  }
}

type KeyRow = Pick<SigningKeysTable, 'tenant_id' | 'kid' | 'encrypted_private_key'>;

/** Counts what a store holds; throws `invalid` when the file is not a sound credless store. */
function inspectStore(
  database: Sqlite.Database,
  file: string,
): { summary: Omit<BackupSummary, 'file' | 'bytes'>; keys: KeyRow[] } {
  try {
    const integrity = database.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new Error(`integrity check: ${String(integrity)}`);
    const count = (table: string) =>
      (database.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    const keys = database
      .prepare('select tenant_id, kid, encrypted_private_key from signing_keys')
      .all() as KeyRow[];
    return {
      summary: { tenants: count('tenants'), applications: count('applications'), signingKeys: keys.length },
      keys,
    };
  } catch (error) {
    throw new BackupError('invalid', `${file} is not a credless store: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Takes an online backup of `<dataDir>/credless.db` into `file` (written whole or not at all). */
export async function backupEmbeddedStore(options: BackupOptions): Promise<BackupSummary> {
  const source = join(options.dataDir, SQLITE_FILE_NAME);
  if (!existsSync(source)) {
    throw new BackupError('not-found', `no embedded store to back up: ${source} does not exist`);
  }
  if (!options.force && existsSync(options.file)) {
    throw new BackupError(
      'conflict',
      `${options.file} exists; choose another file or replace it with --force`,
    );
  }
  // Read before anything is written: a missing KEK file must fail here, not leave half a backup.
  const kek = options.includeKek ? await readExistingKek(options.dataDir, options.kekEnv) : undefined;
  const temp = temporaryPath(options.file);
  await createPrivateFile(temp);
  try {
    const database = openReadOnly(source);
    try {
      await database.backup(temp);
    } finally {
      database.close();
    }
    const copy = new Sqlite(temp);
    let inspected: ReturnType<typeof inspectStore>;
    try {
      // One self-contained file: no -wal beside it to forget when copying the backup away.
      copy.pragma('journal_mode = DELETE');
      inspected = inspectStore(copy, source);
    } finally {
      copy.close();
    }
    let kekFile: string | undefined;
    if (kek) {
      kekFile = backupKekPath(options.file);
      await writeFile(kekFile, `${Buffer.from(kek.key).toString('base64url')}\n`, { mode: 0o600 });
      await chmod(kekFile, 0o600);
    }
    await rename(temp, options.file);
    const { size: bytes } = await stat(options.file);
    return { file: options.file, bytes, ...inspected.summary, ...(kekFile ? { kekFile } : {}) };
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Restores `file` into `dataDir` after checking that the KEK the server will use opens its signing keys. */
export async function restoreEmbeddedStore(options: RestoreOptions): Promise<RestoreSummary> {
  if (!existsSync(options.file)) throw new BackupError('not-found', `no backup file ${options.file}`);
  const backup = openReadOnly(options.file);
  let inspected: ReturnType<typeof inspectStore>;
  try {
    inspected = inspectStore(backup, options.file);
  } finally {
    backup.close();
  }
  const kek = await chooseRestoreKek(options);
  await checkKeysOpen(inspected.keys, kek);

  await ensurePrivateDataDirectory(options.dataDir);
  const lock = await lockDataDirectory(options.dataDir).catch((error: unknown) => {
    throw new BackupError('conflict', `cannot restore: ${(error as Error).message}`, { cause: error });
  });
  try {
    const target = join(options.dataDir, SQLITE_FILE_NAME);
    if (!options.force && existsSync(target)) {
      throw new BackupError(
        'conflict',
        `${options.dataDir} already holds a store (${target}); restore into an empty data directory or replace it with --force`,
      );
    }
    const temp = temporaryPath(target);
    await createPrivateFile(temp);
    try {
      await copyFile(options.file, temp);
      // The old store's write-ahead log would be replayed onto the restored file: it goes first.
      await Promise.all(['-wal', '-shm'].map((suffix) => rm(`${target}${suffix}`, { force: true })));
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    if (kek.source === 'backup kek file') {
      await writeFile(
        join(options.dataDir, KEK_FILE_NAME),
        `${Buffer.from(kek.key).toString('base64url')}\n`,
        {
          mode: 0o600,
          flag: 'wx',
        },
      );
    }
  } finally {
    await lock.release();
  }
  return { file: options.file, dataDir: options.dataDir, ...inspected.summary, kekSource: kek.source };
}

interface ChosenKek {
  key: Uint8Array;
  source: RestoreSummary['kekSource'];
}

const envIsSet = (kekEnv: string | undefined) => kekEnv !== undefined && kekEnv.trim() !== '';

/** The KEK the server on `dataDir` would use, without creating a kek file when there is none. */
async function readExistingKek(dataDir: string, kekEnv: string | undefined): Promise<ChosenKek> {
  if (envIsSet(kekEnv))
    return { key: await loadKeyEncryptionKey({ dataDir, env: kekEnv }), source: 'CREDLESS_KEK' };
  if (!existsSync(join(dataDir, KEK_FILE_NAME))) {
    throw new BackupError(
      'invalid',
      `no key-encryption key: set CREDLESS_KEK or put the kek file into ${dataDir}`,
    );
  }
  return { key: await loadKeyEncryptionKey({ dataDir }), source: 'kek file' };
}

/**
 * The server takes `CREDLESS_KEK` first, else `<dataDir>/kek`; the backup's `.kek` file is installed as
 * `<dataDir>/kek` only when neither exists (a different existing kek file is never replaced).
 */
async function chooseRestoreKek(options: RestoreOptions): Promise<ChosenKek> {
  const sidecar = backupKekPath(options.file);
  const targetKek = join(options.dataDir, KEK_FILE_NAME);
  if (envIsSet(options.kekEnv) || existsSync(targetKek))
    return readExistingKek(options.dataDir, options.kekEnv);
  if (existsSync(sidecar)) {
    const encoded = await readFile(sidecar, 'utf8');
    const key = await loadKeyEncryptionKey({ dataDir: options.dataDir, env: encoded }).catch(
      (error: unknown) => {
        throw new BackupError('invalid', `${sidecar} does not hold a key-encryption key`, { cause: error });
      },
    );
    return { key, source: 'backup kek file' };
  }
  throw new BackupError(
    'invalid',
    `the backup's signing keys are encrypted and no key-encryption key was found: set CREDLESS_KEK to the key ` +
      `used when the backup was made, copy that kek file into ${options.dataDir}, or keep the backup's ` +
      `${sidecar} (written by credless backup --include-kek) beside it`,
  );
}

async function checkKeysOpen(keys: KeyRow[], kek: ChosenKek): Promise<void> {
  for (const row of keys) {
    try {
      await decryptPrivateJwk(row.encrypted_private_key, kek.key);
    } catch (error) {
      if (!(error instanceof KeyEncryptionKeyMismatchError)) throw error;
      throw new BackupError(
        'key-mismatch',
        `the key-encryption key from ${kek.source} does not open the backup's signing key ${row.kid} ` +
          `(tenant ${row.tenant_id}): a restored server could not sign tokens, so nothing was restored. ` +
          'Use the key that was in use when the backup was made (CREDLESS_KEK or the kek file).',
        { cause: error },
      );
    }
  }
}
