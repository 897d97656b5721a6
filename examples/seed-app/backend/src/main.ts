/**
 * Starts the backend. Environment: PORT (default 8080), GRAPH_BASE_URL (default Microsoft Graph v1.0;
 * credless's `<url>/v1.0` locally), and the workload identity variables the webhook injects
 * (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE, AZURE_AUTHORITY_HOST). A private CA
 * (credless's local one) is trusted through NODE_EXTRA_CA_CERTS.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkloadIdentityCredential } from '@credless/sdk';
import { createBackendHandler } from './app.ts';

const port = Number(process.env['PORT'] ?? 8080);
const graphBaseUrl = process.env['GRAPH_BASE_URL'] || 'https://graph.microsoft.com/v1.0';

let credential: WorkloadIdentityCredential;
try {
  credential = new WorkloadIdentityCredential();
} catch (error) {
  console.error(`workload-identity-backend: ${(error as Error).message}`);
  process.exit(1);
}

const server = createServer(createBackendHandler({ credential, graphBaseUrl }));
server.listen(port, () => {
  // The bound port, so PORT=0 works (tests read it from this line).
  const bound = (server.address() as AddressInfo).port;
  const { clientId, tenantId } = credential;
  console.log(JSON.stringify({ msg: 'listening', port: bound, graphBaseUrl, clientId, tenantId }));
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
}
