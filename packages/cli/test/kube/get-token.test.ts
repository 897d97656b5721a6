/**
 * `credless get-token`: ExecCredentials from a real credless, for a federated token file or a GitHub
 * Actions token, the token cache, and the failures.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { caTrustHint } from '@credless/core';
import { GetTokenError, type GetTokenOptions, getToken } from '../../src/commands/kube/get-token.ts';
import { REFRESH_BEFORE_EXPIRY_MS } from '../../src/commands/kube/token-cache.ts';
import { EXIT, UsageError } from '../../src/exit-codes.ts';
import { BIN } from '../run-binary.ts';
import { GITHUB_SUBJECT, type KubeScenario, SUBJECT, startKubeScenario } from './kube-scenario.ts';

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

let kube: KubeScenario;
let dir: string;
let tokenFile: string;
let github: Server;
let githubUrl: string;
const githubRequests: Array<{ url: string; authorization: string | undefined }> = [];

before(async () => {
  kube = await startKubeScenario();
  dir = await mkdtemp(join(tmpdir(), 'credless-get-token-'));
  tokenFile = join(dir, 'azure-identity-token');
  await writeFile(
    tokenFile,
    await kube.issuer.issueToken({ sub: SUBJECT, aud: ['api://AzureADTokenExchange'] }),
  );
  // GitHub Actions' token endpoint: `value` for the request token, 401 otherwise.
  github = createServer(async (req, res) => {
    githubRequests.push({ url: req.url ?? '', authorization: req.headers.authorization });
    const audience = new URL(req.url ?? '', 'http://x').searchParams.get('audience');
    if (req.headers.authorization !== 'bearer actions-request-token' || !audience) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"Bad credentials"}');
      return;
    }
    const value = await kube.issuer.issueToken({ sub: GITHUB_SUBJECT, aud: audience });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count: 1, value }));
  });
  await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
  githubUrl = `http://127.0.0.1:${(github.address() as AddressInfo).port}/_apis/distributedtask/hubs/build/plans/1/jobs/2/idtoken?api-version=2.0`;
});
after(async () => {
  await new Promise((resolve) => github.close(resolve));
  await kube.close();
  await rm(dir, { recursive: true, force: true });
});

const options = (extra: Partial<GetTokenOptions> = {}): GetTokenOptions => ({
  login: 'workloadidentity',
  serverId: kube.serverId,
  tokenCacheDir: join(dir, 'cache'),
  ...extra,
});
const azureEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  AZURE_CLIENT_ID: kube.clientId,
  AZURE_TENANT_ID: kube.credless.tenantId,
  AZURE_FEDERATED_TOKEN_FILE: tokenFile,
  AZURE_AUTHORITY_HOST: `${kube.credless.url}/`,
  ...extra,
});

describe('get-token', () => {
  test('prints a v1beta1 ExecCredential whose token credless signed for the server app', async () => {
    const before = Date.now();
    const credential = await getToken(options({ cache: false }), { env: azureEnv(), fetch: kube.fetch });
    assert.equal(credential.kind, 'ExecCredential');
    assert.equal(credential.apiVersion, 'client.authentication.k8s.io/v1beta1');
    assert.deepEqual(credential.spec, { interactive: false });
    assert.match(credential.status.expirationTimestamp, RFC3339_UTC);
    const payload = await kube.verify(credential.status.token);
    assert.equal(payload.aud, kube.serverId);
    assert.equal(payload['appid'] ?? payload['azp'], kube.clientId);
    const expires = Date.parse(credential.status.expirationTimestamp);
    assert.ok(
      Math.abs(expires - (payload.exp as number) * 1000) <= 2000,
      'expirationTimestamp = token expiry',
    );
    assert.ok(expires > before + 30 * 60 * 1000);
  });

  test('answers in the version KUBERNETES_EXEC_INFO asks for', async () => {
    const execInfo = (apiVersion: string) =>
      JSON.stringify({ kind: 'ExecCredential', apiVersion, spec: { interactive: false } });
    const v1 = await getToken(options(), {
      env: azureEnv({ KUBERNETES_EXEC_INFO: execInfo('client.authentication.k8s.io/v1') }),
      fetch: kube.fetch,
    });
    assert.equal(v1.apiVersion, 'client.authentication.k8s.io/v1');
    await assert.rejects(
      getToken(options(), {
        env: azureEnv({ KUBERNETES_EXEC_INFO: execInfo('client.authentication.k8s.io/v1alpha1') }),
        fetch: kube.fetch,
      }),
      (error: unknown) => error instanceof UsageError && /v1alpha1/.test(error.message),
    );
  });

  test('caches the token in a 0600 file until 5 minutes before it expires', async () => {
    const cacheDir = join(dir, 'cache-test');
    let exchanges = 0;
    const counting = ((...args: Parameters<typeof fetch>) => {
      exchanges++;
      return kube.fetch(...args);
    }) as typeof fetch;
    const first = await getToken(options({ tokenCacheDir: cacheDir }), { env: azureEnv(), fetch: counting });
    const second = await getToken(options({ tokenCacheDir: cacheDir }), { env: azureEnv(), fetch: counting });
    assert.equal(exchanges, 1);
    assert.equal(second.status.token, first.status.token);
    const [file] = await readdir(cacheDir);
    assert.equal((await stat(join(cacheDir, file as string))).mode & 0o777, 0o600);
    assert.equal((await stat(cacheDir)).mode & 0o777, 0o700);

    // Another server id is another cache entry.
    await getToken(options({ tokenCacheDir: cacheDir, serverId: kube.serverId.toUpperCase() }), {
      env: azureEnv(),
      fetch: counting,
    }).catch(() => undefined);
    assert.equal(exchanges, 2);

    // Another federated token file (another identity, maybe) is another cache entry.
    const otherFile = join(dir, 'other-identity-token');
    await writeFile(otherFile, await readFile(tokenFile));
    await getToken(options({ tokenCacheDir: cacheDir }), {
      env: azureEnv({ AZURE_FEDERATED_TOKEN_FILE: otherFile }),
      fetch: counting,
    });
    assert.equal(exchanges, 3);

    // Inside the last 5 minutes the cached token is not used any more.
    const expiresOn = Date.parse(first.status.expirationTimestamp);
    const late = () => expiresOn - REFRESH_BEFORE_EXPIRY_MS + 1000;
    const third = await getToken(options({ tokenCacheDir: cacheDir }), {
      env: azureEnv(),
      fetch: counting,
      now: late,
    });
    assert.equal(exchanges, 4);
    assert.notEqual(third.status.token, first.status.token);
  });

  test('uses the GitHub Actions token when the Actions variables are set and no token file', async () => {
    githubRequests.length = 0;
    const env = azureEnv({
      AZURE_FEDERATED_TOKEN_FILE: undefined,
      ACTIONS_ID_TOKEN_REQUEST_URL: githubUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'actions-request-token',
    });
    const credential = await getToken(options({ cache: false }), { env, fetch: kube.fetch });
    assert.equal((await kube.verify(credential.status.token)).aud, kube.serverId);
    assert.equal(githubRequests.length, 1);
    const requested = new URL(githubRequests[0]?.url ?? '', 'http://x');
    assert.equal(requested.searchParams.get('audience'), 'api://AzureADTokenExchange');
    assert.equal(requested.searchParams.get('api-version'), '2.0');

    await assert.rejects(
      getToken(options({ cache: false }), {
        env: { ...env, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'wrong' },
        fetch: kube.fetch,
      }),
      (error: unknown) =>
        error instanceof GetTokenError && /GitHub Actions token request: HTTP 401/.test(error.message),
    );
  });

  test('a refused exchange names the AADSTS code and never echoes the assertion', async () => {
    const wrong = join(dir, 'wrong-subject-token');
    const assertion = await kube.issuer.issueToken({
      sub: `${SUBJECT}-other`,
      aud: 'api://AzureADTokenExchange',
    });
    await writeFile(wrong, assertion);
    await assert.rejects(
      getToken(options({ cache: false }), {
        env: azureEnv({ AZURE_FEDERATED_TOKEN_FILE: wrong }),
        fetch: kube.fetch,
      }),
      (error: unknown) => {
        assert.ok(error instanceof GetTokenError);
        assert.match(error.message, /HTTP 401 invalid_client AADSTS700213/);
        assert.ok(!error.message.includes(assertion.split('.')[1] as string));
        return true;
      },
    );
  });

  for (const [name, env, extra, message] of [
    ['no client id', { AZURE_CLIENT_ID: undefined }, {}, /--client-id or \$AZURE_CLIENT_ID is required/],
    ['no tenant id', { AZURE_TENANT_ID: undefined }, {}, /\$AZURE_TENANT_ID is required/],
    [
      'no federated token',
      { AZURE_FEDERATED_TOKEN_FILE: undefined },
      {},
      /AZURE_FEDERATED_TOKEN_FILE is required/,
    ],
    [
      'a missing token file',
      { AZURE_FEDERATED_TOKEN_FILE: '/nonexistent/token' },
      {},
      /cannot read .*ENOENT/,
    ],
    ['an http authority', { AZURE_AUTHORITY_HOST: 'http://localhost' }, {}, /not an https URL/],
    ['another login mode', {}, { login: 'azurecli' }, /'azurecli' is not supported/],
  ] as const) {
    test(`refuses ${name} with a usage error`, async () => {
      await assert.rejects(
        getToken(options({ cache: false, ...extra }), { env: azureEnv(env), fetch: kube.fetch }),
        (error: unknown) => error instanceof UsageError && message.test(error.message),
      );
    });
  }

  test('flags override the environment; an unreachable authority is a clear failure', async () => {
    await assert.rejects(
      getToken(options({ cache: false, authorityHost: 'https://127.0.0.1:1/' }), {
        env: azureEnv(),
        fetch: kube.fetch,
      }),
      (error: unknown) =>
        error instanceof GetTokenError && /cannot reach https:\/\/127\.0\.0\.1:1/.test(error.message),
    );
  });

  test('an authority whose certificate is not trusted: the failure says how to trust the local CA', async () => {
    // Node's own fetch, which (without NODE_EXTRA_CA_CERTS) does not trust the credless test CA.
    await assert.rejects(
      getToken(options({ cache: false }), { env: azureEnv(), fetch }),
      (error: unknown) =>
        error instanceof GetTokenError &&
        error.message.includes(`cannot reach ${kube.credless.url}`) &&
        error.message.includes(`; ${caTrustHint()}`),
    );
  });

  test('the binary prints the ExecCredential on stdout; failures exit 2 (usage) or 1, stderr without tokens', async () => {
    const runBin = (env: NodeJS.ProcessEnv) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const args = [BIN, 'get-token', '--login', 'workloadidentity', '--server-id', kube.serverId];
        execFile(
          process.execPath,
          args,
          { env: { PATH: process.env['PATH'], ...env } },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
        );
      });
    const caFile = join(dir, 'credless-ca.pem');
    await writeFile(caFile, kube.credless.caCertPem as string);
    const env = azureEnv({ NODE_EXTRA_CA_CERTS: caFile, XDG_CACHE_HOME: join(dir, 'bin-cache') });
    const ok = await runBin(env);
    assert.equal(ok.code, EXIT.ok, ok.stderr);
    const credential = JSON.parse(ok.stdout);
    assert.equal((await kube.verify(credential.status.token)).aud, kube.serverId);
    assert.equal(ok.stderr, '');

    const usage = await runBin({ ...env, AZURE_CLIENT_ID: '' });
    assert.equal(usage.code, EXIT.invalidInput);
    assert.match(usage.stderr, /^credless: --client-id or \$AZURE_CLIENT_ID is required/);

    const wrong = join(dir, 'bin-wrong-token');
    const assertion = await kube.issuer.issueToken({
      sub: 'system:serviceaccount:x:y',
      aud: 'api://AzureADTokenExchange',
    });
    await writeFile(wrong, assertion);
    const refused = await runBin({
      ...env,
      AZURE_FEDERATED_TOKEN_FILE: wrong,
      XDG_CACHE_HOME: join(dir, 'bin-cache-2'),
    });
    assert.equal(refused.code, EXIT.failure);
    assert.match(refused.stderr, /AADSTS700213/);
    assert.equal(refused.stdout, '');
    assert.ok(!refused.stderr.includes(assertion.split('.')[1] as string));
  });
});
