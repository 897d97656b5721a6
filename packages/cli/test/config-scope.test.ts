/**
 * A command reads only the settings it uses: a server setting it has no use for, even a bad one, does
 * not stop it; a bad setting of its own does, with the variable, the value and the allowed range.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runBinary } from './run-binary.ts';

describe('configuration read by CLI commands', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credless-config-scope-'));
    const created = await runBinary(['ad', 'app', 'create', '--display-name', 'scope', '--data-dir', dir]);
    assert.equal(created.code, 0, created.stderr);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('an offline directory command ignores a bad token lifetime', async () => {
    const listed = await runBinary(
      ['ad', 'app', 'list', '--data-dir', dir, '--query', "[?displayName=='scope'].displayName"],
      {
        env: { CREDLESS_TOKEN_LIFETIME_MIN: '100000' },
      },
    );
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout), ['scope']);
  });

  test('credless up refuses it, naming the variable, the value and the range', async () => {
    const up = await runBinary(['up', '--data-dir', join(dir, 'up')], {
      env: { CREDLESS_TOKEN_LIFETIME_MIN: '100000' },
    });
    // config_invalid in the error catalogue: invalid input, exit 2.
    assert.equal(up.code, 2, up.stderr);
    assert.match(
      up.stderr,
      /CREDLESS_TOKEN_LIFETIME_MIN must be an integer between 300 and 86400 \(got '100000'\)/,
    );
  });
});
