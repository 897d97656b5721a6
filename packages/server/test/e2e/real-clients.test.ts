/**
 * End to end with the real Microsoft client libraries: @azure/identity (WorkloadIdentityCredential,
 * ClientAssertionCredential) and @azure/msal-node (ConfidentialClientApplication) obtain Graph tokens
 * from a credless served over HTTPS, in a separate Node process that trusts credless's local CA
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
  startTestOidcIssuer,
  startTestStack,
  type TestCredless,
  type TestOidcIssuer,
  type TestStack,
  type WorkloadScenario,
} from '@credless/testkit';
import { createRemoteJWKSet, customFetch, type JWTPayload, jwtVerify } from 'jose';
import { type Agent, fetch as undiciFetch } from 'undici';
import type { AcquireJob, AcquireResult, ClientKind } from './clients/acquire-token.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CLIENT_SCRIPT = fileURLToPath(new URL('./clients/acquire-token.ts', import.meta.url));
const GRAPH_SCOPE = `${GRAPH_RESOURCE_URI}/.default`;
const EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
const KUBERNETES_SUBJECT = 'system:serviceaccount:e2e:workload';
const PIPELINE_SUBJECT = 'repo:octo-org/octo-app:ref:refs/heads/main';
/** The issuer-key cache refetches on an unknown kid at most once per this (credless's default). */
const ISSUER_REFETCH_COOLDOWN_MS = 30_000;

describe('real Microsoft clients against credless over HTTPS', () => {
  let kubernetesIssuer: TestOidcIssuer;
  let pipelineIssuer: TestOidcIssuer;
  let credless: TestCredless;
  let kubernetesApp: WorkloadScenario;
  let pipelineApp: WorkloadScenario;
  let workDir: string;
  let trustingCredless: Agent;
  let stack: TestStack | undefined;
  let credlessKeys: ReturnType<typeof createRemoteJWKSet>;
  // credless's clock runs ahead of the wall clock once a test lets "time pass" (key rotation).
  let clockOffsetMs = 0;
  const credlessNow = () => Date.now() + clockOffsetMs;

  before(async () => {
    stack = await startTestStack({ issuer: { kidStyle: 'kubernetes' }, credless: { now: credlessNow } });
    ({ issuer: kubernetesIssuer, credless, client: trustingCredless } = stack);
    // Same CA, so the one dispatcher credless gets trusts both issuers.
    pipelineIssuer = await startTestOidcIssuer({
      certificateAuthority: kubernetesIssuer.certificateAuthority,
    });
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
    credlessKeys = createRemoteJWKSet(new URL(`${credless.url}/${credless.tenantId}/discovery/v2.0/keys`), {
      [customFetch]: (url, { headers, method, redirect, signal }) =>
        undiciFetch(url, {
          headers: Object.fromEntries(headers),
          method,
          redirect,
          signal,
          dispatcher: trustingCredless,
        }) as unknown as Promise<Response>,
    });
  });

  after(async () => {
    await stack?.close();
    await pipelineIssuer?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  let tokenFiles = 0;
  /** A projected-token file, as the kubelet or a CI runner would write it. */
  const writeTokenFile = async (assertion: string) => {
    const path = join(workDir, `token-${++tokenFiles}`);
    await writeFile(path, assertion, { mode: 0o600 });
    return path;
  };

  /** Runs the jobs in one fresh Node process (start-up is the slow part); one result per job. */
  const runClients = (jobs: AcquireJob[]) =>
    new Promise<AcquireResult[]>((resolve, reject) => {
      const env = {
        // Only what the child needs: no CREDLESS_* or AZURE_* from the developer's shell leaks in.
        PATH: process.env['PATH'] ?? '',
        NODE_EXTRA_CA_CERTS: credless.caPath ?? '',
        E2E_AUTHORITY: credless.url,
        E2E_TENANT_ID: credless.tenantId,
        E2E_SCOPE: GRAPH_SCOPE,
        E2E_JOBS: JSON.stringify(jobs),
      };
      execFile(
        process.execPath,
        ['--import', 'tsx', CLIENT_SCRIPT],
        { cwd: REPO_ROOT, env, timeout: 45_000 },
        (error, stdout, stderr) => {
          const results = (() => {
            try {
              return JSON.parse(stdout.trim().split('\n').pop() ?? '') as AcquireResult[];
            } catch {
              return undefined;
            }
          })();
          if (results?.length === jobs.length) resolve(results);
          else reject(new Error(`client process gave no results (${error?.message ?? 'exit 0'}): ${stderr}`));
        },
      );
    });

  const tokenOf = (result: AcquireResult | undefined, kind: ClientKind) => {
    assert.equal(result?.error, undefined, `${kind} failed: ${result?.error}`);
    assert.ok(result?.accessToken, `${kind} returned no token`);
    return result.accessToken;
  };

  /** Signature by credless's key, v1 issuer (Graph takes v1 tokens), Graph audience, consented role. */
  const verifyGraphToken = async (accessToken: string, app: WorkloadScenario): Promise<JWTPayload> => {
    const { payload } = await jwtVerify(accessToken, credlessKeys, {
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

  /** Every client once, plus one refusal, in a single child process; shared by the tests below. */
  let firstRound: Promise<Record<'workloadIdentity' | 'clientAssertion' | 'msal' | 'refused', AcquireResult>>;
  const clientsRound = () => {
    firstRound ??= (async () => {
      const kubernetesFile = await writeTokenFile(await kubernetesAssertion());
      const pipelineFile = await writeTokenFile(
        await pipelineIssuer.issueToken({ sub: PIPELINE_SUBJECT, aud: EXCHANGE_AUDIENCE }),
      );
      const wrongSubjectFile = await writeTokenFile(
        await kubernetesIssuer.issueToken({ sub: `${KUBERNETES_SUBJECT}-other`, aud: EXCHANGE_AUDIENCE }),
      );
      const [workloadIdentity, clientAssertion, msal, refused] = await runClients([
        { client: 'workload-identity', clientId: kubernetesApp.appId, tokenFile: kubernetesFile },
        { client: 'client-assertion', clientId: pipelineApp.appId, tokenFile: pipelineFile },
        { client: 'msal-node', clientId: kubernetesApp.appId, tokenFile: kubernetesFile },
        { client: 'workload-identity', clientId: kubernetesApp.appId, tokenFile: wrongSubjectFile },
      ]);
      assert.ok(workloadIdentity && clientAssertion && msal && refused);
      return { workloadIdentity, clientAssertion, msal, refused };
    })();
    return firstRound;
  };

  test('@azure/identity WorkloadIdentityCredential reads a projected token file', async () => {
    const { workloadIdentity } = await clientsRound();
    await verifyGraphToken(tokenOf(workloadIdentity, 'workload-identity'), kubernetesApp);
  });

  test('@azure/identity ClientAssertionCredential calls back for the assertion', async () => {
    const { clientAssertion } = await clientsRound();
    await verifyGraphToken(tokenOf(clientAssertion, 'client-assertion'), pipelineApp);
  });

  test('@azure/msal-node ConfidentialClientApplication with credless as a known authority', async () => {
    const { msal } = await clientsRound();
    await verifyGraphToken(tokenOf(msal, 'msal-node'), kubernetesApp);
  });

  test("credless's refusal reaches the caller as an Entra error through @azure/identity", async () => {
    const { refused } = await clientsRound();
    assert.equal(refused.accessToken, undefined);
    assert.match(refused.error ?? '', /AADSTS700213/);
  });

  test('after the workload issuer rotates its keys, a new assertion still exchanges', async () => {
    const jwksFetches = () =>
      kubernetesIssuer.requests.filter((request) => request.path.endsWith('/openid/v1/jwks')).length;
    // The first round has credless holding the issuer's current keys.
    tokenOf((await clientsRound()).workloadIdentity, 'workload-identity');
    const oldKid = kubernetesIssuer.currentKid;
    const fetchesBefore = jwksFetches();

    await kubernetesIssuer.rotateKeys();
    assert.notEqual(kubernetesIssuer.currentKid, oldKid);
    // Let credless's refetch cooldown pass since its last look at this issuer.
    clockOffsetMs += ISSUER_REFETCH_COOLDOWN_MS;

    // A fresh process: WorkloadIdentityCredential caches both the file and the token.
    const tokenFile = await writeTokenFile(await kubernetesAssertion());
    const [rotated] = await runClients([
      { client: 'workload-identity', clientId: kubernetesApp.appId, tokenFile },
    ]);
    await verifyGraphToken(tokenOf(rotated, 'workload-identity'), kubernetesApp);
    assert.ok(jwksFetches() > fetchesBefore, 'credless refetched the issuer keys for the unknown kid');
  });
});
