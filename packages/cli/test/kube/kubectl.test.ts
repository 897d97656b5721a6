/**
 * The real kubectl with a kubeconfig converted by `credless kubeconfig convert`: kubectl runs
 * `credless get-token` as its exec plugin, gets a credless access token for the cluster's server app,
 * and a loopback HTTPS "API server" accepts only bearer tokens that verify with credless's JWKS.
 * kubectl must be installed (CI: `apt-get install -y kubernetes-client`); without it this test fails.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createCertificateAuthority, issueServerCertificate } from '@credless/common';
import { parse } from 'yaml';
import { getToken } from '../../src/commands/kube/get-token.ts';
import { BIN, runBinary } from '../run-binary.ts';
import { type KubeScenario, SUBJECT, startKubeScenario } from './kube-scenario.ts';

const KUBECTL = process.env['KUBECTL'] ?? 'kubectl';
const VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-credless-test', platform: 'linux/amd64' };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : Number.NaN) : 0;
      if (error && Number.isNaN(code)) {
        reject(
          (error as NodeJS.ErrnoException).code === 'ENOENT'
            ? new Error(
                `kubectl not found ('${command}'): install it with \`apt-get install -y kubernetes-client\``,
              )
            : error,
        );
        return;
      }
      resolve({ code, stdout, stderr });
    });
  });
}

let kube: KubeScenario;
let dir: string;
let apiServer: Server;
let apiUrl: string;
let caCertPem: string;
const seen: Array<{ path: string; status: number; token?: string }> = [];

/** A minimal API server: /version, /api and /apis for valid credless tokens, 401 for anything else. */
async function startApiServer(): Promise<void> {
  const ca = await createCertificateAuthority({ commonName: 'fake kube-apiserver CA' });
  const tls = await issueServerCertificate({ ca, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  caCertPem = ca.certPem;
  apiServer = createServer({ cert: tls.certPem, key: tls.keyPem }, async (req, res) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const answer = (status: number, body: unknown) => {
      seen.push({ path, status, ...(token ? { token } : {}) });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const verified = token
      ? await kube.verify(token).then(
          () => true,
          () => false,
        )
      : false;
    if (!verified) {
      answer(401, {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      });
      return;
    }
    if (path === '/version') answer(200, VERSION);
    else if (path === '/api')
      answer(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    else if (path === '/apis') answer(200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
    else answer(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
  });
  await new Promise<void>((resolve) => apiServer.listen(0, '127.0.0.1', resolve));
  apiUrl = `https://127.0.0.1:${(apiServer.address() as AddressInfo).port}`;
}

const kubeconfig = (user: Record<string, unknown>) => `# cluster created by kind
apiVersion: v1
kind: Config
clusters:
  - name: local
    cluster:
      server: ${apiUrl}
      certificate-authority-data: ${Buffer.from(caCertPem).toString('base64')}
contexts:
  - name: local
    context: { cluster: local, user: ci-deployer }
current-context: local
users:
  - name: ci-deployer
    user: ${JSON.stringify(user)}
`;

/** kubectl's environment: only what a CI job would have, plus credless's CA for the plugin's HTTPS. */
const kubectlEnv = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  PATH: [dirname(process.execPath), process.env['PATH'] ?? ''].join(delimiter),
  HOME: dir,
  XDG_CACHE_HOME: join(dir, 'cache'),
  NODE_EXTRA_CA_CERTS: join(dir, 'credless-ca.pem'),
  AZURE_CLIENT_ID: kube.clientId,
  AZURE_TENANT_ID: kube.credless.tenantId,
  AZURE_FEDERATED_TOKEN_FILE: join(dir, 'azure-identity-token'),
  AZURE_AUTHORITY_HOST: `${kube.credless.url}/`,
  ...extra,
});

before(async () => {
  kube = await startKubeScenario();
  dir = await mkdtemp(join(tmpdir(), 'credless-kubectl-'));
  await startApiServer();
  await writeFile(join(dir, 'credless-ca.pem'), kube.credless.caCertPem as string);
  await writeFile(
    join(dir, 'azure-identity-token'),
    await kube.issuer.issueToken({ sub: SUBJECT, aud: ['api://AzureADTokenExchange'] }),
  );
});
after(async () => {
  await new Promise((resolve) => apiServer?.close(resolve));
  await kube?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('kubectl with the credless exec plugin', () => {
  test('kubectl is installed (records its version)', async (t) => {
    const version = await run(KUBECTL, ['version', '--client', '-o', 'json'], kubectlEnv({}));
    assert.equal(version.code, 0, version.stderr);
    const { clientVersion } = JSON.parse(version.stdout) as { clientVersion: { gitVersion: string } };
    t.diagnostic(`kubectl ${clientVersion.gitVersion}`);
    console.log(`# kubectl client version: ${clientVersion.gitVersion}`);
  });

  test('without the plugin, a static token is refused (kubectl exits non-zero)', async () => {
    const file = join(dir, 'static.yaml');
    await writeFile(file, kubeconfig({ token: 'not-a-credless-token' }));
    const result = await run(KUBECTL, ['--kubeconfig', file, 'get', '--raw', '/version'], kubectlEnv({}));
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /Unauthorized/);
  });

  test('a credless token for another audience is refused', async () => {
    const graph = await getToken(
      { login: 'workloadidentity', serverId: 'https://graph.microsoft.com', cache: false },
      { env: kubectlEnv({}), fetch: kube.fetch },
    );
    const file = join(dir, 'graph.yaml');
    await writeFile(file, kubeconfig({ token: graph.status.token }));
    const result = await run(KUBECTL, ['--kubeconfig', file, 'get', '--raw', '/version'], kubectlEnv({}));
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /Unauthorized/);
  });

  test('the converted kubeconfig works, and the second kubectl call uses the cached token', async () => {
    const file = join(dir, 'config');
    await writeFile(file, kubeconfig({ token: 'not-a-credless-token' }));
    const converted = await runBinary([
      'kubeconfig',
      'convert',
      '--login',
      'workloadidentity',
      '--server-id',
      kube.serverId,
      '--kubeconfig',
      file,
      '--command',
      BIN,
    ]);
    assert.equal(converted.code, 0, converted.stderr);
    const user = (parse(await readFile(file, 'utf8')) as { users: Array<{ user: Record<string, unknown> }> })
      .users[0]?.user;
    assert.deepEqual(Object.keys(user ?? {}), ['exec']);

    seen.length = 0;
    for (let call = 0; call < 2; call++) {
      const result = await run(KUBECTL, ['--kubeconfig', file, 'get', '--raw', '/version'], kubectlEnv({}));
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout), VERSION);
    }
    const accepted = seen.filter((entry) => entry.path === '/version' && entry.status === 200);
    assert.equal(accepted.length, 2, JSON.stringify(seen.map(({ path, status }) => [path, status])));
    assert.equal(accepted[0]?.token, accepted[1]?.token, 'the second run used the cached token');
    assert.equal((await readdir(join(dir, 'cache', 'credless', 'kube'))).length, 1);
  });

  test('a federated token the STS refuses fails kubectl with the reason, never the token', async () => {
    const file = join(dir, 'config');
    const wrongToken = join(dir, 'wrong-token');
    const assertion = await kube.issuer.issueToken({
      sub: `${SUBJECT}-other`,
      aud: 'api://AzureADTokenExchange',
    });
    await writeFile(wrongToken, assertion);
    const env = kubectlEnv({ AZURE_FEDERATED_TOKEN_FILE: wrongToken, XDG_CACHE_HOME: join(dir, 'cache-2') });
    const result = await run(KUBECTL, ['--kubeconfig', file, 'get', '--raw', '/version'], env);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /AADSTS700213/);
    assert.ok(!result.stderr.includes(assertion.split('.')[1] as string));
  });
});
