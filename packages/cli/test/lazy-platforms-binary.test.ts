/**
 * The built binary loads @credless/platforms (local clusters, registries, the cluster runtime) only for
 * a command that needs it: help, the version and directory commands offline never load one of its
 * files; `ci env` and a cluster request do. Every module the child loads is recorded by a preload.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type BinaryRun, runBinary } from './run-binary.ts';

const PRELOAD = new URL('./support/record-loaded-modules.mjs', import.meta.url).href;
const PLATFORMS_DIR = fileURLToPath(new URL('../../platforms/', import.meta.url));
// The workspace link, should a loader ever keep it instead of the real path.
const PLATFORMS_LINK = `${join('node_modules', '@credless', 'platforms')}/`;

let work: string;
let dataDir: string;
let runs = 0;

/** Runs the binary with the recording preload: its output and every file module it loaded. */
async function credless(args: string[]): Promise<BinaryRun & { modules: string[] }> {
  const record = join(work, `loaded-${++runs}.txt`);
  const run = await runBinary(args, {
    env: { CREDLESS_TEST_LOADED_MODULES: record },
    nodeArgs: ['--import', PRELOAD],
  });
  const modules = (await readFile(record, 'utf8')).split('\n').filter(Boolean);
  // The recorder saw the command itself: an empty record would pass every "not loaded" check.
  assert.ok(
    modules.some((path) => path.endsWith(join('cli', 'dist', 'cli.js'))),
    run.stderr,
  );
  return { ...run, modules };
}

const platformFiles = (modules: string[]) =>
  modules.filter((path) => path.startsWith(PLATFORMS_DIR) || path.includes(PLATFORMS_LINK));

function assertNoPlatforms(run: BinaryRun & { modules: string[] }, what: string) {
  assert.equal(run.code, 0, `${what}: ${run.stderr}`);
  assert.deepEqual(platformFiles(run.modules), [], `${what} loaded the local platforms`);
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'credless-lazy-platforms-'));
  dataDir = join(work, 'data');
});
after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('offline commands do not load @credless/platforms', () => {
  test('--help and --version', async () => {
    const help = await credless(['--help']);
    assertNoPlatforms(help, '--help');
    assert.match(help.stdout, /^Usage: credless /);
    assertNoPlatforms(await credless(['--version']), '--version');
  });

  test('the help of commands that need the platforms: up, ci env, cluster apply, acr build', async () => {
    for (const command of [['up'], ['ci', 'env'], ['cluster', 'apply'], ['acr', 'build']]) {
      const run = await credless([...command, '--help']);
      assertNoPlatforms(run, `${command.join(' ')} --help`);
      assert.match(run.stdout, new RegExp(`^Usage: credless ${command.join(' ')} \\[options\\]`));
    }
  });

  test('ad app create and ad app list -o json on a data directory, in-process', async () => {
    const created = await credless(['ad', 'app', 'create', '--display-name', 'lazy', '--data-dir', dataDir]);
    assertNoPlatforms(created, 'ad app create');
    const app = JSON.parse(created.stdout) as { appId: string };
    const listed = await credless(['ad', 'app', 'list', '-o', 'json', '--data-dir', dataDir]);
    assertNoPlatforms(listed, 'ad app list');
    const apps = JSON.parse(listed.stdout) as Array<{ appId: string }>;
    assert.ok(
      apps.some((found) => found.appId === app.appId),
      listed.stdout,
    );
  });

  test('a Resource Manager request for no cluster or registry (role assignment list)', async () => {
    const run = await credless(['role', 'assignment', 'list', '--all', '-o', 'json', '--data-dir', dataDir]);
    assertNoPlatforms(run, 'role assignment list');
    assert.ok(Array.isArray(JSON.parse(run.stdout)), run.stdout);
  });
});

describe('commands that need @credless/platforms load it when they run', () => {
  test('ci env mints the request token with the platforms', async () => {
    const run = await credless([
      'ci',
      'env',
      '--repo',
      'o/r',
      '--ref',
      'main',
      '--format',
      'json',
      '--data-dir',
      dataDir,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const variables = JSON.parse(run.stdout) as Record<string, string>;
    assert.match(variables['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] ?? '', /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.notDeepEqual(platformFiles(run.modules), []);
  });

  test("cluster create and show: the cluster's view has the platforms' Kubernetes version", async () => {
    const names = ['--name', 'lazy-aks', '--resource-group', 'rg-lazy', '--data-dir', dataDir];
    const create = await credless(['cluster', 'create', ...names, '--enable-oidc-issuer', '--no-wait']);
    assert.equal(create.code, 0, create.stderr);
    assert.notDeepEqual(platformFiles(create.modules), []);
    const show = await credless(['cluster', 'show', ...names]);
    assert.equal(show.code, 0, show.stderr);
    const cluster = JSON.parse(show.stdout) as { name: string; kubernetesVersion: string };
    assert.equal(cluster.name, 'lazy-aks');
    assert.match(cluster.kubernetesVersion, /^\d+\.\d+\.\d+$/);
    assert.notDeepEqual(platformFiles(show.modules), []);
  });
});
