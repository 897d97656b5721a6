/**
 * Child-process client for the end-to-end tests: obtains tokens from credless through the real
 * Microsoft client libraries and prints one JSON line on stdout, an array with
 * `{ "accessToken": ... }` or `{ "error": ... }` per job. Runs in its own Node process so
 * NODE_EXTRA_CA_CERTS (read only at start-up) makes Node's https stack trust credless's local CA,
 * exactly as a deployed workload would. Several jobs share one process because Node start-up
 * dominates the cost; each job gets fresh credential objects, so no token or file cache is shared.
 *
 * Environment:
 *   E2E_AUTHORITY  credless base URL (authority host), e.g. https://localhost:8443
 *   E2E_TENANT_ID, E2E_SCOPE
 *   E2E_JOBS       JSON array of { client, clientId, tokenFile } (see AcquireJob)
 * @module
 */
import { readFile } from 'node:fs/promises';
import { ClientAssertionCredential, WorkloadIdentityCredential } from '@azure/identity';
import { ConfidentialClientApplication } from '@azure/msal-node';

export type ClientKind = 'workload-identity' | 'client-assertion' | 'msal-node';

export interface AcquireJob {
  client: ClientKind;
  clientId: string;
  /** File holding the workload's OIDC assertion, as a kubelet or CI runner writes it. */
  tokenFile: string;
}

export interface AcquireResult {
  accessToken?: string;
  error?: string;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function acquire(job: AcquireJob, authorityHost: string, tenantId: string, scope: string) {
  const { clientId, tokenFile: tokenFilePath } = job;
  const readAssertion = async () => (await readFile(tokenFilePath, 'utf8')).trim();
  switch (job.client) {
    case 'workload-identity': {
      const credential = new WorkloadIdentityCredential({
        tenantId,
        clientId,
        tokenFilePath,
        authorityHost,
        disableInstanceDiscovery: true,
      });
      return (await credential.getToken(scope)).token;
    }
    case 'client-assertion': {
      const credential = new ClientAssertionCredential(tenantId, clientId, readAssertion, {
        authorityHost,
        disableInstanceDiscovery: true,
      });
      return (await credential.getToken(scope)).token;
    }
    case 'msal-node': {
      const application = new ConfidentialClientApplication({
        auth: {
          clientId,
          authority: `${authorityHost}/${tenantId}`,
          clientAssertion: readAssertion,
          // Not a Microsoft cloud: trust this host's own OpenID metadata, skip instance discovery.
          knownAuthorities: [new URL(authorityHost).host],
        },
      });
      const result = await application.acquireTokenByClientCredential({ scopes: [scope] });
      if (!result?.accessToken) throw new Error('MSAL returned no access token');
      return result.accessToken;
    }
    default:
      throw new Error(`unknown client ${String(job.client)}`);
  }
}

async function main() {
  const authorityHost = required('E2E_AUTHORITY');
  const tenantId = required('E2E_TENANT_ID');
  const scope = required('E2E_SCOPE');
  const jobs = JSON.parse(required('E2E_JOBS')) as AcquireJob[];
  const results: AcquireResult[] = [];
  for (const job of jobs) {
    try {
      results.push({ accessToken: await acquire(job, authorityHost, tenantId, scope) });
    } catch (error) {
      results.push({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

await main();
