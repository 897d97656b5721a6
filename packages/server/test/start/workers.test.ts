/**
 * The parts of `credless up --workers` that need no second process: how many workers by default, and
 * the request/reply protocol over IPC (here over an in-memory channel: the processes themselves are
 * tested in packages/cli/test/workers.test.ts).
 */
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import {
  answer,
  IPC_CALL_TIMEOUT_MS,
  IpcCalls,
  type SendMessage,
  type WorkerMessage,
  workerCount,
} from '../../src/start/workers.ts';

test('workers: as configured, else one per CPU with PostgreSQL and one (no cluster) with SQLite', () => {
  assert.equal(workerCount({ workers: 3, databaseUrl: undefined }), 3);
  assert.equal(workerCount({ workers: 1, databaseUrl: 'postgres://db/credless' }), 1);
  assert.equal(workerCount({ workers: 0, databaseUrl: undefined }), 1);
  assert.equal(workerCount({ workers: 0, databaseUrl: 'postgres://db/credless' }), availableParallelism());
});

/** Two ends of a channel: what one side sends, the other's handler receives (asynchronously, as IPC). */
function channel(onCall: (message: WorkerMessage, reply: SendMessage) => void) {
  const calls = new IpcCalls();
  const toOther: SendMessage = (message) => setImmediate(() => onCall(message, toCaller));
  const toCaller: SendMessage = (message) => setImmediate(() => calls.settle(message));
  return { calls, toOther };
}

test('IPC calls: each reply settles its own call, with its value or its failure', async () => {
  const { calls, toOther } = channel((message, reply) => {
    if (!('id' in message) || message.credless === 'reply') return;
    answer(reply, message.id, () => {
      if (message.credless === 'collect') return `metrics of call ${message.id}`;
      if (message.credless === 'sign-ins') return `${(message.payload as unknown[]).length} records`;
      throw new Error('the store is closed');
    });
  });
  const [collected, written, failed] = await Promise.allSettled([
    calls.call(toOther, 'collect'),
    calls.call(toOther, 'sign-ins', [{ id: 'a' }, { id: 'b' }]),
    calls.call(toOther, 'invalidate'),
  ]);
  assert.deepEqual(collected, { status: 'fulfilled', value: 'metrics of call 1' });
  assert.deepEqual(written, { status: 'fulfilled', value: '2 records' });
  assert.equal(failed.status, 'rejected');
  assert.match(String((failed as PromiseRejectedResult).reason), /the store is closed/);
});

test('IPC calls: a call nobody answers fails after the time limit instead of hanging', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const calls = new IpcCalls();
  const pending = calls.call(() => {}, 'directory-changed');
  t.mock.timers.tick(IPC_CALL_TIMEOUT_MS);
  await assert.rejects(pending, /no answer to 'directory-changed'/);
  // A late reply to it is ignored (still recognized as a reply, so nobody else handles it).
  assert.equal(calls.settle({ credless: 'reply', id: 1, value: 'late' }), true);
  assert.equal(calls.settle({ credless: 'ready', port: 1 }), false);
});
