import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SignInLogRecorder, type SignInLogSink } from '../../src/sign-in-log/recorder.ts';
import { timeOrderedId } from '../../src/sign-in-log/sign-in-logging.ts';
import type { KyselyDirectoryStore } from '../../src/store/kysely-directory-store.ts';
import { openDirectoryStore } from '../../src/store/kysely-directory-store.ts';
import type { SignInLogRecord } from '../../src/store/sign-in-logs.ts';

const TENANT = '11111111-1111-4111-8111-111111111111';

const record = (i: number): SignInLogRecord => ({
  id: randomUUID(),
  tenantId: TENANT,
  createdAt: new Date(1_700_000_000_000 + i),
  appId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
  applicationId: null,
  credentialName: null,
  credentialId: null,
  issuer: null,
  subject: null,
  audience: null,
  resource: null,
  result: 'failure',
  errorCode: 'client_not_found',
  aadsts: 700016,
  failedStep: 'resolveClient',
  clientRequestId: randomUUID(),
  traceId: randomUUID(),
  latencyMs: 1,
});

/** The real store, with each batch's size noted (and an optional gate to hold writes back). */
function observed(store: SignInLogSink) {
  const batches: number[] = [];
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  const waiters: Array<() => void> = [];
  return {
    batches,
    hold() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release() {
      open?.();
      gate = undefined;
    },
    /** Resolves when the next batch has been written. */
    nextBatch: () => new Promise<void>((resolve) => waiters.push(resolve)),
    sink: {
      async insertSignInLogs(records: readonly SignInLogRecord[]) {
        if (gate) await gate;
        await store.insertSignInLogs(records);
        batches.push(records.length);
        for (const wake of waiters.splice(0)) wake();
      },
    } satisfies SignInLogSink,
  };
}

describe('SignInLogRecorder', () => {
  let dir: string;
  let store: KyselyDirectoryStore;
  // The recorder's flush timer is unref'd (it must never keep a server alive); SQLite holds no handle
  // either, so without this the event loop could drain while a test awaits that timer.
  let keepAlive: NodeJS.Timeout;
  before(async () => {
    keepAlive = setInterval(() => {}, 60_000);
    dir = await mkdtemp(join(tmpdir(), 'credless-recorder-'));
    store = await openDirectoryStore({ dataDir: join(dir, 'data') });
    await store.migrate();
  });
  after(async () => {
    clearInterval(keepAlive);
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  const count = async () => (await store.querySignInLogs({ tenantId: TENANT, limit: 1000 })).length;
  const clear = () => store.deleteSignInLogsBefore(new Date(8.64e15));

  test('record() only buffers; the timer writes the batch', async () => {
    await clear();
    const sink = observed(store);
    const recorder = new SignInLogRecorder({ store: sink.sink, flushIntervalMs: 5 });
    const written = sink.nextBatch();
    recorder.record(record(1));
    recorder.record(record(2));
    assert.equal(recorder.buffered, 2);
    assert.equal(await count(), 0);
    await written;
    assert.deepEqual(sink.batches, [2]);
    assert.equal(await count(), 2);
    await recorder.close();
  });

  test('a full batch is written without waiting for the timer, in batches of maxBatch', async () => {
    await clear();
    const sink = observed(store);
    // A timer that would never fire within the test: only batch size can trigger the writes.
    const recorder = new SignInLogRecorder({ store: sink.sink, flushIntervalMs: 3_600_000, maxBatch: 100 });
    const written = sink.nextBatch();
    for (let i = 0; i < 100; i++) recorder.record(record(i));
    await written;
    assert.deepEqual(sink.batches, [100]);
    for (let i = 0; i < 250; i++) recorder.record(record(i));
    await recorder.flush();
    assert.deepEqual(sink.batches, [100, 100, 100, 50]);
    assert.equal(await count(), 350);
    await recorder.close();
  });

  test('records that arrive during a write and do not fill a batch wait for the timer, not the next round trip', async (t) => {
    await clear();
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const sink = observed(store);
    const recorder = new SignInLogRecorder({ store: sink.sink, flushIntervalMs: 200, maxBatch: 10 });
    sink.hold();
    const first = sink.nextBatch();
    for (let i = 0; i < 10; i++) recorder.record(record(i));
    // A slow store (PostgreSQL, the primary over IPC): three records arrive while the full batch is written.
    for (let i = 10; i < 13; i++) recorder.record(record(i));
    sink.release();
    await first;
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(sink.batches, [10], 'the three wait: no insert of three right behind the full one');
    assert.equal(recorder.buffered, 3);
    const second = sink.nextBatch();
    t.mock.timers.tick(200);
    await second;
    assert.deepEqual(sink.batches, [10, 3], 'the timer writes them');
    // Full batches behind a write still go at once, and flush() writes everything, partial or not.
    sink.hold();
    const third = sink.nextBatch();
    for (let i = 0; i < 10; i++) recorder.record(record(i));
    for (let i = 0; i < 14; i++) recorder.record(record(i));
    sink.release();
    await third;
    await recorder.flush();
    assert.deepEqual(sink.batches, [10, 3, 10, 10, 4]);
    assert.equal(await count(), 37);
    await recorder.close();
  });

  test('close() writes what is buffered; records after close are dropped and counted', async () => {
    await clear();
    const sink = observed(store);
    const recorder = new SignInLogRecorder({ store: sink.sink, flushIntervalMs: 3_600_000 });
    for (let i = 0; i < 7; i++) recorder.record(record(i));
    await recorder.close();
    assert.equal(await count(), 7);
    recorder.record(record(8));
    assert.equal(recorder.dropped, 1);
    assert.equal(recorder.buffered, 0);
  });

  test('a full buffer drops new records, counts them, warns once per episode, never blocks', async () => {
    await clear();
    const sink = observed(store);
    const warnings: Array<{ message: string; fields: Record<string, unknown> }> = [];
    const recorder = new SignInLogRecorder({
      store: sink.sink,
      flushIntervalMs: 3_600_000,
      maxBatch: 10,
      maxBuffered: 25,
      warn: (message, fields) => warnings.push({ message, fields }),
    });
    sink.hold();
    // 10 go out in the first (held) batch, 25 fill the buffer, 5 are dropped.
    for (let i = 0; i < 40; i++) recorder.record(record(i));
    assert.equal(recorder.dropped, 5);
    assert.equal(recorder.buffered, 25);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.message, /buffer full/);
    sink.release();
    await recorder.flush();
    assert.equal(await count(), 35);
    assert.equal(warnings.length, 2);
    assert.equal(warnings[1]!.fields['dropped'], 5);
    await recorder.close();
  });

  test('a batch the store refuses because it is unreachable is kept, retried and written after recovery', async () => {
    await clear();
    // What pg raises for a session the server terminated (SQLSTATE 57P01, admin_shutdown).
    const outage = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    let down = true;
    let attempts = 0;
    const warnings: string[] = [];
    const recorder = new SignInLogRecorder({
      store: {
        async insertSignInLogs(records) {
          attempts += 1;
          if (down) throw outage;
          await store.insertSignInLogs(records);
        },
      },
      flushIntervalMs: 1,
      maxBatch: 5,
      maxBuffered: 12,
      warn: (message) => warnings.push(message),
    });
    for (let i = 0; i < 15; i++) recorder.record(record(i));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // 12 kept in memory (the bound), 3 dropped and counted; none reported as lost by the store.
    assert.equal(recorder.buffered, 12);
    assert.equal(recorder.dropped, 3);
    assert.equal(recorder.failed, 0);
    const attemptsWhileDown = attempts;
    assert.ok(attemptsWhileDown >= 1 && attemptsWhileDown <= 3, `retries are paced: ${attemptsWhileDown}`);
    assert.equal(warnings.filter((m) => /unreachable/.test(m)).length, 1);
    down = false;
    // The retry timer (backoff from 250 ms) writes them without another record arriving.
    for (let i = 0; i < 200 && recorder.buffered > 0; i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(recorder.buffered, 0);
    assert.equal(await count(), 12);
    await recorder.close();
  });

  test('a batch the store refuses is counted as failed and the recorder keeps going', async () => {
    await clear();
    let refuse = true;
    const warnings: string[] = [];
    const recorder = new SignInLogRecorder({
      store: {
        async insertSignInLogs(records) {
          if (refuse) throw new Error('database is down');
          await store.insertSignInLogs(records);
        },
      },
      flushIntervalMs: 3_600_000,
      warn: (message) => warnings.push(message),
    });
    recorder.record(record(1));
    await recorder.flush();
    assert.equal(recorder.failed, 1);
    assert.equal(warnings.length, 1);
    refuse = false;
    recorder.record(record(2));
    await recorder.close();
    assert.equal(await count(), 1);
  });
});

describe('timeOrderedId', () => {
  test('is a version-7 UUID whose text order follows time', () => {
    const ids = [1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000].map(timeOrderedId);
    for (const id of ids)
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual([...ids].sort(), ids);
    assert.notEqual(timeOrderedId(1), timeOrderedId(1));
  });
});
