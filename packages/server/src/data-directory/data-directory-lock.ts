/**
 * One server process per embedded (SQLite) data directory. Two servers on one directory would both
 * issue from it and fight over the local clusters' API ports; CLI commands that only read or write the
 * store do not take the lock (SQLite's WAL lets them work beside a running server).
 *
 * The lock is a file naming its holder, created atomically (written to a private temporary file, then
 * hard-linked into place: the link fails when the lock exists, and no one reads a half-written file).
 * A lock whose process is gone (same host, PID not alive) is stale and taken over.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE_NAME = 'server.lock';

interface LockHolder {
  /** Tells this holder's file from a later one (release never removes someone else's lock). */
  id: string;
  pid: number;
  hostname: string;
  startedAt: string;
}

export interface DataDirectoryLock {
  readonly path: string;
  /** Removes the lock file if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

export interface LockOptions {
  /** Told when a stale lock was taken over. */
  log?: (message: string) => void;
  /** Whether a process runs (tests); default: signal 0. */
  isAlive?: (pid: number) => boolean;
}

/** Signal 0 checks existence only; EPERM means the process exists but belongs to someone else. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.id !== 'string') return undefined;
    return {
      id: parsed.id,
      pid: parsed.pid,
      hostname: String(parsed.hostname ?? ''),
      startedAt: String(parsed.startedAt ?? ''),
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** Creates the lock file with `holder` in it; false when a lock file already exists. */
async function tryCreate(path: string, holder: LockHolder): Promise<boolean> {
  const temp = `${path}.${holder.id}.tmp`;
  await writeFile(temp, `${JSON.stringify(holder)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => {});
  }
}

function heldError(dir: string, path: string, holder: LockHolder): Error {
  const where = holder.hostname === hostname() ? '' : ` on host ${holder.hostname}`;
  return new Error(
    `Another credless server (PID ${holder.pid}${where}, started ${holder.startedAt}) is using the data ` +
      `directory ${dir}. Stop it first or choose another data directory; CLI commands can work on the ` +
      `directory while it runs. If no such server runs, delete ${path}.`,
  );
}

/** Takes the data directory's server lock, or throws an error naming the process that holds it. */
export async function lockDataDirectory(dir: string, options: LockOptions = {}): Promise<DataDirectoryLock> {
  const isAlive = options.isAlive ?? isProcessAlive;
  const path = join(dir, LOCK_FILE_NAME);
  const mine: LockHolder = {
    id: randomUUID(),
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
  };
  // Two rounds: the second follows the removal of a stale lock.
  for (let round = 0; round < 2; round++) {
    if (await tryCreate(path, mine)) return heldLock(path, mine.id);
    const holder = await readHolder(path);
    if (holder) {
      // Another host's PID cannot be checked from here: such a lock is always respected.
      const stale = holder.hostname === mine.hostname && holder.pid !== process.pid && !isAlive(holder.pid);
      if (!stale) throw heldError(dir, path, holder);
      options.log?.(`removed a stale lock of the data directory left by PID ${holder.pid}`);
    }
    // Unreadable or stale: remove it and try once more (a racing starter then finds our lock).
    await unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
  const holder = await readHolder(path);
  throw holder ? heldError(dir, path, holder) : new Error(`Could not take the lock ${path}`);
}

function heldLock(path: string, id: string): DataDirectoryLock {
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      if ((await readHolder(path))?.id === id) await unlink(path).catch(() => {});
    },
  };
}
