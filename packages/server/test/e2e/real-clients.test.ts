/**
 * End to end with the real Microsoft client libraries: @azure/identity (WorkloadIdentityCredential,
 * ClientAssertionCredential) and @azure/msal-node (ConfidentialClientApplication) obtain Graph tokens
 * from a credless served over HTTPS, each in its own Node process that trusts credless's local CA
 * through NODE_EXTRA_CA_CERTS. The parent verifies every token against credless's published JWKS.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GRAPH_RESOURCE_URI } from '@credless/core';
import {
  createWorkloadScenario,
  startTestCredless,
  startTestOidcIssuer,
  type TestCredless,
  type TestOidcIssuer,
  type WorkloadScenario,
} from '@credless/testkit';
import { createRemoteJWKSet, customFetch, type JWTPayload, jwtVerify } from 'jose';
import { Agent, fetch as undiciFetch } from 'undici';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CLIENT_SCRIPT = fileURLToPath(new URL('./clients/acquire-token.ts', import.meta.url));
const GRAPH_SCOPE = `${GRAPH_RESOURCE_URI}/.default`;
const EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
const KUBERNETES_SUBJECT = 'system:serviceaccount:e2e:workload';
const PIPELINE_SUBJECT = 'repo:octo-org/octo-app:ref:refs/heads/main';
/** The issuer-key cache refetches on an unknown kid at most once per this (credless's default). */
const ISSUER_REFETCH_COOLDOWN_MS = 30_000;

type ClientKind = 'workload-identity' | 'client-assertion' | 'msal-node';

describe('real Microsoft clients against credless over HTTPS', () => {
  let kubernetesIssuer: TestOidcIssuer;
  let pipelineIssuer: TestOidcIssuer;
  let credless: TestCredless;
  let kubernetesApp: WorkloadScenario;
  let pipelineApp: WorkloadScenario;
  let workDir: string;
  let trustingCredless: Agent;
  let verifyKeys: ReturnType<typeof createRemoteJWKSet>;
  // credless's clock runs ahead of the wall clock once a test lets "time pass" (key rotation).
  let clockOffsetMs = 0;
  const credlessNow = () => Date.now() + clockOffsetMs;

  before(async () => {
    kubernetesIssuer = await startTestOidcIssuer({ kidStyle: 'kubernetes' });
    // Same CA, so the one dispatcher credless gets trusts both issuers.
    pipelineIssuer = await startTestOidcIssuer({ certificateAuthority: kubernetesIssuer.certificateAuthority });
    credless = await startTestCredless({ issuerDispatcher: kubernetesIssuer.dispatcher, now: credlessNow });
    assert.ok(credless.caPath && credless.caCertPem, 'credless serves HTTPS with its local CA');
    kubernetesApp = await createWorkloadScenario(credless, {
      displayName: 'kubernetes-workload',
      issuer: kubernetesIssuer.issuer,
      subject: KUBERNETES_SUBJECT,
      graphRoles: ['User.Read.All'],
    });
    pipelineApp = await createWorkloadScenario(credless, {
      displayName: 'pipeline-workload',
      issuer: pipelineIssuer.issuer,
      subject: PIPELINE_SUBJECT,
      graphRoles: ['User.Read.All'],
    });
    workDir = await mkdtemp(join(tmpdir(), 'credless-e2e-'));
    trustingCredless = new Agent({ connect: { ca: credless.caCertPem } });
    verifyKeys = createRemoteJWKSet(new URL(`${credless.url}/${credless.tenantId}/discovery/v2.0/keys`), {
      [customFetch]: (url, options) =>
        undiciFetch(url, { ...options, dispatcher: trustingCredless }) as unknown as Promise<Response>,
    });
  });

  after(async () => {
    await trustingCredless?.close();
    await credless?.close();
    await pipelineIssuer?.close();
    await kubernetesIssuer?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  let tokenFiles = 0;
  /** A projected-token file, as the kubelet or a CI runner would write it. */
  const writeTokenFile = async (assertion: string) => {
    const path = join(workDir, `token-${++tokenFiles}`);
    await writeFile(path, assertion, { mode: 0o600 });
    return path;
  };

  /** Runs one client in a fresh Node process; resolves with its JSON answer. */
  const runClient = (kind: ClientKind, app: WorkloadScenario, tokenFile: string) =>
    new Promise<{ accessToken?: string; error?: string }>((resolve, reject) => {
      const env = {
        // Only what the child needs: no CREDLESS_* or AZURE_* of the developer's shell leaks in.
        PATH: process.env['PATH'] ?? '',
        NODE_EXTRA_CA_CERTS: credless.caPath ?? '',
        E2E_CLIENT: kind,
        E2E_AUTHORITY: credless.url,
        E2E_TENANT_ID: credless.tenantId,
        E2E_CLIENT_ID: app.appId,
        E2E_SCOPE: GRAPH_SCOPE,
        E2E_TOKEN_FILE: tokenFile,
      };
      execFile(
        process.execPath,
        ['--import', 'tsx', CLIENT_SCRIPT],
        { cwd: REPO_ROOT, env, timeout: 30_000 },
        (error, stdout, stderr) => {
          const line = stdout.trim().split('\n').pop() ?? '';
          try {
            resolve(JSON.parse(line) as { accessToken?: string; error?: string });
          } catch {
            reject(new Error(`${kind} client produced no result (${error?.message ?? 'no error'}): ${stderr}`));
          }
        },
      );
    });

  const acquire = async (kind: ClientKind, app: WorkloadScenario, tokenFile: string) => {
    const result = await runClient(kind, app, tokenFile);
    assert.equal(result.error, undefined, `${kind} failed: ${result.error}`);
    assert.ok(result.accessToken, `${kind} returned no token`);
    return result.accessToken;
  };

  /** Verifies signature, issuer (v1: Graph accepts v1 tokens) and audience; returns the claims. */
  const verifyGraphToken = async (accessToken: string, app: WorkloadScenario): Promise<JWTPayload> => {
    const { payload } = await jwtVerify(accessToken, verifyKeys, {
      issuer: `${credless.url}/${credless.tenantId}/`,
      audience: GRAPH_RESOURCE_URI,
      currentDate: new Date(credlessNow()),
    });
    assert.ok(Array.isArray(payload['roles']) && payload['roles'].includes('User.Read.All'));
    assert.equal(payload['appid'], app.appId);
    assert.equal(payload['oid'], app.servicePrincipalId);
    assert.equal(payload['tid'], credless.tenantId);
    return payload;
  };

  const kubernetesAssertion = () =>
    kubernetesIssuer.issueToken({ sub: KUBERNETES_SUBJECT, aud: [EXCHANGE_AUDIENCE] });

  test('WorkloadIdentityCredential, ClientAssertionCredential and msal-node each obtain a verifiable Graph token', async () => {
    const kubernetesTokenFile = await writeTokenFile(await kubernetesAssertion());
    const pipelineTokenFile = await writeTokenFile(
      await pipelineIssuer.issueToken({ sub: PIPELINE_SUBJECT, aud: EXCHANGE_AUDIENCE }),
    );
    // In parallel: each child is a separate Node start-up.
    const [workloadIdentity, clientAssertion, msal] = await Promise.all([
      acquire('workload-identity', kubernetesApp, kubernetesTokenFile),
      acquire('client-assertion', pipelineApp, pipelineTokenFile),
      acquire('msal-node', kubernetesApp, kubernetesTokenFile),
    ]);
    await verifyGraphToken(workloadIdentity, kubernetesApp);
    await verifyGraphToken(clientAssertion, pipelineApp);
    await verifyGraphToken(msal, kubernetesApp);
  });

  test('after the workload issuer rotates its keys, a new assertion still exchanges', async () => {
    const jwksFetches = () =>
      kubernetesIssuer.requests.filter((request) => request.path.endsWith('/openid/v1/jwks')).length;
    // Make sure credless has the current keys cached before the rotation.
    await acquire('workload-identity', kubernetesApp, await writeTokenFile(await kubernetesAssertion()));
    const oldKid = kubernetesIssuer.currentKid;
    const fetchesBefore = jwksFetches();

    await kubernetesIssuer.rotateKeys();
    assert.notEqual(kubernetesIssuer.currentKid, oldKid);
    // Let credless's refetch cooldown pass since its last look at this issuer.
    clockOffsetMs += ISSUER_REFETCH_COOLDOWN_MS;

    // A fresh process: WorkloadIdentityCredential caches both the file and the token.
    const accessToken = await acquire(
      'workload-identity',
      kubernetesApp,
      await writeTokenFile(await kubernetesAssertion()),
    );
    await verifyGraphToken(accessToken, kubernetesApp);
    assert.ok(jwksFetches() > fetchesBefore, 'credless refetched the issuer keys for the unknown kid');
  });
});
