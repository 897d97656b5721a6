/**
 * `credless cluster create|show|list|delete` and `credless ci env`, through the real binary (argument
 * parsing, az-style --query/-o, exit codes) on a fresh data directory, offline: the Resource Manager
 * served in-process, with no credless serving the clusters.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { verifyActionsRequestToken } from '@credless/platforms';
import { loadKeyEncryptionKey } from '@credless/server';
import { formatCiEnv } from '../src/commands/ci/ci-env.ts';
import { EXIT, UsageError } from '../src/exit-codes.ts';
import { runBinary } from './run-binary.ts';

const URL_BASE = 'https://credless.example:9443';
let dataDir: string;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'credless-cli-cluster-'));
});
after(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const cluster = (...args: string[]) => runBinary(['cluster', ...args, '--data-dir', dataDir]);

describe('credless cluster (mirrors az aks)', () => {
  let created: Record<string, unknown>;

  test('create --no-wait prints nothing (as az); show prints the cluster in az aks show shape', async () => {
    // No credless serves this data directory: the create operation would wait for one (as AKS's does).
    const create = await cluster(
      'create',
      '--name',
      'dev-aks',
      '--resource-group',
      'rg-dev-aks',
      '--enable-oidc-issuer',
      '--enable-workload-identity',
      '--no-wait',
      '--url',
      URL_BASE,
    );
    assert.equal(create.code, 0, create.stderr);
    assert.equal(create.stdout, '');
    const run = await cluster('show', '-n', 'dev-aks', '-g', 'rg-dev-aks');
    assert.equal(run.code, 0, run.stderr);
    created = JSON.parse(run.stdout);
    assert.match(
      created['id'] as string,
      /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/rg-dev-aks\/providers\/Microsoft\.ContainerService\/managedClusters\/dev-aks$/,
    );
    assert.equal(created['name'], 'dev-aks');
    const profile = created['oidcIssuerProfile'] as { enabled: boolean; issuerUrl: string };
    assert.equal(profile.enabled, true);
    assert.match(
      profile.issuerUrl,
      /^https:\/\/credless\.example:9443\/oidc\/[0-9a-f-]{36}\/[0-9a-f-]{36}\/$/,
    );
    assert.deepEqual(created['securityProfile'], { workloadIdentity: { enabled: true } });
  });

  test("show --query oidcIssuerProfile.issuerUrl -o tsv prints the issuer URL alone, as the seed's step reads it", async () => {
    const run = await cluster(
      'show',
      '--resource-group',
      'rg-dev-aks',
      '--name',
      'dev-aks',
      '--query',
      'oidcIssuerProfile.issuerUrl',
      '-o',
      'tsv',
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${(created['oidcIssuerProfile'] as { issuerUrl: string }).issuerUrl}\n`);
    const id = await cluster('show', '-g', 'rg-dev-aks', '-n', 'dev-aks', '--query', 'id', '-o', 'tsv');
    assert.equal(id.stdout, `${created['id']}\n`);
  });

  test('create again is a no-op returning the same cluster', async () => {
    const run = await cluster('create', '-n', 'dev-aks', '-g', 'rg-dev-aks', '--url', 'https://elsewhere:1');
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), created);
  });

  test('list, table output, delete, then show is not found (exit 3)', async () => {
    const list = await cluster('list', '-o', 'table');
    assert.equal(list.code, 0, list.stderr);
    // az aks list's columns: the ARM id and the nested profiles stay for --query and -o json.
    assert.match(list.stdout, /^Name\s+Location\s+ResourceGroup\s+ProvisioningState$/m);
    assert.match(list.stdout, /dev-aks/);
    for (const line of list.stdout.split('\n')) assert.ok(line.length <= 80, `fits a terminal: ${line}`);
    const removed = await cluster('delete', '-n', 'dev-aks', '-g', 'rg-dev-aks', '--yes');
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, '');
    const shown = await cluster('show', '-n', 'dev-aks', '-g', 'rg-dev-aks');
    assert.equal(shown.code, EXIT.notFound);
  });

  test('a bad --query changes nothing (exit 2); the jwks subcommand is still there', async () => {
    const bad = await cluster('create', '-n', 'x', '-g', 'rg', '--query', '[[', '--url', URL_BASE);
    assert.equal(bad.code, EXIT.invalidInput);
    assert.equal((await cluster('list')).stdout, '[]\n');
    const help = await runBinary(['cluster', '--help']);
    assert.match(help.stdout, /\bjwks\b/);
    assert.match(help.stdout, /\bcreate\b/);
  });
});

describe('credless ci env', () => {
  test('json: the job variables and a request token the server accepts', async () => {
    const run = await runBinary([
      'ci',
      'env',
      '--repo',
      'octo-org/octo-repo',
      '--ref',
      'main',
      '--environment',
      'prod',
      '--format',
      'json',
      '--url',
      URL_BASE,
      '--data-dir',
      dataDir,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '', 'nothing logged (the request token is a credential)');
    const variables = JSON.parse(run.stdout) as Record<string, string>;
    assert.equal(
      variables['ACTIONS_ID_TOKEN_REQUEST_URL'],
      `${URL_BASE}/github-actions/token?api-version=2.0`,
    );
    assert.equal(variables['GITHUB_REPOSITORY'], 'octo-org/octo-repo');
    assert.equal(variables['GITHUB_REPOSITORY_OWNER'], 'octo-org');
    assert.equal(variables['GITHUB_REF'], 'refs/heads/main');
    assert.equal(variables['GITHUB_REF_NAME'], 'main');
    assert.equal(variables['GITHUB_ACTIONS'], 'true');
    const kek = await loadKeyEncryptionKey({ dataDir });
    const grant = await verifyActionsRequestToken(
      variables['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] as string,
      kek,
      Date.now(),
    );
    assert.equal(grant.job.environment, 'prod');
    assert.equal(grant.job.repositoryId, variables['GITHUB_REPOSITORY_ID']);
  });

  test('shell output is eval-able by a POSIX shell (quotes survive)', async () => {
    const text = formatCiEnv({ A: "it's", B: 'x y' }, 'shell');
    const echoed = await new Promise<string>((resolve, reject) =>
      execFile('sh', ['-c', `${text}printf '%s|%s' "$A" "$B"`], (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      ),
    );
    assert.equal(echoed, "it's|x y");
    assert.equal(formatCiEnv({ A: '1' }, 'github-env'), 'A=1\n');
    assert.throws(() => formatCiEnv({ A: 'a\nb' }, 'github-env'), UsageError);
  });

  test('bad input is exit 2: a repository without owner, an unknown format', async () => {
    const noOwner = await runBinary(['ci', 'env', '--repo', 'repo', '--ref', 'main', '--data-dir', dataDir]);
    assert.equal(noOwner.code, EXIT.invalidInput, noOwner.stderr);
    assert.equal(noOwner.stdout, '');
    const format = await runBinary([
      'ci',
      'env',
      '--repo',
      'o/r',
      '--ref',
      'main',
      '--format',
      'yaml',
      '--data-dir',
      dataDir,
    ]);
    assert.equal(format.code, EXIT.invalidInput);
    assert.equal(format.stdout, '');
  });
});
