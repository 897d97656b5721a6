/**
 * Crash safety: a credless server process is killed with SIGKILL in the middle of a stream of directory
 * writes (several in flight), on the embedded SQLite store and on PostgreSQL, then started again on the
 * same store. Every write it acknowledged before dying must be there, the restarted server must take
 * over the dead one's data-directory lock, and it must accept new writes.
 *
 * PostgreSQL here is a throw-away server of the test's own (initdb into a temporary directory, its own
 * port): never the machine's shared instance.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  startThrowawayPostgres,
  type ThrowawayPostgres,
  throwawayPostgresUnavailableReason,
} from '@credless/testkit';
import { openDirectoryStore } from '../../src/store/kysely-directory-store.ts';
import { type Replica, startReplica } from './replica-cluster.ts';

/** Writes in flight at any moment: the kill lands in the middle of several transactions. */
const CONCURRENT_WRITERS = 6;
/** The kill comes after this many acknowledged writes (plus a random few), so there is something to lose. */
const KILL_AFTER_ACKNOWLEDGED = 60;

const pgUnavailable = throwawayPostgresUnavailableReason();
if (pgUnavailable) console.warn(`\n!!! crash safety on PostgreSQL SKIPPED: ${pgUnavailable}\n`);

interface Backend {
  name: string;
  skip: string | false;
  /** CREDLESS_DATABASE_URL for the server, or undefined for SQLite in its data directory. */
  databaseUrl: () => string | undefined;
}

let postgres: ThrowawayPostgres | undefined;
const backends: Backend[] = [
  { name: 'SQLite', skip: false, databaseUrl: () => undefined },
  { name: 'PostgreSQL', skip: pgUnavailable ?? false, databaseUrl: () => postgres?.url },
];

/** Writers create applications until the replica dies: the names it acknowledged, and how many got no answer. */
async function writeUntilKilled(
  replica: Replica,
  killAfter: number,
): Promise<{ acknowledged: string[]; unanswered: number }> {
  const acknowledged: string[] = [];
  let unanswered = 0;
  let next = 0;
  let killed = false;
  let stopped: Promise<void> | undefined;
  const writer = async () => {
    while (!killed) {
      const name = `crash-${next++}`;
      try {
        await replica.call({ op: 'createApplication', displayName: name });
      } catch {
        // Sent but never answered: it may or may not have committed; only acknowledged writes count.
        unanswered++;
        return;
      }
      // An answer that arrives after the kill was still sent before the process died: it counts.
      acknowledged.push(name);
      if (!killed && acknowledged.length >= killAfter) {
        killed = true;
        stopped = replica.stop('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT_WRITERS }, writer));
  // The writers can all finish (answered just before the signal landed) before the process has exited.
  await stopped;
  return { acknowledged, unanswered };
}

describe('SIGKILL during directory writes loses no acknowledged write', () => {
  let workDir: string;
  const running: Replica[] = [];

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'credless-crash-'));
    if (!pgUnavailable) postgres = await startThrowawayPostgres();
  });

  after(async () => {
    await Promise.all(running.map((replica) => replica.stop()));
    await postgres?.destroy();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  for (const backend of backends) {
    test(backend.name, { skip: backend.skip }, async () => {
      const dataDir = join(workDir, backend.name);
      const databaseUrl = backend.databaseUrl();
      const env: NodeJS.ProcessEnv = {
        PATH: process.env['PATH'],
        ...(databaseUrl ? { CREDLESS_DATABASE_URL: databaseUrl } : {}),
        CREDLESS_KEK: randomBytes(32).toString('base64'),
        CREDLESS_DATA_DIR: dataDir,
        CREDLESS_HOST: '127.0.0.1',
        CREDLESS_PORT: '0',
        CREDLESS_LOG_LEVEL: 'silent',
      };
      const first = await startReplica('first', env);
      running.push(first);
      const killAfter = KILL_AFTER_ACKNOWLEDGED + Math.floor(Math.random() * 20);
      const { acknowledged, unanswered } = await writeUntilKilled(first, killAfter);
      assert.equal(first.exited, true);
      assert.equal(first.child.signalCode, 'SIGKILL', 'the server was killed, not stopped');
      assert.ok(acknowledged.length >= killAfter);
      assert.ok(unanswered > 0, 'the kill landed between writes, not during them');
      console.log(
        `${backend.name}: killed with ${acknowledged.length} writes acknowledged, ${unanswered} in flight`,
      );

      // Same data directory: the dead process's lock is stale and must be taken over.
      const second = await startReplica('second', env);
      running.push(second);
      const store = await openDirectoryStore({ databaseUrl, dataDir });
      try {
        const names = new Set(
          (await store.listApplications(second.tenantId)).map((application) => application.displayName),
        );
        const lost = acknowledged.filter((name) => !names.has(name));
        assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged writes lost`);
        await second.call({ op: 'createApplication', displayName: 'after-restart' });
        const after = await store.listApplications(second.tenantId);
        assert.ok(after.some((application) => application.displayName === 'after-restart'));
      } finally {
        await store.close();
        await second.stop();
      }
    });
  }
});
