import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { CredlessError } from '@credless/core';
import type { SignInLogRecord } from '../../src/store/sign-in-logs.ts';
import { describeEachStore } from './store-suite.ts';

const TENANT = '11111111-1111-4111-8111-111111111111';
const OTHER_TENANT = '22222222-2222-4222-8222-222222222222';
const APP = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function record(overrides: Partial<SignInLogRecord> = {}): SignInLogRecord {
  return {
    id: randomUUID(),
    tenantId: TENANT,
    createdAt: new Date(T0),
    appId: APP,
    applicationId: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
    credentialName: 'deploy',
    credentialId: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc',
    issuer: 'https://token.actions.githubusercontent.com',
    subject: 'repo:contoso/app:ref:refs/heads/main',
    audience: 'api://AzureADTokenExchange',
    resource: 'https://graph.microsoft.com',
    result: 'success',
    errorCode: null,
    aadsts: null,
    failedStep: null,
    clientRequestId: randomUUID(),
    traceId: randomUUID(),
    latencyMs: 3,
    ...overrides,
  };
}

const failure = (overrides: Partial<SignInLogRecord> = {}) =>
  record({
    result: 'failure',
    errorCode: 'subject_no_match',
    aadsts: 700213,
    failedStep: 'matchCredential',
    credentialName: null,
    credentialId: null,
    ...overrides,
  });

await describeEachStore('sign-in logs', (target) => {
  test('records round-trip field for field, newest first', async () => {
    const store = await target.openStore();
    const older = record({ createdAt: new Date(T0 - 1000) });
    const newer = failure({ createdAt: new Date(T0), applicationId: null, audience: null });
    await store.insertSignInLogs([older, newer]);
    assert.deepEqual(await store.querySignInLogs({ tenantId: TENANT }), [newer, older]);
  });

  test('a batch larger than one INSERT statement is written whole', async () => {
    const store = await target.openStore();
    const batch = Array.from({ length: 1234 }, (_, i) => record({ createdAt: new Date(T0 + i) }));
    await store.insertSignInLogs(batch);
    const found = await store.querySignInLogs({ tenantId: TENANT, limit: 1000 });
    assert.equal(found.length, 1000);
    assert.equal(found[0]?.id, batch[1233]?.id);
    assert.equal(found[999]?.id, batch[234]?.id);
  });

  test('filters: tenant, app, result, AADSTS number, since (inclusive) and until (exclusive)', async () => {
    const store = await target.openStore();
    const otherApp = 'dddddddd-dddd-4ddd-8ddd-dddddddddddd';
    const a = record({ createdAt: new Date(T0 - 3000) });
    const b = failure({ createdAt: new Date(T0 - 2000) });
    const c = failure({ createdAt: new Date(T0 - 1000), appId: otherApp });
    const d = record({ createdAt: new Date(T0), tenantId: OTHER_TENANT });
    await store.insertSignInLogs([a, b, c, d]);
    const ids = (found: SignInLogRecord[]) => found.map((r) => r.id);
    assert.deepEqual(ids(await store.querySignInLogs({ tenantId: TENANT })), [c.id, b.id, a.id]);
    assert.deepEqual(ids(await store.querySignInLogs({ tenantId: OTHER_TENANT })), [d.id]);
    assert.deepEqual(ids(await store.querySignInLogs({ tenantId: TENANT, appId: APP })), [b.id, a.id]);
    assert.deepEqual(ids(await store.querySignInLogs({ tenantId: TENANT, result: 'failure' })), [c.id, b.id]);
    assert.deepEqual(ids(await store.querySignInLogs({ tenantId: TENANT, result: 'success' })), [a.id]);
    assert.deepEqual(ids(await store.querySignInLogs({ tenantId: TENANT, aadsts: b.aadsts as number })), [
      c.id,
      b.id,
    ]);
    assert.deepEqual(ids(await store.querySignInLogs({ tenantId: TENANT, aadsts: 1 })), []);
    assert.deepEqual(
      ids(
        await store.querySignInLogs({
          tenantId: TENANT,
          since: new Date(T0 - 2000),
          until: new Date(T0 - 1000),
        }),
      ),
      [b.id],
    );
    assert.deepEqual(ids(await store.querySignInLogs({ tenantId: TENANT, limit: 1 })), [c.id]);
  });

  test('the limit defaults to 100 and must be 1–1000', async () => {
    const store = await target.openStore();
    await store.insertSignInLogs(
      Array.from({ length: 150 }, (_, i) => record({ createdAt: new Date(T0 + i) })),
    );
    assert.equal((await store.querySignInLogs({ tenantId: TENANT })).length, 100);
    for (const limit of [0, 1001, 1.5]) {
      await assert.rejects(store.querySignInLogs({ tenantId: TENANT, limit }), (error: unknown) => {
        assert.ok(error instanceof CredlessError);
        assert.equal(error.code, 'invalid_value');
        return true;
      });
    }
  });

  test('deleteSignInLogsBefore purges older records in every tenant and counts them', async () => {
    const store = await target.openStore();
    const old = record({ createdAt: new Date(T0 - 10_000) });
    const oldOther = record({ createdAt: new Date(T0 - 5000), tenantId: OTHER_TENANT });
    const kept = record({ createdAt: new Date(T0) });
    await store.insertSignInLogs([old, oldOther, kept]);
    assert.equal(await store.deleteSignInLogsBefore(new Date(T0)), 2);
    assert.deepEqual(await store.querySignInLogs({ tenantId: TENANT }), [kept]);
    assert.deepEqual(await store.querySignInLogs({ tenantId: OTHER_TENANT }), []);
  });

  test('sign-in log writes do not bump the directory version', async () => {
    const store = await target.openStore();
    const version = await store.getDirectoryVersion();
    await store.insertSignInLogs([record(), failure()]);
    await store.deleteSignInLogsBefore(new Date(T0 + 1));
    assert.equal(await store.getDirectoryVersion(), version);
  });

  test('an empty batch is a no-op', async () => {
    const store = await target.openStore();
    await store.insertSignInLogs([]);
    assert.deepEqual(await store.querySignInLogs({ tenantId: TENANT }), []);
  });
});
