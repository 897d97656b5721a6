/**
 * Replicas on PostgreSQL survive a database restart: stopping the database (fast shutdown, which
 * terminates every open session "due to administrator command", as a restart or failover does) must
 * not take a replica down, and after the database is back every replica issues again and honours
 * directory changes made after the recovery.
 *
 * Runs its own throw-away PostgreSQL (initdb into a temporary directory, its own port): never the
 * machine's shared instance, which other tests use.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
import { exchange, type Replica, startReplica, timeUntil } from './replica-cluster.ts';

const AUDIENCE = 'api://AzureADTokenExchange';
const OUTAGE_MS = 5000;
/** The change feed reconnects with backoff (at most 5 s); the version poll covers the gap meanwhile. */
const RECOVERY_LIMIT_MS = 30_000;

const unavailable = throwawayPostgresUnavailableReason();
if (unavailable) console.warn(`\n!!! database outage test SKIPPED: ${unavailable}\n`);

describe('replicas through a PostgreSQL restart', { skip: unavailable ?? false }, () => {
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
    const caFile = join(workDir, 'issuer-ca.pem');
    await writeFile(caFile, issuer.caCertPem);
    const kek = randomBytes(32).toString('base64');
    const env = (name: string): NodeJS.ProcessEnv => ({
      PATH: process.env['PATH'],
      CREDLESS_DATABASE_URL: database.url,
      CREDLESS_KEK: kek,
      CREDLESS_DATA_DIR: join(workDir, name),
      CREDLESS_HOST: '127.0.0.1',
      CREDLESS_PORT: '0',
      CREDLESS_PUBLIC_URL: 'https://credless.test',
      CREDLESS_LOG_LEVEL: 'silent',
      CREDLESS_ISSUER_ALLOW_PRIVATE_NETWORKS: 'true',
      CREDLESS_ISSUER_CA_FILE: caFile,
    });
    // One after the other: the first creates the tenant and keys, so the second starts on a settled schema.
    for (const name of ['A', 'B']) replicas.push(await startReplica(name, env(name)));
    const [a] = replicas as [Replica];
    appId = ((await a.call({ op: 'createApplication', displayName: 'workload' })) as { appId: string }).appId;
    await a.call({ op: 'createServicePrincipal', appId });
    await a.call({
      op: 'createFederatedCredential',
      appId,
      name: 'main',
      issuer: issuer.issuer,
      subject: 'main',
    });
    for (const replica of replicas) {
      await timeUntil(async () => (await exchange(replica, appId, await assertion('main'))).status === 200, {
        since: performance.now(),
      });
    }
  });

  after(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await issuer?.close();
    await database?.destroy();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  test('no replica exits while the database is down, and all issue again after it is back', async () => {
    const statuses: number[] = [];
    let stopLoad = false;
    const load = (async () => {
      for (let i = 0; !stopLoad && i < 100_000; i++) {
        const replica = replicas[i % replicas.length]!;
        statuses.push((await exchange(replica, appId, await assertion('main'))).status);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    await new Promise((resolve) => setTimeout(resolve, 500));
    await database.stop();
    const duringStart = statuses.length;
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    const during = statuses.slice(duringStart);
    for (const replica of replicas)
      assert.equal(replica.exited, false, `${replica.name} exited during the outage: ${replica.stderr}`);

    await database.start();
    const since = performance.now();
    for (const replica of replicas) {
      await timeUntil(async () => (await exchange(replica, appId, await assertion('main'))).status === 200, {
        since,
        limitMs: RECOVERY_LIMIT_MS,
      });
    }
    stopLoad = true;
    await load;
    const issued = during.filter((status) => status === 200).length;
    console.log(`database outage: ${issued}/${during.length} exchanges issued during ${OUTAGE_MS} ms down`);
    for (const replica of replicas)
      assert.equal(replica.exited, false, `${replica.name} exited: ${replica.stderr}`);
  });

  test('a change made after recovery is honoured by every replica', async () => {
    const [a] = replicas as [Replica];
    await timeUntil(
      async () => {
        try {
          await a.call({
            op: 'createFederatedCredential',
            appId,
            name: 'after-recovery',
            issuer: issuer.issuer,
            subject: 'after-recovery',
          });
          return true;
        } catch {
          return false;
        }
      },
      { since: performance.now(), limitMs: RECOVERY_LIMIT_MS, everyMs: 200 },
    );
    const since = performance.now();
    for (const replica of replicas) {
      await timeUntil(
        async () => (await exchange(replica, appId, await assertion('after-recovery'))).status === 200,
        { since, limitMs: 5000 },
      );
    }
  });
});
