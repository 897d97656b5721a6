/**
 * `credless cluster …` and `credless acr …` through the Resource Manager, by the real binary on both
 * transports: logged in (HTTPS to a running credless with the local platforms) and offline (`--data-dir`:
 * the same requests served in-process) print the same az-shaped objects and exit alike.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LocalPlatforms } from '@credless/platforms';
import { startTestCredless, type TestCredless } from '@credless/testkit';
import { EXIT } from '../../src/exit-codes.ts';
import { login } from '../../src/session/login.ts';
import { runBinary } from '../run-binary.ts';

let credless: TestCredless;
let dir: string;
let configDir: string;

/** Logged in as the local administrator (HTTPS); no data directory to fall back on. */
const online = (...args: string[]) =>
  runBinary(args, {
    cwd: dir,
    env: { CREDLESS_CONFIG_DIR: configDir, CREDLESS_DATA_DIR: join(dir, 'no-data') },
  });
/** Offline: the running credless's data directory, in-process, under the same public URL. */
const offline = (...args: string[]) =>
  runBinary([...args, '--data-dir', credless.dataDir], {
    cwd: dir,
    env: { CREDLESS_CONFIG_DIR: join(dir, 'no-session'), CREDLESS_PUBLIC_URL: credless.url },
  });

before(async () => {
  credless = await startTestCredless({ plugins: [new LocalPlatforms()] });
  dir = await mkdtemp(join(tmpdir(), 'credless-cluster-arm-'));
  configDir = join(dir, 'config');
  await login({ local: true, authority: credless.url, dataDir: credless.dataDir, configDir, env: {} });
});
after(async () => {
  await credless?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('cluster and acr commands: one API, two transports', () => {
  test('create logged in; show -o json prints the same object offline and logged in', async () => {
    const created = await online(
      'cluster',
      'create',
      '-n',
      'arm-aks',
      '-g',
      'rg-arm',
      '--enable-workload-identity',
      '--query',
      '{name: name, issuer: oidcIssuerProfile.issuerUrl, state: provisioningState}',
    );
    assert.equal(created.code, 0, created.stderr);
    const summary = JSON.parse(created.stdout) as Record<string, string>;
    assert.equal(summary['name'], 'arm-aks');
    assert.equal(summary['state'], 'Succeeded', 'create waits for the operation, as az');
    assert.ok(summary['issuer']?.startsWith(`${credless.url}/oidc/${credless.tenantId}/`));

    const shown = await online('cluster', 'show', '-n', 'arm-aks', '-g', 'rg-arm', '-o', 'json');
    const shownOffline = await offline('cluster', 'show', '-n', 'arm-aks', '-g', 'rg-arm', '-o', 'json');
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(shownOffline.code, 0, shownOffline.stderr);
    const cluster = JSON.parse(shown.stdout) as Record<string, unknown>;
    assert.deepEqual(JSON.parse(shownOffline.stdout), cluster);
    assert.equal(cluster['resourceGroup'], 'rg-arm');
    assert.deepEqual(cluster['securityProfile'], { workloadIdentity: { enabled: true } });
    assert.ok((cluster['identityProfile'] as { kubeletidentity?: unknown }).kubeletidentity);
    assert.equal(
      (await offline('cluster', 'list', '-o', 'json')).stdout,
      (await online('cluster', 'list', '-o', 'json')).stdout,
    );
  });

  test('acr create offline; acr show -o json prints the same object offline and logged in', async () => {
    const created = await offline(
      'acr',
      'create',
      '-n',
      'armreg01',
      '-g',
      'rg-arm',
      '--query',
      'name',
      '-o',
      'tsv',
    );
    assert.equal(created.stdout, 'armreg01\n', created.stderr);
    const shown = await online('acr', 'show', '-n', 'armreg01', '-o', 'json');
    const shownOffline = await offline('acr', 'show', '-n', 'armreg01', '-o', 'json');
    assert.equal(shown.code, 0, shown.stderr);
    const registry = JSON.parse(shown.stdout) as Record<string, unknown>;
    assert.deepEqual(JSON.parse(shownOffline.stdout), registry);
    assert.equal(registry['loginServer'], 'armreg01.azurecr.io');
    // Without -g, a new registry goes to credless-registries (created as needed); list shows both.
    const placed = await online('acr', 'create', '-n', 'armreg02', '--query', 'resourceGroup', '-o', 'tsv');
    assert.equal(placed.stdout, 'credless-registries\n', placed.stderr);
    const names = await offline('acr', 'list', '--query', '[].name', '-o', 'tsv');
    assert.equal(names.stdout, 'armreg01\narmreg02\n', names.stderr);
    assert.match(
      registry['id'] as string,
      /\/resourceGroups\/rg-arm\/providers\/Microsoft\.ContainerRegistry\/registries\/armreg01$/,
    );
  });

  test('update --attach-acr is an AcrPull assignment for the kubelet identity on the registry', async () => {
    const updated = await online(
      'cluster',
      'update',
      '-n',
      'arm-aks',
      '-g',
      'rg-arm',
      '--attach-acr',
      'armreg01',
    );
    assert.equal(updated.code, 0, updated.stderr);
    const kubelet = (
      JSON.parse(updated.stdout) as { identityProfile: { kubeletidentity: { objectId: string } } }
    ).identityProfile.kubeletidentity.objectId;
    const registryId = (
      await offline('acr', 'show', '-n', 'armreg01', '--query', 'id', '-o', 'tsv')
    ).stdout.trim();
    const listed = await offline('role', 'assignment', 'list', '--scope', registryId, '-o', 'json');
    const assignments = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(
      assignments.map((a) => [a['roleDefinitionName'], a['principalId']]),
      [['AcrPull', kubelet]],
    );
  });

  test('not found is exit 3 on both transports; a missing data directory is not created', async () => {
    for (const run of [online, offline]) {
      const missing = await run('cluster', 'show', '-n', 'nope', '-g', 'rg-arm');
      assert.equal(missing.code, EXIT.notFound, missing.stderr);
      const registry = await run('acr', 'show', '-n', 'nosuchreg');
      assert.equal(registry.code, EXIT.notFound, registry.stderr);
    }
    const absent = join(dir, 'absent');
    const listed = await runBinary(['cluster', 'list', '--data-dir', absent]);
    assert.equal(listed.code, EXIT.notFound);
    assert.match(listed.stderr, /absent/);
  });
});
