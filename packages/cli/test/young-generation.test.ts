/**
 * `credless up` fixes V8's young generation before anything runs (re-executing itself with the flags, in
 * the same process), so a steady load cannot grow its RSS by doublings of the new space: checked on the
 * real binary through /proc, and on V8 itself, whose new space stops at the fixed size.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { YOUNG_GENERATION_FLAGS, youngGenerationSized } from '@credless/server/young-generation';
import { withCredlessUp } from './run-binary.ts';

test('the young generation counts as sized when the operator set a semi-space size', () => {
  assert.equal(youngGenerationSized([], {}), false);
  assert.equal(
    youngGenerationSized(['--import', 'tsx'], { NODE_OPTIONS: '--max-old-space-size=512' }),
    false,
  );
  assert.equal(youngGenerationSized(YOUNG_GENERATION_FLAGS, {}), true);
  assert.equal(youngGenerationSized(['--max_semi_space_size=4'], {}), true);
  assert.equal(youngGenerationSized([], { NODE_OPTIONS: '--max-semi-space-size=32' }), true);
});

test('with the flags, V8 never grows the new space past two fixed semi-spaces under allocation', () => {
  // A survival-heavy allocation loop: by default V8 doubles the new space to 128 MB within seconds.
  const script = `
    const v8 = require('node:v8');
    let kept = [], max = 0;
    for (let round = 0; round < 3000; round++) {
      for (let i = 0; i < 1000; i++) kept.push({ i, s: 'x' + i });
      if (kept.length > 200000) kept = kept.slice(100000);
      const space = v8.getHeapSpaceStatistics().find((each) => each.space_name === 'new_space');
      max = Math.max(max, space.space_size);
    }
    console.log(max);`;
  const maxNewSpace = (flags: readonly string[]) =>
    Number(spawnSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8' }).stdout.trim());
  const semiSpaceBytes = Number(/=(\d+)$/.exec(YOUNG_GENERATION_FLAGS[0] as string)?.[1]) * 1024 * 1024;
  const sized = maxNewSpace(YOUNG_GENERATION_FLAGS);
  const unsized = maxNewSpace([]);
  // V8 reports a few pages beyond the two semi-spaces (17.5 MB for 2 × 8 MB here); a doubling would be 32 MB.
  const fixedCeiling = 3 * semiSpaceBytes;
  assert.ok(sized < fixedCeiling, `new space with the flags: ${sized} bytes`);
  assert.ok(
    unsized > fixedCeiling,
    `V8's default grows past it (${unsized} bytes), or the test proves nothing`,
  );
});

const onLinux = process.platform === 'linux';
const hasExecve = typeof (process as { execve?: unknown }).execve === 'function';
const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

test('credless up runs with the fixed young generation, in the process it started as', {
  skip: !onLinux
    ? 'SKIPPED: reading a command line needs /proc (Linux only)'
    : !hasExecve
      ? 'SKIPPED: this Node has no process.execve (before 22.15), so credless keeps V8 defaults'
      : false,
}, async () => {
  // up.pid is the child spawned: the banner came from that same pid, now running with the flags.
  const run = (env: NodeJS.ProcessEnv) =>
    withCredlessUp({ ...env, CREDLESS_ADMIN_BOOTSTRAP: 'false' }, async (up) => commandLine(up.pid));
  const sized = await run({});
  for (const flag of YOUNG_GENERATION_FLAGS) assert.ok(sized.includes(flag), `${flag} in ${sized.join(' ')}`);
  assert.equal(sized.filter((arg) => arg === 'up').length, 1, 'the command is passed on once');
  // The operator's own setting wins: no re-execution, so none of credless's flags.
  const operator = await run({ NODE_OPTIONS: '--max-semi-space-size=4' });
  for (const flag of YOUNG_GENERATION_FLAGS)
    assert.ok(!operator.includes(flag), `${flag} not in ${operator.join(' ')}`);
});
