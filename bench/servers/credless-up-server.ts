/**
 * Benchmark child: `credless up` as the command runs it (the local platforms, BENCH_WORKERS worker
 * processes; 1 is the single process without node:cluster) on a fresh SQLite data directory, with one
 * workload application federated to BENCH_ISSUER, created through the Graph API as the administrator.
 * The primary prints one JSON line {url, tenantId, appId, caPath} once serving and closes on SIGTERM;
 * node:cluster re-runs this script for each worker, which only serves until its primary stops it.
 *
 * Environment: BENCH_WORKERS, BENCH_DATA_DIR, BENCH_ISSUER, BENCH_SUBJECT, BENCH_PROTOCOL ('https'
 * default, or 'http'); the issuer's CA and the private-network allowance come as CREDLESS_* settings.
 * @module
 */
import cluster from 'node:cluster';
import { up } from '@credless/cli';
import { createAdminGraphClient } from '@credless/testkit';
import { Agent } from 'undici';
import { benchProtocol, requireEnv, serveUntilSignal } from './child-support.ts';

const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';
const dataDir = requireEnv('BENCH_DATA_DIR');
const running = await up(
  {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    workers: Number(requireEnv('BENCH_WORKERS')),
    insecureHttp: benchProtocol() === 'http',
  },
  () => {},
);

if (cluster.isWorker) {
  // Stopped by its primary (SIGTERM); leaving the cluster on close lets the process end.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void running.close());
} else {
  const dispatcher = new Agent(running.caCertPem ? { connect: { ca: running.caCertPem } } : {});
  const graph = await createAdminGraphClient({ url: running.url, dataDir, dispatcher });
  const created = async (path: string, body: unknown) => {
    const answer = await graph.request<{ id: string; appId: string }>('POST', path, body);
    if (answer.status !== 201)
      throw new Error(`POST ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body!;
  };
  const app = await created('/applications', { displayName: 'bench workload' });
  await created('/servicePrincipals', { appId: app.appId });
  await created(`/applications/${app.id}/federatedIdentityCredentials`, {
    name: 'bench',
    issuer: requireEnv('BENCH_ISSUER'),
    subject: requireEnv('BENCH_SUBJECT'),
    audiences: [FEDERATION_AUDIENCE],
  });
  serveUntilSignal(
    { url: running.listenUrl, tenantId: running.defaultTenantId, appId: app.appId, caPath: running.caPath },
    async () => {
      await dispatcher.close();
      await running.close();
    },
  );
}
