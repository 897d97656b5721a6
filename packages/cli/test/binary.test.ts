/** The real `credless` binary in a child process: stdout, stderr and exit codes. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runBinary as credless } from './run-binary.ts';

describe('credless binary', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'credless-bin-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  test('ad app create prints the application as JSON and exits 0; ad app show finds it', async () => {
    const created = await credless(['ad', 'app', 'create', '--display-name', 'x', '--data-dir', dataDir]);
    assert.equal(created.code, 0, created.stderr);
    const app = JSON.parse(created.stdout) as Record<string, unknown>;
    assert.match(String(app['appId']), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(app['displayName'], 'x');

    const shown = await credless(['ad', 'app', 'show', '--id', String(app['appId']), '--data-dir', dataDir]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.deepEqual(JSON.parse(shown.stdout), app);
  });

  test('--version prints the CLI package version and exits 0', async () => {
    const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-V']) {
      const run = await credless([flag]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, `${version}\n`);
    }
  });

  test('an unknown command exits 2', async () => {
    const run = await credless(['frobnicate', '--data-dir', dataDir]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /unknown command 'frobnicate'/);
  });

  test('a missing required option exits 2', async () => {
    const run = await credless(['ad', 'app', 'create', '--data-dir', dataDir]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--display-name/);
  });

  test('ad app show of an unknown id exits 3 with a message on stderr', async () => {
    const id = randomUUID();
    const run = await credless(['ad', 'app', 'show', '--id', id, '--data-dir', dataDir]);
    assert.equal(run.code, 3);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, new RegExp(`^credless: application '${id}' does not exist`));
  });

  test('malformed --parameters exits 2', async () => {
    const created = await credless(['ad', 'app', 'create', '--display-name', 'y', '--data-dir', dataDir]);
    const { appId } = JSON.parse(created.stdout) as { appId: string };
    const run = await credless([
      'ad',
      'app',
      'federated-credential',
      'create',
      '--id',
      appId,
      '--parameters',
      '{name:',
      '--data-dir',
      dataDir,
    ]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--parameters: the inline value is not valid JSON/);
  });
});
