/**
 * End to end with Debian's Python clients: MSAL Python (python3-msal) and azure.identity
 * (python3-azure) obtain Graph tokens from a credless served over HTTPS with a certificate credential,
 * trusting its local CA through REQUESTS_CA_BUNDLE. MSAL Python names the certificate by a padded
 * `x5t` and drops the authority's port in instance discovery; both must work as they do with Entra.
 * Without the Debian packages the tests skip, saying so on stderr and in the report.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GRAPH_RESOURCE_URI } from '@credless/core';
import {
  createWorkloadScenario,
  startTestCredless,
  type TestCredless,
  type WorkloadScenario,
} from '@credless/testkit';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { Agent, request } from 'undici';
import { type ClientCertificate, makeClientCertificate } from '../support/client-certificate.ts';

const CLIENT_SCRIPT = fileURLToPath(new URL('./clients/python_certificate_clients.py', import.meta.url));
const DAY = 86_400_000;
type Job = 'msal' | 'msal-no-discovery' | 'azure-identity';

/** Debian's packages install for Debian's interpreter, which a pyenv or venv `python3` may hide. */
const PYTHONS = ['/usr/bin/python3', 'python3'];

/** The first interpreter that imports `module`, or why none does. */
function findPython(module: string, debianPackage: string): { python: string } | { missing: string } {
  for (const python of PYTHONS) {
    try {
      execFileSync(python, ['-c', `import ${module}`], { stdio: 'ignore', timeout: 20_000 });
      return { python };
    } catch {}
  }
  const missing = `no Python imports ${module} (tried ${PYTHONS.join(', ')}): apt-get install ${debianPackage}`;
  process.stderr.write(`WARNING: skipping the ${module} end-to-end tests: ${missing}\n`);
  return { missing };
}

const msal = findPython('msal', 'python3-msal');
const azureIdentity = findPython('azure.identity', 'python3-azure');

describe('Debian Python clients with a certificate credential against credless over HTTPS', {
  skip: 'missing' in msal ? msal.missing : false,
}, () => {
  let credless: TestCredless;
  let app: WorkloadScenario;
  let certificate: ClientCertificate;
  let workDir: string;
  let certPath: string;
  let keys: ReturnType<typeof createLocalJWKSet>;

  before(async () => {
    credless = await startTestCredless();
    assert.ok(credless.caPath && credless.caCertPem, 'credless serves HTTPS with its local CA');
    // The scenario's federated credential goes unused: these clients sign in with the certificate.
    app = await createWorkloadScenario(credless, {
      displayName: 'python-certificate-client',
      issuer: 'https://issuer.invalid',
      subject: 'unused',
      graphRoles: ['User.Read.All'],
    });
    const now = Date.now();
    certificate = await makeClientCertificate(now - DAY, now + DAY);
    await credless.store.updateApplication(credless.tenantId, app.applicationObjectId, {
      keyCredentials: [{ key: certificate.certPem, displayName: 'python' }],
    });
    workDir = await mkdtemp(join(tmpdir(), 'credless-python-'));
    certPath = join(workDir, 'client.pem');
    await writeFile(certPath, certificate.keyPem + certificate.certPem, { mode: 0o600 });
    const agent = new Agent({ connect: { ca: credless.caCertPem } });
    const jwks = await request(`${credless.url}/${credless.tenantId}/discovery/v2.0/keys`, {
      dispatcher: agent,
    });
    keys = createLocalJWKSet((await jwks.body.json()) as JSONWebKeySet);
    await agent.close();
  });

  after(async () => {
    await credless?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  /** Runs the jobs in one Python process; one result per job. */
  const runClients = (python: string, jobs: Job[]) =>
    new Promise<Array<{ accessToken?: string; error?: string }>>((resolve, reject) => {
      const env = {
        // Only what the child needs: no AZURE_* or proxy settings from the developer's shell leak in.
        PATH: process.env['PATH'] ?? '',
        REQUESTS_CA_BUNDLE: credless.caPath ?? '',
        E2E_AUTHORITY: credless.url,
        E2E_TENANT_ID: credless.tenantId,
        E2E_CLIENT_ID: app.appId,
        E2E_SCOPE: `${GRAPH_RESOURCE_URI}/.default`,
        E2E_CERT_PATH: certPath,
        E2E_THUMBPRINT: certificate.sha1Hex,
        E2E_JOBS: JSON.stringify(jobs),
      };
      execFile(python, [CLIENT_SCRIPT], { env, timeout: 60_000 }, (error, stdout, stderr) => {
        try {
          const results = JSON.parse(stdout.trim().split('\n').pop() ?? '');
          if (Array.isArray(results) && results.length === jobs.length) return resolve(results);
        } catch {}
        reject(new Error(`python client gave no results (${error?.message ?? 'exit 0'}): ${stderr}`));
      });
    });

  /** Signed by credless, v1 issuer (Graph takes v1 tokens), for Graph, the app's consented role. */
  const verifyGraphToken = async (result: { accessToken?: string; error?: string } | undefined) => {
    assert.equal(result?.error, undefined);
    assert.ok(result?.accessToken);
    const { payload } = await jwtVerify(result.accessToken, keys, {
      issuer: `${credless.url}/${credless.tenantId}/`,
      audience: GRAPH_RESOURCE_URI,
    });
    assert.equal(payload['appid'], app.appId);
    assert.equal(payload['oid'], app.servicePrincipalId);
    assert.ok(Array.isArray(payload['roles']) && payload['roles'].includes('User.Read.All'));
  };

  test('MSAL Python ConfidentialClientApplication: padded x5t, instance discovery without the port', async () => {
    const python = (msal as { python: string }).python;
    const [discovered, undiscovered] = await runClients(python, ['msal', 'msal-no-discovery']);
    await verifyGraphToken(discovered);
    await verifyGraphToken(undiscovered);
  });

  test('azure.identity CertificateCredential', {
    skip: 'missing' in azureIdentity ? azureIdentity.missing : false,
  }, async () => {
    const [result] = await runClients((azureIdentity as { python: string }).python, ['azure-identity']);
    await verifyGraphToken(result);
  });
});
