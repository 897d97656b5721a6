/**
 * The real `@actions/core` getIDToken() against credless's emulated GitHub Actions issuer, with the
 * variables `credless ci env` prints, in a separate Node process that trusts credless's CA through
 * NODE_EXTRA_CA_CERTS; the token it gets is then exchanged at the STS through a federated credential.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LocalPlatforms } from '@credless/platforms';
import { loadKeyEncryptionKey } from '@credless/server';
import {
  clientCredentialsForm,
  createWorkloadScenario,
  requestToken,
  startTestCredless,
  type TestCredless,
} from '@credless/testkit';
import { createRemoteJWKSet, customFetch, jwtVerify } from 'jose';
import { Agent, fetch as undiciFetch } from 'undici';
import { ciEnvVariables } from '../../src/commands/ci/ci-env.ts';

const CLIENT = fileURLToPath(new URL('./clients/get-id-token.mjs', import.meta.url));
const AUDIENCE = 'api://AzureADTokenExchange';

let credless: TestCredless;
let client: Agent;
let workDir: string;

before(async () => {
  credless = await startTestCredless({ plugins: [new LocalPlatforms()] });
  client = new Agent({ connect: { ca: credless.caCertPem as string } });
  workDir = await mkdtemp(join(tmpdir(), 'credless-actions-'));
});

after(async () => {
  await client?.close();
  await credless?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

function getIdTokenInChild(env: Record<string, string>, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLIENT, AUDIENCE, out],
      // Only what a runner step would have: no proxies or CREDLESS_* leaking in.
      {
        env: { PATH: process.env['PATH'] ?? '', NODE_EXTRA_CA_CERTS: credless.caPath as string, ...env },
        timeout: 60_000,
      },
      (error, _stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve()),
    );
  });
}

test('@actions/core getIDToken() gets a token from `ci env` variables, and the STS exchanges it', async () => {
  const kek = await loadKeyEncryptionKey({ dataDir: credless.dataDir });
  const variables = await ciEnvVariables(
    { kek, baseUrl: credless.url },
    { repo: 'octo-org/octo-repo', ref: 'refs/heads/main', environment: 'prod', actor: 'mona' },
  );
  const out = join(workDir, 'id-token');
  await getIdTokenInChild(variables, out);
  const idToken = await readFile(out, 'utf8');

  const issuer = `${credless.url}/github-actions`;
  const jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks`), {
    [customFetch]: (url, { headers, method, signal }) =>
      undiciFetch(url, {
        headers: Object.fromEntries(headers),
        method,
        signal,
        dispatcher: client,
      }) as unknown as Promise<Response>,
  });
  const { payload } = await jwtVerify(idToken, jwks, { issuer, audience: AUDIENCE });
  assert.equal(payload.sub, 'repo:octo-org/octo-repo:environment:prod');
  assert.equal(payload['environment'], 'prod');
  assert.equal(payload['actor'], 'mona');
  assert.equal(payload['repository'], variables['GITHUB_REPOSITORY']);
  assert.equal(payload['repository_id'], variables['GITHUB_REPOSITORY_ID']);
  assert.equal(payload['run_id'], variables['GITHUB_RUN_ID']);
  assert.equal(payload['sha'], variables['GITHUB_SHA']);
  assert.equal(payload['event_name'], 'push');

  const app = await createWorkloadScenario(credless, {
    displayName: 'deployer',
    issuer,
    subject: 'repo:octo-org/octo-repo:environment:prod',
  });
  const { status, body } = await requestToken(
    credless,
    clientCredentialsForm({ clientId: app.appId, assertion: idToken }),
    { dispatcher: client },
  );
  assert.equal(status, 200, JSON.stringify(body));
});
