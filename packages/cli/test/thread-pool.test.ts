/**
 * `credless` sizes libuv's thread pool (which signs access tokens) to the machine before any ES module
 * loads: checked on the real binary by counting the threads of a running `credless up`.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { sizeThreadPool, threadPoolSize } from '@credless/server/thread-pool';
import { withCredlessUp } from './run-binary.ts';

test('the pool is one thread per CPU, at least 2 and at most 16', () => {
  assert.equal(threadPoolSize(), Math.min(16, Math.max(2, availableParallelism())));
});

test('sizeThreadPool sets UV_THREADPOOL_SIZE only when the operator did not', () => {
  const cases: Array<{ given: string | undefined; expected: string }> = [
    { given: undefined, expected: String(threadPoolSize()) },
    { given: '', expected: String(threadPoolSize()) },
    { given: '7', expected: '7' },
    { given: '1', expected: '1' },
  ];
  for (const { given, expected } of cases) {
    const env: NodeJS.ProcessEnv = given === undefined ? {} : { UV_THREADPOOL_SIZE: given };
    assert.equal(sizeThreadPool(env), expected, `given ${String(given)}`);
    assert.equal(env['UV_THREADPOOL_SIZE'], expected);
  }
});

const onLinux = process.platform === 'linux';
test('credless up runs with the sized pool (thread count against an explicit UV_THREADPOOL_SIZE)', {
  skip: onLinux ? false : 'SKIPPED: counting threads needs /proc (Linux only)',
}, async () => {
  // Everything but the pool is the same in both runs, so the difference in threads is the pool's.
  const threadsOf = (env: NodeJS.ProcessEnv) =>
    withCredlessUp(
      { ...env, CREDLESS_ADMIN_BOOTSTRAP: 'false' },
      async (up) => readdirSync(`/proc/${up.pid}/task`).length,
    );
  const extra = 3;
  const sized = await threadsOf({ UV_THREADPOOL_SIZE: '' });
  const explicit = await threadsOf({ UV_THREADPOOL_SIZE: String(threadPoolSize() + extra) });
  assert.equal(explicit - sized, extra, `threads: ${sized} sized by credless, ${explicit} with +${extra}`);
});
