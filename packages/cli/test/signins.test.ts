/**
 * `credless signins list`: the command function through the in-process API (GET /auditLogs/signIns) of a
 * real SQLite store, and the real binary.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type DirectoryStore, ensureDefaultTenant, openDirectoryStore } from '@credless/server';
import { listSignIns, parseSince } from '../src/commands/signins.ts';
import { EXIT, exitCodeFor, UsageError } from '../src/exit-codes.ts';
import type { GraphApi } from '../src/session/graph-api.ts';
import { openInProcessGraphApi } from '../src/session/in-process-graph-api.ts';
import { runBinary } from './run-binary.ts';

type SignInLogRecord = Parameters<DirectoryStore['insertSignInLogs']>[0][number];

const APP = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const OTHER_APP = 'dddddddd-dddd-4ddd-8ddd-dddddddddddd';
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('credless signins list', () => {
  let dir: string;
  let ctx: GraphApi & { close(): Promise<void> };
  let records: SignInLogRecord[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credless-cli-signins-'));
    const store = await openDirectoryStore({ dataDir: join(dir, 'data') });
    await store.migrate();
    const tenantId = await ensureDefaultTenant(store, {
      domain: 'credless.local',
      displayName: 'Credless Local',
    });
    const make = (appId: string, minutesAgo: number, failed: boolean): SignInLogRecord => ({
      id: randomUUID(),
      tenantId,
      createdAt: new Date(NOW - minutesAgo * 60_000),
      appId,
      applicationId: null,
      credentialName: failed ? null : 'deploy',
      credentialId: null,
      issuer: 'https://token.actions.githubusercontent.com',
      subject: 'repo:contoso/app:ref:refs/heads/main',
      audience: 'api://AzureADTokenExchange',
      resource: 'https://graph.microsoft.com',
      result: failed ? 'failure' : 'success',
      errorCode: failed ? 'subject_no_match' : null,
      aadsts: failed ? 700213 : null,
      failedStep: failed ? 'matchCredential' : null,
      clientRequestId: randomUUID(),
      traceId: randomUUID(),
      latencyMs: 2,
    });
    // Newest first: 5, 30, 90 minutes and 2 days ago.
    records = [make(APP, 5, true), make(OTHER_APP, 30, false), make(APP, 90, false), make(APP, 2880, true)];
    await store.insertSignInLogs(records);
    await store.close();
    ctx = await openInProcessGraphApi({ dataDir: join(dir, 'data'), readOnly: true });
  });
  after(async () => {
    await ctx.close();
    await rm(dir, { recursive: true, force: true });
  });

  const ids = (found: Array<{ id?: unknown }>) => found.map((record) => record.id);
  const now = () => NOW;

  test('lists newest first; --app, --failed, --since (duration or ISO) and --limit filter', async () => {
    assert.deepEqual(ids(await listSignIns(ctx, { now })), ids(records));
    assert.deepEqual(
      ids(await listSignIns(ctx, { app: APP, now })),
      ids([records[0]!, records[2]!, records[3]!]),
    );
    assert.deepEqual(ids(await listSignIns(ctx, { failed: true, now })), ids([records[0]!, records[3]!]));
    assert.deepEqual(ids(await listSignIns(ctx, { since: '1h', now })), ids(records.slice(0, 2)));
    assert.deepEqual(
      ids(await listSignIns(ctx, { since: new Date(NOW - 100 * 60_000).toISOString(), now })),
      ids(records.slice(0, 3)),
    );
    assert.deepEqual(ids(await listSignIns(ctx, { app: APP, failed: true, since: '1d', now })), [
      records[0]!.id,
    ]);
    assert.deepEqual(ids(await listSignIns(ctx, { limit: '2', now })), ids(records.slice(0, 2)));
  });

  test('bad --since and --limit are usage errors', async () => {
    await assert.rejects(listSignIns(ctx, { since: 'yesterday' }), UsageError);
    await assert.rejects(listSignIns(ctx, { limit: '0' }), UsageError);
    await assert.rejects(listSignIns(ctx, { limit: '1001' }), UsageError);
    assert.equal(parseSince('90s', NOW).getTime(), NOW - 90_000);
    assert.equal(parseSince('7d', NOW).getTime(), NOW - 7 * 86_400_000);
  });

  test("records in Graph's signIn shape, with credless's detail", async () => {
    const [failed] = await listSignIns(ctx, { app: APP, limit: 1, now });
    const record = records[0]!;
    assert.equal(failed?.['createdDateTime'], record.createdAt.toISOString());
    assert.equal(failed?.['correlationId'], record.clientRequestId);
    assert.deepEqual(failed?.['status'], {
      errorCode: 700213,
      failureReason: 'subject_no_match',
      additionalDetails: 'matchCredential',
    });
    assert.equal(failed?.['subject'], record.subject);
    assert.equal(failed?.['result'], 'failure');
    assert.equal(failed?.['tenantId'], undefined, "the tenant is the caller's, not repeated");
  });

  test('the API refuses a $filter outside its subset (exit 2), never ignores it', async () => {
    for (const filter of [
      "displayName eq 'x'",
      "appId eq 'x' or appId eq 'y'",
      'status/errorCode ne 700016',
    ]) {
      await assert.rejects(
        ctx.call('GET', `/auditLogs/signIns?$filter=${encodeURIComponent(filter)}`),
        (error: Error) =>
          exitCodeFor(error) === EXIT.invalidInput && /Request_UnsupportedQuery/.test(error.message),
      );
    }
    // An "and" inside a quoted value is part of the value.
    const quoted = await ctx.call<{ value: unknown[] }>(
      'GET',
      `/auditLogs/signIns?$filter=${encodeURIComponent("appId eq 'a and b'")}`,
    );
    assert.deepEqual(quoted.value, []);
  });

  test('the binary prints the records as JSON', async () => {
    const dataDir = join(dir, 'data');
    const run = await runBinary([
      'signins',
      'list',
      '--app',
      APP,
      '--failed',
      '--limit',
      '1',
      '--data-dir',
      dataDir,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const printed = JSON.parse(run.stdout) as Array<Record<string, unknown>>;
    assert.equal(printed.length, 1);
    assert.equal(printed[0]!['id'], records[0]!.id);
    assert.equal(printed[0]!['result'], 'failure');
    assert.equal(printed[0]!['createdDateTime'], records[0]!.createdAt.toISOString());
    const bad = await runBinary(['signins', 'list', '--since', 'soon', '--data-dir', dataDir]);
    assert.equal(bad.code, 2);
  });
});
