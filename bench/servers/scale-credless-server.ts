/**
 * Benchmark child for `bench:scale`: a real credless with the per-application credential limit
 * removed (CREDLESS_FIC_LIMIT=none), on SQLite in a fresh data directory or on the PostgreSQL URL in
 * BENCH_DATABASE_URL, with one workload scenario. Prints {url, tenantId, appId, applicationObjectId,
 * dataDir, caPath} once listening; the parent then bulk-loads credentials straight into the store.
 *
 * Environment: BENCH_ISSUER, BENCH_ISSUER_CA_PEM, BENCH_SUBJECT, BENCH_DATABASE_URL (optional).
 * @module
 */
import { createWorkloadScenario, startTestCredless } from '@credless/testkit';
import { Agent } from 'undici';
import { benchProtocol, requireEnv, serveUntilSignal } from './child-support.ts';

const issuerDispatcher = new Agent({ connect: { ca: requireEnv('BENCH_ISSUER_CA_PEM') } });
const databaseUrl = process.env['BENCH_DATABASE_URL'];
const credless = await startTestCredless({
  issuerDispatcher,
  env: { CREDLESS_FIC_LIMIT: 'none', ...(databaseUrl ? { CREDLESS_DATABASE_URL: databaseUrl } : {}) },
  config: { logLevel: 'silent', insecureHttp: benchProtocol() === 'http' },
});
const scenario = await createWorkloadScenario(credless, {
  issuer: requireEnv('BENCH_ISSUER'),
  subject: requireEnv('BENCH_SUBJECT'),
  graphRoles: ['User.Read.All'],
});

serveUntilSignal(
  {
    url: credless.listenUrl,
    tenantId: credless.tenantId,
    appId: scenario.appId,
    applicationObjectId: scenario.applicationObjectId,
    dataDir: credless.dataDir,
    caPath: credless.caPath,
  },
  async () => {
    await credless.close();
    await issuerDispatcher.destroy();
  },
);
