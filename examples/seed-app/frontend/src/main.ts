/**
 * Starts the frontend. Environment: PORT (default 8080), BACKEND_URL (the backend's base URL, e.g.
 * http://workload-identity-backend in the cluster or http://127.0.0.1:8081 locally).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lookUpOrganization, renderPage } from './page.ts';

const port = Number(process.env['PORT'] ?? 8080);
const backendUrl = process.env['BACKEND_URL'] ?? '';
if (!backendUrl) {
  console.error('workload-identity-frontend: set BACKEND_URL to the backend base URL');
  process.exit(1);
}

const server = createServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://frontend').pathname;
  if (req.method !== 'GET' || (path !== '/' && path !== '/healthz')) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  const lookup = await lookUpOrganization(backendUrl);
  const html = await renderPage(backendUrl, lookup);
  // The page reflects the backend's answer: 200 when it found the name, 502 otherwise.
  res.writeHead(lookup.ok ? 200 : 502, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(html);
  console.log(
    JSON.stringify({
      method: req.method,
      path,
      status: res.statusCode,
      backend: lookup.ok ? 'ok' : lookup.code,
    }),
  );
});
server.listen(port, () => {
  const bound = (server.address() as AddressInfo).port;
  console.log(JSON.stringify({ msg: 'listening', port: bound, backendUrl }));
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
}
