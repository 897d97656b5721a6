/**
 * Issuer-policy writes are directory changes: made through one credless sharing a PostgreSQL schema,
 * they are enforced by the other within the product's one-second bound (LISTEN/NOTIFY).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  clientCredentialsForm,
  createWorkloadScenario,
  requestToken,
  startTestCredless,
  startTestOidcIssuer,
  type TestCredless,
  type TestOidcIssuer,
} from '@credless/testkit';
import { sql } from 'kysely';
import { Agent } from 'undici';
import { openDatabase } from '../../src/store/database.ts';
import { postgresUnavailableReason, TEST_DATABASE_URL } from '../store/store-suite.ts';

const CONSISTENCY_BOUND_MS = 1000;
const SUBJECT = 'system:serviceaccount:payments:api';

const unavailable = await postgresUnavailableReason();
const skip =
  unavailable !== null && process.env['CREDLESS_TEST_POSTGRES'] === 'skip'
    ? `PostgreSQL SKIPPED (CREDLESS_TEST_POSTGRES=skip): ${unavailable}`
    : false;

describe('issuer policy across two replicas on one PostgreSQL schema', { skip, timeout: 120_000 }, () => {
  const schema = `credless_test_${randomBytes(8).toString('hex')}`;
  let issuer: TestOidcIssuer;
  let writer: TestCredless;
  let reader: TestCredless;
  let client: Agent;
  let appId: string;

  before(async () => {
    if (unavailable !== null) throw new Error(`PostgreSQL is not reachable: ${unavailable}`);
    issuer = await startTestOidcIssuer();
    const env = { CREDLESS_KEK: randomBytes(32).toString('base64') };
    const config = { databaseUrl: `${TEST_DATABASE_URL}?schema=${schema}` };
    writer = await startTestCredless({ issuerDispatcher: issuer.dispatcher, env, config });
    reader = await startTestCredless({ issuerDispatcher: issuer.dispatcher, env, config });
    assert.equal(reader.tenantId, writer.tenantId);
    client = new Agent({ connect: { ca: [writer.caCertPem!, reader.caCertPem!] } });
    appId = (await createWorkloadScenario(writer, { issuer: issuer.issuer, subject: SUBJECT })).appId;
  });
  after(async () => {
    await client?.close();
    await reader?.close();
    await writer?.close();
    await issuer?.close();
    const admin = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: tmpdir() });
    try {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db);
    } finally {
      await admin.close();
    }
  });

  const statusOnReader = async () => {
    const assertion = await issuer.issueToken({ sub: SUBJECT, aud: 'api://AzureADTokenExchange' });
    const response = await requestToken(reader, clientCredentialsForm({ clientId: appId, assertion }), {
      dispatcher: client,
    });
    return response.status === 200 ? 200 : (response.body['error_codes'] as number[])[0];
  };

  /** Milliseconds until the reader answers `expected`, failing beyond the bound. */
  const until = async (expected: number) => {
    const start = performance.now();
    for (;;) {
      if ((await statusOnReader()) === expected) return performance.now() - start;
      assert.ok(performance.now() - start < CONSISTENCY_BOUND_MS, `reader still not answering ${expected}`);
      await sleep(20);
    }
  };

  test('enforce, then trusting the issuer, made on one replica hold on the other within a second', async () => {
    assert.equal(await statusOnReader(), 200);
    await writer.store.updateIssuerPolicy(writer.tenantId, { mode: 'enforce' });
    assert.ok((await until(700211)) < CONSISTENCY_BOUND_MS);
    await writer.store.upsertTrustedIssuer(writer.tenantId, {
      issuer: issuer.issuer,
      maxAssertionLifetimeSeconds: 60,
    });
    // Trusted now, but the test issuer's tokens live an hour: the per-issuer limit travels too.
    assert.ok((await until(700024)) < CONSISTENCY_BOUND_MS);
    await writer.store.upsertTrustedIssuer(writer.tenantId, {
      issuer: issuer.issuer,
      maxAssertionLifetimeSeconds: 7200,
    });
    assert.ok((await until(200)) < CONSISTENCY_BOUND_MS);
  });
});
