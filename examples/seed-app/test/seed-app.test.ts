/**
 * The seed's sample app end to end against a real credless: the app and its federated credential are
 * created from k8s/federated-credential.json with the seed's User.Read.All consented, a projected
 * token file is written as the kubelet would, and the backend and frontend run as child processes
 * trusting credless's CA through NODE_EXTRA_CA_CERTS.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  createWorkloadScenario,
  startTestStack,
  type TestCredless,
  type TestOidcIssuer,
  type TestStack,
} from '@credless/testkit';
import { loadFederatedCredential } from './manifest-support.ts';
import { type AppProcess, BACKEND_MAIN, FRONTEND_MAIN, runToExit, startApp } from './processes.ts';

const NAMESPACE = 'azure-workload-identity-system';

describe('seed sample app against a real credless', () => {
  let issuer: TestOidcIssuer;
  let credless: TestCredless;
  let stack: TestStack;
  let dir: string;
  let organizationName: string;
  const processes: AppProcess[] = [];

  before(async () => {
    stack = await startTestStack({ issuer: { kidStyle: 'kubernetes' } });
    ({ issuer, credless } = stack);
    dir = await mkdtemp(join(tmpdir(), 'credless-seed-app-'));
    const tenant = await credless.store.findTenant(credless.tenantId);
    organizationName = tenant?.displayName ?? '';
    assert.ok(organizationName);
  });
  after(async () => {
    await Promise.all(processes.map((app) => app.stop()));
    await stack?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** An app federated with `serviceAccount` through the manifest's JSON; consented when `consent`. */
  const deployIdentity = async (serviceAccount: string, consent: boolean) => {
    const body = await loadFederatedCredential({
      AKS_OIDC_ISSUER: issuer.issuer,
      NAMESPACE,
      SERVICE_ACCOUNT_NAME: serviceAccount,
    });
    const app = await createWorkloadScenario(credless, {
      displayName: `sp-${serviceAccount}`,
      credentialName: String(body['name']),
      issuer: String(body['issuer']),
      subject: String(body['subject']),
      audience: (body['audiences'] as string[])[0] as string,
      graphRoles: ['User.Read.All'],
      consent,
    });
    // The projected token, as the kubelet writes it for the pod.
    const tokenFile = join(dir, `${serviceAccount}-token`);
    const token = await issuer.issueToken({
      sub: `system:serviceaccount:${NAMESPACE}:${serviceAccount}`,
      aud: ['api://AzureADTokenExchange'],
    });
    await writeFile(tokenFile, token, { mode: 0o600 });
    return { clientId: app.appId, tokenFile };
  };

  const podEnv = (identity: { clientId: string; tokenFile: string }) => ({
    AZURE_CLIENT_ID: identity.clientId,
    AZURE_TENANT_ID: credless.tenantId,
    AZURE_FEDERATED_TOKEN_FILE: identity.tokenFile,
    AZURE_AUTHORITY_HOST: credless.url,
    GRAPH_BASE_URL: credless.graphUrl,
    NODE_EXTRA_CA_CERTS: credless.caPath ?? '',
  });

  const startPair = async (identity: { clientId: string; tokenFile: string }) => {
    const backend = await startApp(BACKEND_MAIN, podEnv(identity));
    processes.push(backend);
    const frontend = await startApp(FRONTEND_MAIN, { BACKEND_URL: backend.url });
    processes.push(frontend);
    return { backend, frontend };
  };

  test('the frontend shows the tenant organization name the backend read from Graph', async () => {
    const { backend, frontend } = await startPair(await deployIdentity('workload-identity-sa', true));

    const api = await fetch(`${backend.url}/api/organization`);
    assert.equal(api.status, 200);
    assert.deepEqual(await api.json(), { organizationName });

    const page = await fetch(`${frontend.url}/`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<title>Workload Identity Graph Lookup<\/title>/);
    assert.match(html, /<h1>Workload Identity Graph Lookup<\/h1>/);
    assert.ok(
      html.includes(`It looks like your tenant organization name is ${organizationName}.`),
      `page does not show the organization name:\n${html}`,
    );
    // No token or assertion ends up in the backend's log.
    assert.doesNotMatch(backend.output(), /eyJ[A-Za-z0-9_-]{10,}/);
  });

  test('without admin consent the backend answers 403 with Graph’s code, and the page says so', async () => {
    const { backend, frontend } = await startPair(
      await deployIdentity('workload-identity-sa-unconsented', false),
    );

    const api = await fetch(`${backend.url}/api/organization`);
    assert.equal(api.status, 403);
    const body = (await api.json()) as { error: { code: string; source: string; message: string } };
    assert.equal(body.error.code, 'Authorization_RequestDenied');
    assert.equal(body.error.source, 'graph');
    assert.match(body.error.message, /Insufficient privileges/);

    const page = await fetch(`${frontend.url}/`);
    assert.equal(page.status, 502);
    const html = await page.text();
    assert.match(html, /\(HTTP 403\): <code>Authorization_RequestDenied<\/code>/);
    assert.ok(!html.includes('It looks like your tenant organization name is'));
  });

  test('a token file of a service account that is not federated is the backend’s 502 with the AADSTS code', async () => {
    const identity = await deployIdentity('workload-identity-sa-other', true);
    const stranger = await issuer.issueToken({
      sub: `system:serviceaccount:${NAMESPACE}:stranger`,
      aud: ['api://AzureADTokenExchange'],
    });
    await writeFile(identity.tokenFile, stranger);
    const backend = await startApp(BACKEND_MAIN, podEnv(identity));
    processes.push(backend);
    const api = await fetch(`${backend.url}/api/organization`);
    assert.equal(api.status, 502);
    const body = (await api.json()) as { error: { code: string; source: string } };
    assert.deepEqual([body.error.code, body.error.source], ['AADSTS700213', 'sts']);
  });

  test('the backend refuses to start without the workload identity environment', async () => {
    const { code, output } = await runToExit(BACKEND_MAIN, { GRAPH_BASE_URL: credless.graphUrl });
    assert.equal(code, 1);
    assert.match(output, /missing tenantId \(AZURE_TENANT_ID\), clientId \(AZURE_CLIENT_ID\)/);
  });
});
