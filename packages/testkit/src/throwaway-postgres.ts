/**
 * A PostgreSQL server of a test's own: initdb into a temporary directory with Debian's server binaries,
 * its own port on 127.0.0.1, stopped and started at will. Tests that stop, kill or break the database use
 * this, never the machine's shared instance.
 *
 * PostgreSQL refuses to run as root, so when the test runs as root the server runs as the `postgres`
 * system user (Debian's server package creates it) and the data directory is handed to that user.
 * @module
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DEBIAN_SERVER_ROOT = '/usr/lib/postgresql';
const START_LIMIT_MS = 30_000;

export interface ThrowawayPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  readonly running: boolean;
  /** Fast shutdown (SIGINT): open sessions are terminated "due to administrator command", as in an outage. */
  stop(): Promise<void>;
  /** Starts again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops and deletes the data directory. */
  destroy(): Promise<void>;
}

/** Why a throw-away PostgreSQL cannot run here, or null when it can. */
export function throwawayPostgresUnavailableReason(): string | null {
  if (findServerBinDir() === undefined) {
    return `no PostgreSQL server binaries under ${DEBIAN_SERVER_ROOT} (Debian package postgresql)`;
  }
  if (process.getuid?.() === 0 && systemUser('postgres') === undefined) {
    return 'running as root and there is no postgres system user to run the server as';
  }
  return null;
}

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const binDir = findServerBinDir();
  if (binDir === undefined) throw new Error(throwawayPostgresUnavailableReason() ?? 'no PostgreSQL');
  const owner = process.getuid?.() === 0 ? systemUser('postgres') : undefined;
  const root = mkdtempSync(join(tmpdir(), 'credless-pg-'));
  const dataDir = join(root, 'data');
  if (owner) {
    chownSync(root, owner.uid, owner.gid);
    chmodSync(root, 0o700);
  }
  const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};
  execFileSync(
    join(binDir, 'initdb'),
    ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'],
    { ...asOwner, stdio: 'pipe' },
  );
  const port = await freePort();
  let child: ChildProcess | undefined;
  let log = '';

  const start = async (): Promise<void> => {
    if (child) return;
    const server = spawn(
      join(binDir, 'postgres'),
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${root}`,
        '-c',
        'fsync=on',
      ],
      { ...asOwner, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    server.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-8000);
    });
    child = server;
    server.once('exit', () => {
      if (child === server) child = undefined;
    });
    const deadline = Date.now() + START_LIMIT_MS;
    while (!log.includes('database system is ready to accept connections')) {
      if (child !== server) throw new Error(`throw-away PostgreSQL exited during start:\n${log}`);
      if (Date.now() > deadline) throw new Error(`throw-away PostgreSQL did not start in time:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    log = '';
  };

  const stop = async (): Promise<void> => {
    const server = child;
    if (!server) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGINT');
    await exited;
  };

  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    get running() {
      return child !== undefined;
    },
    start,
    stop,
    async destroy() {
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The newest Debian server version's bin directory (holds initdb and postgres). */
function findServerBinDir(): string | undefined {
  if (!existsSync(DEBIAN_SERVER_ROOT)) return undefined;
  const versions = readdirSync(DEBIAN_SERVER_ROOT)
    .filter((name) => existsSync(join(DEBIAN_SERVER_ROOT, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(DEBIAN_SERVER_ROOT, versions[0], 'bin');
}

function systemUser(name: string): { uid: number; gid: number } | undefined {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined)
      return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}
