/**
 * `npm run bench:herd`: the rollout herd (issue #16). A Deployment of 1,000 pods restarting makes
 * 1,000 token exchanges for one application at once: same client, same resource, same subject (the
 * pods share a service account), each pod with its own freshly issued assertion. This sends bursts of
 * that many concurrent exchanges to a real credless child and reports per-request latency (p50, p99,
 * max) and errors; the JSON line carries the median over the bursts.
 *
 * Connections are opened and kept alive before the first measured burst (a warm-up burst), so the
 * figures are the token path's, not 1,000 TLS handshakes' (real pods pay one handshake each too).
 *
 * Environment: BENCH_HERD_SIZE (1000 exchanges per burst), BENCH_HERD_BURSTS (5 measured bursts),
 * BENCH_HERD_PAUSE_MS (between bursts: 500, or the reuse window + 1 s), BENCH_PROTOCOL (https),
 * BENCH_HERD_REUSE_WINDOW_SECONDS (5: a second credless child with CREDLESS_TOKEN_REUSE_WINDOW_SECONDS,
 * bursts interleaved between the two; 0: the default server alone).
 * @module
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GRAPH_RESOURCE_URI } from '@credless/core';
import { startTestOidcIssuer } from '@credless/testkit';
import { Agent } from 'undici';
import { generateAssertions, tokenRequestBody } from './assertions.ts';
import { type BurstResult, medianOf, runBurst } from './lib/burst.ts';
import { type ChildServer, startChildServer } from './lib/child-server.ts';
import { cleanupsOnExit } from './lib/cleanups.ts';
import { checkOneExchange, positiveIntegerEnv, printProgress } from './lib/report.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const SUBJECT = 'system:serviceaccount:rollout:workload';
const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';

const burstSize = positiveIntegerEnv('BENCH_HERD_SIZE', 1000);
const bursts = positiveIntegerEnv('BENCH_HERD_BURSTS', 5);
// 0 measures the default server alone.
const reuseWindowSeconds =
  process.env['BENCH_HERD_REUSE_WINDOW_SECONDS'] === '0'
    ? 0
    : positiveIntegerEnv('BENCH_HERD_REUSE_WINDOW_SECONDS', 5);
// With a reuse window, each burst must start after the previous burst's window has ended: a rollout is
// one herd, and a burst answered entirely from the last burst's token would flatter the window.
const pauseMs = positiveIntegerEnv('BENCH_HERD_PAUSE_MS', Math.max(500, (reuseWindowSeconds + 1) * 1000));

interface Variant {
  key: 'default' | 'reuse';
  title: string;
  env: Record<string, string>;
  server?: ChildServer<{ url: string; tenantId: string; appId: string; caPath?: string }>;
  dispatcher?: Agent;
  results: BurstResult[];
}

const cleanups = cleanupsOnExit();

async function main(): Promise<number> {
  const variants: Variant[] = [{ key: 'default', title: 'credless (default)', env: {}, results: [] }];
  if (reuseWindowSeconds > 0)
    variants.push({
      key: 'reuse',
      title: `credless (reuse window ${reuseWindowSeconds} s)`,
      env: { CREDLESS_TOKEN_REUSE_WINDOW_SECONDS: String(reuseWindowSeconds) },
      results: [],
    });
  console.log(
    `rollout herd: ${bursts} bursts of ${burstSize} concurrent exchanges for one (client, resource, subject), ${variants.length} server(s)`,
  );
  const loadBefore = loadavg()[0]!;
  const workDir = await mkdtemp(join(tmpdir(), 'credless-herd-'));
  cleanups.push(() => rm(workDir, { recursive: true, force: true }));
  const issuer = await startTestOidcIssuer({ keyAlg: 'RS256', kidStyle: 'kubernetes' });
  cleanups.push(() => issuer.close());

  for (const variant of variants) {
    variant.server = await startChildServer({
      name: variant.title,
      script: join(BENCH_DIR, 'servers/credless-server.ts'),
      credlessRuntime: true,
      env: {
        TMPDIR: workDir,
        BENCH_ISSUER: issuer.issuer,
        BENCH_ISSUER_CA_PEM: issuer.caCertPem,
        BENCH_SUBJECT: SUBJECT,
        BENCH_CREDLESS_ENV: JSON.stringify(variant.env),
      },
    });
    cleanups.push(() => variant.server!.stop());
    const info = variant.server.info;
    const ca = info.caPath ? await readFile(info.caPath, 'utf8') : undefined;
    // One connection per pod, kept alive: every request of a burst is in flight at once.
    variant.dispatcher = new Agent({
      connections: burstSize,
      pipelining: 1,
      ...(ca ? { connect: { ca } } : {}),
    });
    cleanups.push(() => variant.dispatcher!.close());
    console.log(`  ${variant.title}: ${info.url} (pid ${variant.server.pid})`);
  }

  // Every pod presents its own assertion (distinct jti), never reused: warm-up + measured bursts + sanity.
  const perVariant = burstSize * (bursts + 1) + 1;
  const assertions = await generateAssertions({
    label: 'workload tokens',
    count: perVariant * variants.length,
    sign: () => issuer.issueToken({ sub: SUBJECT, aud: FEDERATION_AUDIENCE }),
    progress: printProgress,
  });
  let next = 0;
  const take = (variant: Variant, count: number) => {
    const slice = assertions.slice(next, next + count);
    next += count;
    return slice.map((assertion) =>
      tokenRequestBody(assertion, {
        client_id: variant.server!.info.appId,
        scope: `${GRAPH_RESOURCE_URI}/.default`,
      }),
    );
  };
  const urlOf = (variant: Variant) =>
    `${variant.server!.info.url}/${variant.server!.info.tenantId}/oauth2/v2.0/token`;

  for (const variant of variants)
    await checkOneExchange({
      name: variant.title,
      url: urlOf(variant),
      body: take(variant, 1)[0]!,
      dispatcher: variant.dispatcher!,
    });
  console.log('sanity check: every server answers 200 with an RS256 JWT access token');

  // Burst 0 is the warm-up (opens the connections); bursts alternate between the variants.
  for (let burst = 0; burst <= bursts; burst++) {
    for (const variant of burst % 2 === 0 ? variants : [...variants].reverse()) {
      const result = await runBurst({
        url: urlOf(variant),
        dispatcher: variant.dispatcher!,
        bodies: take(variant, burstSize),
      });
      const label = burst === 0 ? 'warm-up' : `burst ${burst}/${bursts}`;
      console.log(
        `  ${variant.title} ${label}: p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, max ${result.maxMs.toFixed(1)} ms, all done in ${result.wallMs.toFixed(0)} ms, ${result.errors} errors, ${result.distinctTokens} distinct tokens`,
      );
      if (burst > 0) variant.results.push(result);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  if (loadBefore > availableParallelism() * 0.5)
    console.log(
      `note: load average was ${loadBefore.toFixed(1)} on ${availableParallelism()} CPUs before the run — other work was competing, figures are noisy`,
    );
  const line: Record<string, unknown> = { bench: 'herd', burst_size: burstSize, bursts };
  let failed = false;
  for (const variant of variants) {
    const prefix = variant.key === 'default' ? '' : 'reuse_';
    const errors = variant.results.reduce((total, r) => total + r.errors, 0);
    if (errors > 0) failed = true;
    Object.assign(line, {
      [`${prefix}p50_ms`]: medianOf(variant.results.map((r) => r.p50Ms)),
      [`${prefix}p99_ms`]: medianOf(variant.results.map((r) => r.p99Ms)),
      [`${prefix}max_ms`]: medianOf(variant.results.map((r) => r.maxMs)),
      [`${prefix}burst_ms`]: medianOf(variant.results.map((r) => r.wallMs)),
      [`${prefix}distinct_tokens`]: medianOf(variant.results.map((r) => r.distinctTokens)),
      [`${prefix}errors`]: errors,
    });
  }
  if (reuseWindowSeconds > 0) line['reuse_window_s'] = reuseWindowSeconds;
  if (failed) {
    console.error('!'.repeat(78));
    console.error('!!! some exchanges failed: these figures measure errors, not token exchanges');
    console.error('!'.repeat(78));
  }
  console.log(JSON.stringify(line));
  return failed ? 1 : 0;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  console.error(`herd benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await cleanups.run();
}
process.exit(exitCode);
