/**
 * Child-process client for the end-to-end tests: obtains one token from credless through a real
 * Microsoft client library and prints `{ "accessToken": ... }` (or `{ "error": ... }`) as one JSON
 * line on stdout. Runs in its own Node process so NODE_EXTRA_CA_CERTS (read only at start-up) can
 * make Node's https stack trust credless's local CA, exactly as a deployed workload would.
 *
 * Environment:
 *   E2E_CLIENT       'workload-identity' | 'client-assertion' | 'msal-node'
 *   E2E_AUTHORITY    credless base URL (authority host), e.g. https://localhost:8443
 *   E2E_TENANT_ID, E2E_CLIENT_ID, E2E_SCOPE
 *   E2E_TOKEN_FILE   file holding the workload's OIDC assertion (read by every client, as in pods)
 * @module
 */
import { readFile } from 'node:fs/promises';
import { ClientAssertionCredential, WorkloadIdentityCredential } from '@azure/identity';
import { ConfidentialClientApplication } from '@azure/msal-node';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const client = required('E2E_CLIENT');
const authorityHost = required('E2E_AUTHORITY');
const tenantId = required('E2E_TENANT_ID');
const clientId = required('E2E_CLIENT_ID');
const scope = required('E2E_SCOPE');
const tokenFilePath = required('E2E_TOKEN_FILE');

const readAssertion = async () => (await readFile(tokenFilePath, 'utf8')).trim();

async function acquire(): Promise<string> {
  switch (client) {
    case 'workload-identity': {
      const credential = new WorkloadIdentityCredential({
        tenantId,
        clientId,
        tokenFilePath,
        authorityHost,
        disableInstanceDiscovery: true,
      });
      const token = await credential.getToken(scope);
      return token.token;
    }
    case 'client-assertion': {
      const credential = new ClientAssertionCredential(tenantId, clientId, readAssertion, {
        authorityHost,
        disableInstanceDiscovery: true,
      });
      const token = await credential.getToken(scope);
      return token.token;
    }
    case 'msal-node': {
      const application = new ConfidentialClientApplication({
        auth: {
          clientId,
          authority: `${authorityHost}/${tenantId}`,
          clientAssertion: readAssertion,
          // Not a Microsoft cloud: trust this host's own metadata instead of instance discovery.
          knownAuthorities: [new URL(authorityHost).host],
        },
      });
      const result = await application.acquireTokenByClientCredential({ scopes: [scope] });
      if (!result?.accessToken) throw new Error('MSAL returned no access token');
      return result.accessToken;
    }
    default:
      throw new Error(`unknown E2E_CLIENT ${client}`);
  }
}

try {
  process.stdout.write(`${JSON.stringify({ accessToken: await acquire() })}\n`);
} catch (error) {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.stdout.write(`${JSON.stringify({ error: message })}\n`);
  process.exitCode = 1;
}
