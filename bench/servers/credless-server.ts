/**
 * Benchmark child: a real credless (HTTPS, fresh SQLite data directory) with one workload scenario
 * federated to the issuer named in the environment. Prints one JSON line {url, tenantId, appId, caPath}
 * once listening; closes (removing its data directory) on SIGTERM.
 *
 * Environment: BENCH_ISSUER, BENCH_ISSUER_CA_PEM (CA of the issuer's HTTPS certificate), BENCH_SUBJECT,
 * BENCH_LOG_LEVEL (default 'silent'), BENCH_PROTOCOL ('https' default, or 'http'), BENCH_THROTTLE ('1':
 * throttling on, with limits no run reaches, to measure what counting costs), BENCH_CREDLESS_ENV (a JSON
 * object of CREDLESS_* settings for loadConfig, e.g. the token reuse window for the herd bench).
 * @module
 */
import { createWorkloadScenario, startTestCredless } from '@credless/testkit';
import { Agent } from 'undici';
import { benchProtocol, requireEnv, serveUntilSignal } from './child-support.ts';

const issuer = requireEnv('BENCH_ISSUER');
const issuerCa = requireEnv('BENCH_ISSUER_CA_PEM');
const subject = requireEnv('BENCH_SUBJECT');
const logLevel = (process.env['BENCH_LOG_LEVEL'] ?? 'silent') as 'silent' | 'warn';

const issuerDispatcher = new Agent({ connect: { ca: issuerCa } });
const unreachable = '1000000';
const throttle = {
  CREDLESS_THROTTLE: 'true',
  CREDLESS_THROTTLE_TOKEN_PER_CLIENT: unreachable,
  CREDLESS_THROTTLE_TOKEN_PER_SOURCE: unreachable,
};
const extraEnv = JSON.parse(process.env['BENCH_CREDLESS_ENV'] ?? '{}') as Record<string, string>;
const credless = await startTestCredless({
  issuerDispatcher,
  env: { ...(process.env['BENCH_THROTTLE'] === '1' ? throttle : {}), ...extraEnv },
  config: { logLevel, insecureHttp: benchProtocol() === 'http' },
});
const scenario = await createWorkloadScenario(credless, {
  issuer,
  subject,
  graphRoles: ['User.Read.All'],
});

serveUntilSignal(
  { url: credless.listenUrl, tenantId: credless.tenantId, appId: scenario.appId, caPath: credless.caPath },
  async () => {
    await credless.close();
    await issuerDispatcher.destroy();
  },
);
