/**
 * `credless backup` / `credless restore` through the built binary: argument wiring, the JSON summary on
 * standard output, and refusals as `credless: …` on standard error with the CLI's exit codes (the
 * behaviour itself is in backup.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestCredless, type TestCredless } from '@credless/testkit';
import { EXIT } from '../src/exit-codes.ts';
import { runBinary } from './run-binary.ts';

let credless: TestCredless;
let work: string;
before(async () => {
  credless = await startTestCredless();
  work = await mkdtemp(join(tmpdir(), 'credless-backup-bin-'));
});
after(async () => {
  await credless?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

test('backup and restore with the binary: summary, refusals and exit codes', async () => {
  const file = join(work, 'credless.backup');
  const made = await runBinary(['backup', file, '--data-dir', credless.dataDir, '--include-kek']);
  assert.equal(made.code, EXIT.ok, made.stderr);
  assert.equal((JSON.parse(made.stdout) as { kekFile: string }).kekFile, `${file}.kek`);
  const restored = await runBinary(['restore', file, '--data-dir', join(work, 'restored')]);
  assert.equal(restored.code, EXIT.ok, restored.stderr);
  assert.equal((JSON.parse(restored.stdout) as { kekSource: string }).kekSource, 'backup kek file');

  const refusals = [
    { args: ['restore', file, '--data-dir', join(work, 'restored')], code: EXIT.conflict },
    { args: ['restore', file, '--data-dir', credless.dataDir, '--force'], code: EXIT.conflict },
    { args: ['restore', join(work, 'missing'), '--data-dir', join(work, 'x')], code: EXIT.notFound },
    {
      args: ['backup', join(work, 'pg'), '--database-url', 'postgres://u@127.0.0.1/db'],
      code: EXIT.invalidInput,
    },
  ];
  for (const { args, code } of refusals) {
    const run = await runBinary(args);
    assert.equal(run.code, code, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, /^credless: \S/);
  }
});
