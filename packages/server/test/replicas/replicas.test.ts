/**
 * Three credless processes sharing one PostgreSQL schema behave as one service: directory writes made
 * through one are honoured (and revocations enforced) by the others within a second, they publish the
 * same keys, and killing one loses no acknowledged write and no client request on the others.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestOidcIssuer, type TestOidcIssuer } from '@credless/testkit';
import { sql } from 'kysely';
import { openDatabase } from '../../src/store/database.ts';
import { type KyselyDirectoryStore, openDirectoryStore } from '../../src/store/kysely-directory-store.ts';
import { postgresUnavailableReason, TEST_DATABASE_URL } from '../store/store-suite.ts';
import {
  exchange,
  federatedWorkload,
  fetchJwks,
  kidOf,
  type Replica,
  replicaEnvironment,
  startReplica,
  timeUntil,
} from './replica-cluster.ts';

/** The product promise: a change made through one replica holds on every replica within this. */
const CONSISTENCY_BOUND_MS = 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const AUDIENCE = 'api://AzureADTokenExchange';

const unavailable = await postgresUnavailableReason();
const skipReason =
  unavailable !== null && process.env['CREDLESS_TEST_POSTGRES'] === 'skip'
    ? `PostgreSQL SKIPPED (CREDLESS_TEST_POSTGRES=skip): ${unavailable}`
    : false;
if (skipReason) console.warn(`\n!!! multi-replica test: ${skipReason}\n`);

describe('three replicas on one PostgreSQL schema', { skip: skipReason }, () => {
  const schema = `credless_test_${randomBytes(8).toString('hex')}`;
  const databaseUrl = `${TEST_DATABASE_URL}?schema=${schema}`;
  let workDir: string;
  let issuer: TestOidcIssuer;
  let replicas: Replica[];
  let store: KyselyDirectoryStore;
  let appId: string;

  const assertion = (subject: string) => issuer.issueToken({ sub: subject, aud: [AUDIENCE] });

  before(async () => {
    if (unavailable !== null) throw new Error(`PostgreSQL is not reachable: ${unavailable}`);
    workDir = await mkdtemp(join(tmpdir(), 'credless-replicas-'));
    issuer = await startTestOidcIssuer();
    const env = await replicaEnvironment({ databaseUrl, workDir, issuerCaPem: issuer.caCertPem });
    // Started together on an empty schema: they race to create the tenant and its first signing key.
    replicas = await Promise.all(['A', 'B', 'C'].map((name) => startReplica(name, env(name))));
    store = await openDirectoryStore({ databaseUrl, dataDir: workDir });
    appId = await federatedWorkload(replicas[0]!, replicas, issuer.issuer, assertion);
  });

  after(async () => {
    await Promise.all((replicas ?? []).map((replica) => replica.stop()));
    await store?.close();
    await issuer?.close();
    const admin = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: tmpdir() });
    try {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db);
    } finally {
      await admin.close();
    }
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  test('concurrent start-up created one tenant and one signing key', async () => {
    assert.equal(new Set(replicas.map((r) => r.tenantId)).size, 1);
    assert.equal((await store.listTenants()).length, 1);
    const keys = await store.listSigningKeys(replicas[0]!.tenantId);
    assert.equal(keys.length, 1, `expected one signing key, got ${keys.length}`);
  });

  test('a credential created, then deleted, through A holds on B and C within a second', async () => {
    const [a, b, c] = replicas as [Replica, Replica, Replica];
    for (const replica of [b, c]) {
      const refused = await exchange(replica, appId, await assertion('late'));
      assert.equal(refused.status, 401, JSON.stringify(refused.body));
    }

    const honoured = (replica: Replica) => async () =>
      (await exchange(replica, appId, await assertion('late'))).status === 200;
    await a.call({
      op: 'createFederatedCredential',
      appId,
      name: 'late',
      issuer: issuer.issuer,
      subject: 'late',
    });
    let since = performance.now();
    const created = await Promise.all([b, c].map((r) => timeUntil(honoured(r), { since })));

    const refusedNow = (replica: Replica) => async () =>
      (await exchange(replica, appId, await assertion('late'))).status === 401;
    await a.call({ op: 'deleteFederatedCredential', appId, name: 'late' });
    since = performance.now();
    const deleted = await Promise.all([b, c].map((r) => timeUntil(refusedNow(r), { since })));

    const ms = (values: number[]) => values.map((v) => `${v.toFixed(0)} ms`).join(', ');
    console.log(
      `replica consistency: create honoured by B, C after ${ms(created)}; delete after ${ms(deleted)}`,
    );
    for (const latency of [...created, ...deleted])
      assert.ok(latency < CONSISTENCY_BOUND_MS, `${latency} ms`);
  });

  test('all replicas publish the same keys and sign with the same active key, across a prepublish', async () => {
    const [a] = replicas as [Replica];
    const signingKids = async () =>
      Promise.all(
        replicas.map(async (replica) => {
          const result = await exchange(replica, appId, await assertion('main'));
          assert.equal(result.status, 200, JSON.stringify(result.body));
          return kidOf(result.body['access_token']);
        }),
      );
    const [jwksA, ...others] = await Promise.all(replicas.map(fetchJwks));
    for (const jwks of others) assert.deepEqual(jwks, jwksA);
    const firstKid = (jwksA as { keys: Array<{ kid: string }> }).keys[0]?.kid;
    assert.deepEqual(await signingKids(), [firstKid, firstKid, firstKid]);

    // Key maintenance run (through A) as if 29 days had passed prepublishes the successor.
    await a.call({ op: 'maintainKeysAhead', aheadMs: 29 * DAY_MS });
    assert.equal((await store.listSigningKeys(a.tenantId)).length, 2);
    await timeUntil(
      async () => {
        const sets = (await Promise.all(replicas.map(fetchJwks))) as Array<{ keys: unknown[] }>;
        return sets.every((set) => set.keys.length === 2 && JSON.stringify(set) === JSON.stringify(sets[0]));
      },
      { since: performance.now(), limitMs: CONSISTENCY_BOUND_MS },
    );
    // The successor is published but does not sign yet, on any replica.
    assert.deepEqual(await signingKids(), [firstKid, firstKid, firstKid]);
  });

  test('SIGKILL of one replica under load loses no acknowledged write and no request on the others', async () => {
    const [a, b, victim] = replicas as [Replica, Replica, Replica];
    const outcomes: Array<{ replica: string; status: number; afterKill: boolean }> = [];
    const acknowledged: Array<{ name: string; afterKill: boolean }> = [];
    let killed = false;
    const deadline = performance.now() + 15_000;

    const load = async (worker: number) => {
      for (let i = worker; i < 240 && performance.now() < deadline; i += 4) {
        const replica = replicas[i % 3]!;
        const { status } = await exchange(replica, appId, await assertion('main'));
        outcomes.push({ replica: replica.name, status, afterKill: killed });
      }
    };
    // Writes alternate between A and the victim: acknowledged ones must survive the kill either way.
    // Keeps writing until some writes were acknowledged after the kill (bounded by count and time).
    const writes = async () => {
      const doneAfterKill = () => acknowledged.filter((w) => w.afterKill).length >= 4;
      for (let i = 0; i < 400 && performance.now() < deadline && !doneAfterKill(); i++) {
        const name = `write-${i}`;
        const target = i % 2 === 0 ? a : victim;
        const afterKill = killed;
        try {
          await target.call({ op: 'createApplication', displayName: name });
          acknowledged.push({ name, afterKill });
        } catch {
          assert.equal(target, victim, `a write through ${target.name} failed`);
        }
      }
    };
    const kill = async () => {
      while ((outcomes.length < 60 || acknowledged.length < 3) && performance.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      killed = true;
      await victim.stop('SIGKILL');
    };
    await Promise.all([load(0), load(1), load(2), load(3), writes(), kill()]);

    const failures = outcomes.filter((o) => o.status !== 200);
    console.log(
      `kill under load: ${outcomes.length} exchanges, ${failures.length} failed (all on ${victim.name}); ` +
        `${acknowledged.length} writes acknowledged (${acknowledged.filter((w) => w.afterKill).length} after the kill)`,
    );
    assert.ok(outcomes.length >= 120, `only ${outcomes.length} exchanges ran`);
    assert.deepEqual(new Set(failures.map((f) => f.replica)), new Set(failures.length ? [victim.name] : []));
    assert.ok(
      outcomes.some((o) => o.afterKill && o.replica !== victim.name && o.status === 200),
      'survivors answered after the kill',
    );
    assert.ok(acknowledged.some((w) => !w.afterKill) && acknowledged.some((w) => w.afterKill));

    const stored = new Set((await store.listApplications(a.tenantId)).map((app) => app.displayName));
    const lost = acknowledged.filter((w) => !stored.has(w.name));
    assert.deepEqual(lost, [], 'every acknowledged write is stored');
    // And the survivors still serve.
    for (const replica of [a, b]) {
      assert.equal((await exchange(replica, appId, await assertion('main'))).status, 200);
    }
  });
});
