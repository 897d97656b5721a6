/**
 * The az-shaped commands through the real binary: local administrator login, the rule for where
 * `ad …` acts (session vs --data-dir), exit codes and messages for bad input, --help.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { graphCreateApplication, graphListApplications } from '../../src/commands/az/graph-objects.ts';
import { type AzFixture, startAzFixture } from './az-fixture.ts';

describe('credless binary: az-shaped commands', () => {
  let f: AzFixture;
  let appId: string;
  before(async () => {
    f = await startAzFixture();
    appId = String((await graphCreateApplication(f.api, { displayName: 'binary' }))['appId']);
  });
  after(async () => f.close());

  test('credless login (local administrator) writes a 0600 session; account show -o table', async () => {
    const configDir = join(f.dir, 'local-login');
    const run = await f.run(['login', '--data-dir', f.credless.dataDir, '--authority', f.credless.url], {
      configDir,
    });
    assert.equal(run.code, 0, run.stderr);
    const account = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.equal(account['kind'], 'local-admin');
    assert.equal(account['tenantId'], f.credless.tenantId);
    const { stat } = await import('node:fs/promises');
    if (process.platform !== 'win32')
      assert.equal((await stat(join(configDir, 'session.json'))).mode & 0o777, 0o600);
    const table = await f.run(['account', 'show', '-o', 'table'], { configDir });
    assert.match(table.stdout, /^TenantId\s+Kind\s+Authority/);
    assert.match(table.stdout, /local-admin/);
  });

  test('a JMESPath syntax error exits 2 before anything is written', async () => {
    const run = await f.run([
      'ad',
      'app',
      'create',
      '--display-name',
      'never-written',
      '--query',
      '[0.appId',
    ]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(
      run.stderr,
      /^credless: --query: '\[0\.appId' is not a valid JMESPath expression: Syntax error: expected Rbracket/,
    );
    assert.deepEqual(await graphListApplications(f.api, { displayName: 'never-written' }), []);
    const format = await f.run(['ad', 'app', 'create', '--display-name', 'never-written', '-o', 'yaml']);
    assert.equal(format.code, 2);
    assert.match(format.stderr, /--output: 'yaml' is not one of json, jsonc, tsv, table, none/);
    assert.deepEqual(await graphListApplications(f.api, { displayName: 'never-written' }), []);
  });

  test('federated-credential create: same again exits 0; different content exits 4 naming the fields; a malformed file exits 2', async () => {
    const fic = { name: 'deploy', issuer: f.issuer.issuer, subject: 'repo:contoso/app:environment:prod' };
    const file = await f.file('fic.json', fic);
    const create = (path: string) =>
      f.run(['ad', 'app', 'federated-credential', 'create', '--id', appId, '--parameters', `@${path}`]);
    const first = await create(file);
    assert.equal(first.code, 0, first.stderr);
    const again = await create(file);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), JSON.parse(first.stdout));
    const changed = await create(
      await f.file('fic-changed.json', { ...fic, subject: 'repo:contoso/app:environment:dev' }),
    );
    assert.equal(changed.code, 4);
    assert.match(
      changed.stderr,
      /federated credential 'deploy' already exists on application .* with a different subject; delete it first/,
    );
    const broken = await create(await f.file('fic-broken.json', '{"name": "deploy",'));
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /--parameters: .*fic-broken.json is not valid JSON/);
    const list = await f.run([
      'ad',
      'app',
      'federated-credential',
      'list',
      '--id',
      appId,
      '--query',
      '[].subject',
      '-o',
      'tsv',
    ]);
    assert.equal(list.stdout, 'repo:contoso/app:environment:prod\n');
  });

  test('--data-dir acts on that store offline; the session does not see it', async () => {
    const offline = join(f.dir, 'offline-store');
    const run = await f.run([
      'ad',
      'app',
      'create',
      '--display-name',
      'offline-only',
      '--data-dir',
      offline,
      '--query',
      'displayName',
      '-o',
      'tsv',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'offline-only\n');
    assert.deepEqual(await graphListApplications(f.api, { displayName: 'offline-only' }), []);
  });

  test('ad app create -o json prints the same object offline (in-process) and logged in', async () => {
    const args = ['ad', 'app', 'create', '--display-name', 'same-shape', '--identifier-uris', 'api://same'];
    const online = await f.run([...args, '-o', 'json']);
    assert.equal(online.code, 0, online.stderr);
    // The same public URL offline, so that @odata.context is comparable too.
    const offline = await f.run([...args, '-o', 'json', '--data-dir', join(f.dir, 'same-shape')], {
      env: { CREDLESS_PUBLIC_URL: f.credless.url },
    });
    assert.equal(offline.code, 0, offline.stderr);
    const generated = ['id', 'objectId', 'appId', 'createdDateTime'];
    const [a, b] = [online, offline].map((run) => JSON.parse(run.stdout) as Record<string, unknown>);
    assert.deepEqual(Object.keys(b ?? {}), Object.keys(a ?? {}));
    const fixed = (app: Record<string, unknown> | undefined) =>
      Object.fromEntries(Object.entries(app ?? {}).filter(([key]) => !generated.includes(key)));
    assert.deepEqual(fixed(b), fixed(a));
    assert.equal(fixed(a)['displayName'], 'same-shape');
    assert.equal(a?.['objectId'], a?.['id']);
  });

  test('a read-only command never creates a data directory: a missing one exits 3 naming it', async () => {
    const missing = join(f.dir, 'mistyped-data-dir');
    for (const args of [
      ['ad', 'app', 'list'],
      ['ad', 'sp', 'show', '--id', appId],
      ['ad', 'group', 'list'],
      ['signins', 'list'],
      ['admin', 'show'],
      ['admin', 'rotate-key'],
    ]) {
      const run = await f.run([...args, '--data-dir', missing]);
      assert.equal(run.code, 3, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, new RegExp(`no data directory at ${missing}`));
    }
    const { access } = await import('node:fs/promises');
    await assert.rejects(access(missing), /ENOENT/);
  });

  test('every az-shaped command has --help (exit 0)', async () => {
    const run = await f.run(['ad', 'app', 'permission', 'grant', '--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /--api <appId>/);
    assert.match(run.stdout, /--query <jmespath>/);
  });
});
