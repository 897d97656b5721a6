/**
 * Static stability through a PostgreSQL outage. Three replicas under a steady exchange load; the
 * database is stopped (fast shutdown, which terminates every session "due to administrator command",
 * as a restart or failover does) for 30 s and started again. Throughout, the replicas keep issuing from
 * memory; none exits; /readyz stays ready and says the database is unreachable; no acknowledged write is
 * lost; the sign-in records of the outage are written after it; and a change made after recovery holds
 * on every replica within a second.
 *
 * Runs its own throw-away PostgreSQL (initdb into a temporary directory, its own port): never the
 * machine's shared instance, which other tests use.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  startTestOidcIssuer,
  startThrowawayPostgres,
  type TestOidcIssuer,
  type ThrowawayPostgres,
  throwawayPostgresUnavailableReason,
} from '@credless/testkit';
import { sql } from 'kysely';
import { request } from 'undici';
import { openDatabase } from '../../src/store/database.ts';
import { type KyselyDirectoryStore, openDirectoryStore } from '../../src/store/kysely-directory-store.ts';
import {
  exchange,
  federatedWorkload,
  type Replica,
  replicaEnvironment,
  startReplica,
  timeUntil,
} from './replica-cluster.ts';

const AUDIENCE = 'api://AzureADTokenExchange';
const OUTAGE_MS = 30_000;
/** The product promise: a change made through one replica holds on every replica within this. */
const CONSISTENCY_BOUND_MS = 1000;
const REQUIRED_SUCCESS_RATIO = 0.999;

const unavailable = throwawayPostgresUnavailableReason();
if (unavailable) console.warn(`\n!!! database outage test SKIPPED: ${unavailable}\n`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('three replicas through a 30 s PostgreSQL outage', { skip: unavailable ?? false }, () => {
  let database: ThrowawayPostgres;
  let workDir: string;
  let issuer: TestOidcIssuer;
  const replicas: Replica[] = [];
  let appId: string;

  const assertion = (subject: string) => issuer.issueToken({ sub: subject, aud: [AUDIENCE] });

  before(async () => {
    database = await startThrowawayPostgres();
    workDir = await mkdtemp(join(tmpdir(), 'credless-outage-'));
    issuer = await startTestOidcIssuer();
    const env = await replicaEnvironment({
      databaseUrl: database.url,
      workDir,
      issuerCaPem: issuer.caCertPem,
    });
    // One after the other: the first creates the tenant and keys, so the others start on a settled schema.
    for (const name of ['A', 'B', 'C']) replicas.push(await startReplica(name, env(name)));
    appId = await federatedWorkload(replicas[0]!, replicas, issuer.issuer, assertion);
  });

  after(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await issuer?.close();
    await database?.destroy();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  const readiness = async (replica: Replica) => {
    const response = await request(`${replica.listenUrl}/readyz`, { dispatcher: replica.client });
    return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
  };

  test('issuing continues, writes are kept, and every replica converges after recovery', async () => {
    const outcomes: Array<{
      status: number;
      phase: 'before' | 'down' | 'after';
      replica: string;
      error?: unknown;
    }> = [];
    let phase: 'before' | 'down' | 'after' = 'before';
    let stopLoad = false;
    const load = async (worker: number) => {
      for (let i = worker; !stopLoad && i < 100_000; i += 2) {
        const replica = replicas[i % replicas.length]!;
        const { status, body } = await exchange(replica, appId, await assertion('main'));
        outcomes.push({
          status,
          phase,
          replica: replica.name,
          ...(status === 200 ? {} : { error: body['error_description'] }),
        });
        await sleep(10);
      }
    };
    // Writes through A all along: those acknowledged must all be there afterwards.
    const acknowledged: string[] = [];
    const writes = async () => {
      for (let i = 0; !stopLoad && i < 10_000; i++) {
        const name = `write-${i}`;
        try {
          await replicas[0]!.call({ op: 'createApplication', displayName: name });
          acknowledged.push(name);
        } catch {
          // Refused while the database is down: not acknowledged, so nothing is owed.
        }
        await sleep(100);
      }
    };
    const running = Promise.all([load(0), load(1), writes()]);
    try {
      await outage();
    } finally {
      stopLoad = true;
      await running;
    }

    async function outage() {
      await sleep(2000);
      await database.stop();
      phase = 'down';
      await sleep(OUTAGE_MS / 2);
      for (const replica of replicas) {
        assert.equal(replica.exited, false, `${replica.name} exited during the outage: ${replica.stderr}`);
        const ready = await readiness(replica);
        assert.equal(
          ready.status,
          200,
          `${replica.name} /readyz during the outage: ${JSON.stringify(ready.body)}`,
        );
        assert.equal(ready.body['database'], 'unreachable');
      }
      await sleep(OUTAGE_MS / 2);
      await database.start();
      phase = 'after';
      await sleep(5000);
    }

    const down = outcomes.filter((o) => o.phase === 'down');
    const issued = outcomes.filter((o) => o.status === 200).length;
    const ratio = issued / outcomes.length;
    const failed = outcomes.filter((o) => o.status !== 200);
    const failures = failed.map((o) => `${o.replica}/${o.phase}:${o.status}`);
    if (failed[0]) console.log(`first failure: ${String(failed[0].error)}`);
    console.log(
      `database outage: ${issued}/${outcomes.length} exchanges issued (${(ratio * 100).toFixed(2)}%), ` +
        `${down.filter((o) => o.status === 200).length}/${down.length} while the database was down for ${OUTAGE_MS / 1000} s; ` +
        `${acknowledged.length} writes acknowledged`,
    );
    assert.ok(down.length > 100, `the load ran during the outage (${down.length} exchanges)`);
    assert.ok(
      ratio >= REQUIRED_SUCCESS_RATIO,
      `success ${ratio}: failures ${failures.slice(0, 20).join(', ')}`,
    );
    for (const replica of replicas)
      assert.equal(replica.exited, false, `${replica.name} exited: ${replica.stderr}`);

    const store: KyselyDirectoryStore = await openDirectoryStore({
      databaseUrl: database.url,
      dataDir: workDir,
    });
    const raw = await openDatabase({ databaseUrl: database.url, dataDir: workDir });
    try {
      const tenantId = replicas[0]!.tenantId;
      const names = new Set((await store.listApplications(tenantId)).map((app) => app.displayName));
      const lost = acknowledged.filter((name) => !names.has(name));
      assert.deepEqual(lost, [], 'acknowledged writes lost');
      // The outage's sign-in records were kept in memory and written once the database was back.
      await timeUntil(
        async () => {
          const { rows } = await sql<{ n: number }>`select count(*)::int as n from sign_in_logs`.execute(
            raw.db,
          );
          return (rows[0]?.n ?? 0) >= issued;
        },
        { since: performance.now(), limitMs: 30_000, everyMs: 250 },
      );
    } finally {
      await store.close();
      await raw.close();
    }
  });

  test('a change made after recovery holds on every replica within a second', async () => {
    const [a] = replicas as [Replica];
    await a.call({
      op: 'createFederatedCredential',
      appId,
      name: 'after-recovery',
      issuer: issuer.issuer,
      subject: 'after-recovery',
    });
    const since = performance.now();
    const latencies = await Promise.all(
      replicas.map((replica) =>
        timeUntil(
          async () => (await exchange(replica, appId, await assertion('after-recovery'))).status === 200,
          {
            since,
            limitMs: 10_000,
          },
        ),
      ),
    );
    console.log(
      `after recovery: change honoured after ${latencies.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`,
    );
    for (const latency of latencies) assert.ok(latency < CONSISTENCY_BOUND_MS, `${latency} ms`);
  });
});
