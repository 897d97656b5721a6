/**
 * `npm run bench`: token-exchange throughput of credless, node-oidc-provider and a bare node:https +
 * jose ceiling, side by side in one run. Each server runs in its own child process over HTTPS with
 * keep-alive; autocannon (16 connections) sends one pre-generated, never reused RS256 client
 * assertion per request. Ends with one JSON line for machines.
 *
 * Environment: BENCH_DURATION_SECONDS (10), BENCH_WARMUP_SECONDS (5), BENCH_CONNECTIONS (16),
 * BENCH_ROUNDS (3; rounds interleave the servers and report the median), BENCH_ASSERTIONS
 * (assertions per pool; default sized from duration and rounds), BENCH_CPU_PROF_DIR (each
 * server child writes a V8 CPU profile there, named after its pid),
 * BENCH_PROTOCOL (https; 'http' for all three, to compare with plain-HTTP figures).
 * @module
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GRAPH_RESOURCE_URI } from '@credless/core';
import { sizeThreadPool } from '@credless/server/thread-pool';
import { startTestOidcIssuer, type TestOidcIssuer } from '@credless/testkit';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { request } from 'undici';
import { generateAssertions, signClientAssertion, tokenRequestBody } from './assertions.ts';
import { type ChildServer, startChildServer } from './lib/child-server.ts';
import { cleanupsOnExit } from './lib/cleanups.ts';
import { type BodyPool, runLoad } from './lib/load.ts';
import { processCpuMs } from './lib/process-cpu.ts';
import {
  checkEachServerOnce,
  type MeasuredRun,
  positiveIntegerEnv,
  printProgress,
  type RunSummary,
  SUMMARY_HEADER,
  summarize,
  summaryRow,
} from './lib/report.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const SUBJECT = 'system:serviceaccount:bench:workload';
const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';
const NON_2XX_LIMIT = 0.001;
// Issue #16: against a ceiling given the same thread pool as credless (the bare default of 4 threads
// handicapped it on 2 cores, so the old 0.85× flattered credless).
const TARGET_VS_OIDC_PROVIDER = 1.5;
const TARGET_VS_CEILING = 0.8;

const durationSeconds = positiveIntegerEnv('BENCH_DURATION_SECONDS', 10);
// 5 s: with 2 s the first measured round still ran 20–30% below the later ones (V8 was still optimizing).
const warmupSeconds = positiveIntegerEnv('BENCH_WARMUP_SECONDS', 5);
const connections = positiveIntegerEnv('BENCH_CONNECTIONS', 16);
// Three interleaved rounds by default: the targets are judged on the median round.
const rounds = positiveIntegerEnv('BENCH_ROUNDS', 3);
// Sized for warm-up plus every round at a rate above what this 2-core machine reaches (ceiling ~3300
// rps over plain HTTP, node-oidc-provider ~1700); a run that would need more stops early and says so
// rather than reuse an assertion. Signing them takes about as long as the servers take to use them.
const assertionsFor = (rps: number) =>
  positiveIntegerEnv('BENCH_ASSERTIONS', (warmupSeconds + durationSeconds * rounds) * rps + 5000);
const federatedPoolSize = assertionsFor(3500);
const clientPoolSize = assertionsFor(1800);
const cpuProfileDir = process.env['BENCH_CPU_PROF_DIR'];
const profileArgs = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
// HTTPS is the real deployment; BENCH_PROTOCOL=http compares with figures measured over plain HTTP.
const protocol = process.env['BENCH_PROTOCOL'] ?? 'https';
if (protocol !== 'http' && protocol !== 'https') throw new Error('BENCH_PROTOCOL must be http or https');

interface Contender {
  key: 'credless' | 'oidc_provider' | 'ceiling';
  title: string;
  server: ChildServer<{ url: string }>;
  path: string;
  /** undefined over plain HTTP. */
  caCertPem: string | undefined;
  pool: BodyPool;
}

const cleanups = cleanupsOnExit();

async function main(): Promise<number> {
  console.log(
    `token exchange benchmark: ${connections} connections, ${protocol.toUpperCase()} keep-alive, ${warmupSeconds} s warm-up + ${durationSeconds} s per server, unique RS256 assertion per request`,
  );
  const loadBefore = loadavg()[0]!;
  const workDir = await mkdtemp(join(tmpdir(), 'credless-bench-'));
  cleanups.push(() => rm(workDir, { recursive: true, force: true }));

  // The federated issuer lives here: it only serves its JWKS once (credless caches it), and its key
  // signs the assertions.
  const issuer: TestOidcIssuer = await startTestOidcIssuer({ keyAlg: 'RS256', kidStyle: 'kubernetes' });
  cleanups.push(() => issuer.close());
  const issuerJwks = (await (
    await request(issuer.jwksUri, { dispatcher: issuer.dispatcher })
  ).body.json()) as {
    keys: JWK[];
  };
  const oidcClientKey = await generateKeyPair('RS256', { extractable: true });
  const oidcClientJwk = {
    ...(await exportJWK(oidcClientKey.publicKey)),
    kid: 'bench-client-key',
    alg: 'RS256',
  };

  console.log('starting servers (child processes)…');
  const [credless, oidcProvider, ceiling] = await Promise.all([
    startChildServer<{ url: string; tenantId: string; appId: string; caPath?: string }>({
      name: 'credless',
      script: join(BENCH_DIR, 'servers/credless-server.ts'),
      credlessRuntime: true,
      // TMPDIR: the credless data directory lands inside workDir, removed even if the child is killed.
      env: {
        TMPDIR: workDir,
        BENCH_ISSUER: issuer.issuer,
        BENCH_ISSUER_CA_PEM: issuer.caCertPem,
        BENCH_SUBJECT: SUBJECT,
      },
      execArgv: profileArgs,
    }),
    startChildServer<{
      url: string;
      tokenEndpoint: string;
      clientId: string;
      resource: string;
      scope: string;
      caCertPem?: string;
    }>({
      name: 'node-oidc-provider',
      script: join(BENCH_DIR, 'servers/oidc-provider-server.ts'),
      env: { BENCH_CLIENT_JWK: JSON.stringify(oidcClientJwk), NODE_ENV: 'production' },
      execArgv: profileArgs,
    }).catch((error: unknown) => error as Error),
    startChildServer<{ url: string; caCertPem?: string }>({
      name: 'ceiling',
      script: join(BENCH_DIR, 'servers/ceiling-server.ts'),
      // The ceiling is "credless with nothing but the two RSA operations": same pool, or the ratio
      // measures Node's default pool size rather than credless's overhead.
      credlessRuntime: true,
      env: {
        BENCH_VERIFY_JWK: JSON.stringify(issuerJwks.keys[0]),
        BENCH_ISSUER: issuer.issuer,
        BENCH_AUDIENCE: FEDERATION_AUDIENCE,
      },
      execArgv: profileArgs,
    }).catch((error: unknown) => error as Error),
  ]).then((started) => {
    const failed = started.find((entry) => entry instanceof Error);
    for (const entry of started) if (!(entry instanceof Error)) cleanups.push(() => entry.stop());
    if (failed) throw failed;
    return started as [
      Exclude<(typeof started)[0], Error>,
      Exclude<(typeof started)[1], Error>,
      Exclude<(typeof started)[2], Error>,
    ];
  });
  for (const child of [credless, oidcProvider, ceiling])
    console.log(`  ${child.name}: ${child.info.url} (pid ${child.pid})`);

  console.log(
    `pre-generating ${federatedPoolSize} + ${clientPoolSize} assertions (RS256, distinct jti)… (BENCH_ASSERTIONS to change)`,
  );
  const federated = await generateAssertions({
    label: 'workload tokens (credless, ceiling)',
    count: federatedPoolSize,
    sign: () => issuer.issueToken({ sub: SUBJECT, aud: FEDERATION_AUDIENCE }),
    progress: printProgress,
  });
  const clientAssertions = await generateAssertions({
    label: 'private_key_jwt (node-oidc-provider)',
    count: clientPoolSize,
    sign: () =>
      signClientAssertion({
        clientId: oidcProvider.info.clientId,
        audience: oidcProvider.info.tokenEndpoint,
        privateKey: oidcClientKey.privateKey,
        kid: oidcClientJwk.kid,
      }),
    progress: printProgress,
  });
  const credlessBodies = federated.map((assertion) =>
    tokenRequestBody(assertion, { client_id: credless.info.appId, scope: `${GRAPH_RESOURCE_URI}/.default` }),
  );
  const contenders: Contender[] = [
    {
      key: 'credless',
      title: 'credless',
      server: credless,
      path: `/${credless.info.tenantId}/oauth2/v2.0/token`,
      caCertPem: credless.info.caPath ? await readFile(credless.info.caPath, 'utf8') : undefined,
      pool: { label: 'credless', bodies: credlessBodies, next: 0 },
    },
    {
      key: 'oidc_provider',
      title: 'node-oidc-provider',
      server: oidcProvider,
      path: new URL(oidcProvider.info.tokenEndpoint).pathname,
      caCertPem: oidcProvider.info.caCertPem,
      pool: {
        label: 'node-oidc-provider',
        bodies: clientAssertions.map((assertion) =>
          tokenRequestBody(assertion, {
            client_id: oidcProvider.info.clientId,
            scope: oidcProvider.info.scope,
            resource: oidcProvider.info.resource,
          }),
        ),
        next: 0,
      },
    },
    {
      // The ceiling keeps no replay state, so it gets the same bodies as credless (each sent once to it).
      key: 'ceiling',
      title: `ceiling (node:${protocol} + jose)`,
      server: ceiling,
      path: '/token',
      caCertPem: ceiling.info.caCertPem,
      pool: { label: 'ceiling', bodies: credlessBodies, next: 0 },
    },
  ];

  // One real exchange each, with certificate verification, before any load: a benchmark of errors is worthless.
  await checkEachServerOnce(
    contenders.map((contender) => ({
      name: contender.title,
      url: `${contender.server.info.url}${contender.path}`,
      caCertPem: contender.caCertPem,
      body: contender.pool.bodies[contender.pool.next++]!,
    })),
  );
  console.log('sanity check: every server answers 200 with an RS256 JWT access token');

  // Rounds rotate the order so no server always runs first (or right after the assertion signing).
  const runs = new Map<Contender['key'], MeasuredRun[]>(contenders.map((c) => [c.key, []]));
  for (let round = 0; round < rounds; round++) {
    if (rounds > 1) console.log(`round ${round + 1}/${rounds}`);
    for (let i = 0; i < contenders.length; i++) {
      const contender = contenders[(i + round) % contenders.length]!;
      const target = {
        url: contender.server.info.url,
        path: contender.path,
        pool: contender.pool,
        connections,
      };
      process.stdout.write(`  ${contender.title}: `);
      if (round === 0) {
        process.stdout.write(`warming up ${warmupSeconds} s… `);
        const warmup = await runLoad({ ...target, durationSeconds: warmupSeconds });
        process.stdout.write(`${warmup.rps.toFixed(0)} rps; `);
        if (warmup.non2xx + warmup.errors > 0)
          process.stdout.write(`(warm-up had ${warmup.non2xx} non-2xx, ${warmup.errors} errors) `);
      }
      process.stdout.write(`measuring ${durationSeconds} s… `);
      const cpuBefore = processCpuMs(contender.server.pid);
      const measured = await runLoad({ ...target, durationSeconds });
      const cpuAfter = processCpuMs(contender.server.pid);
      const cpuMs = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
      runs.get(contender.key)!.push({ ...measured, cpuMs });
      const cpuNote =
        cpuMs === undefined ? '' : `, server CPU ${(cpuMs / measured.requests).toFixed(2)} ms/request`;
      console.log(`${measured.rps.toFixed(0)} rps${cpuNote}`);
      if (measured.exhausted && measured.seconds < durationSeconds * 0.95)
        console.log(
          `    note: assertion pool ran low, run cut to ${measured.seconds} s (raise BENCH_ASSERTIONS)`,
        );
    }
  }
  for (const contender of contenders) await contender.server.stop();

  const summaries = new Map(contenders.map((c) => [c.key, summarize(runs.get(c.key)!)]));
  const credlessResult = summaries.get('credless')!;
  const oidcResult = summaries.get('oidc_provider')!;
  const ceilingResult = summaries.get('ceiling')!;
  console.log('');
  if (rounds > 1) console.log(`median of ${rounds} rounds (latencies from the median round):`);
  console.log(SUMMARY_HEADER);
  for (const contender of contenders)
    console.log(summaryRow(contender.title, summaries.get(contender.key)!, 2));
  const vsOidcProvider = credlessResult.rps / oidcResult.rps;
  const vsCeiling = credlessResult.rps / ceilingResult.rps;
  const verdict = (ok: boolean) => (ok ? 'meets target' : 'BELOW TARGET');
  console.log('');
  console.log(
    `credless / node-oidc-provider = ${vsOidcProvider.toFixed(2)}× rps (target ≥ ${TARGET_VS_OIDC_PROVIDER}×: ${verdict(vsOidcProvider >= TARGET_VS_OIDC_PROVIDER)})`,
  );
  console.log(
    `credless / ceiling            = ${vsCeiling.toFixed(2)}× rps (target ≥ ${TARGET_VS_CEILING}×: ${verdict(vsCeiling >= TARGET_VS_CEILING)})`,
  );
  const cpuRatio = (a: RunSummary, b: RunSummary) =>
    a.cpuMsPerRequest && b.cpuMsPerRequest ? (b.cpuMsPerRequest / a.cpuMsPerRequest).toFixed(2) : 'n/a';
  console.log(
    `by server CPU per request (less sensitive to a busy machine): ${cpuRatio(credlessResult, oidcResult)}× node-oidc-provider, ${cpuRatio(credlessResult, ceilingResult)}× ceiling`,
  );
  // What the targets ask of this machine: the bare ceiling does strictly less per request than credless.
  const ceilingVsOidcProvider = ceilingResult.rps / oidcResult.rps;
  console.log(
    `ceiling / node-oidc-provider = ${ceilingVsOidcProvider.toFixed(2)}× rps in this run${ceilingVsOidcProvider < TARGET_VS_OIDC_PROVIDER ? ` (below ${TARGET_VS_OIDC_PROVIDER}×: here the first target asks more than the bare ceiling reaches)` : ''}`,
  );
  // Read before the servers started: during the run the benchmark itself keeps both cores busy.
  if (loadBefore > availableParallelism() * 0.5)
    console.log(
      `note: load average was ${loadBefore.toFixed(1)} on ${availableParallelism()} CPUs before the run — other work was competing, figures are noisy`,
    );

  let exitCode = 0;
  for (const contender of contenders) {
    const r = summaries.get(contender.key)!;
    const failures = r.non2xx + r.errors + r.timeouts;
    if (failures > NON_2XX_LIMIT * Math.max(r.requests, 1)) {
      exitCode = 1;
      console.error('');
      console.error('!'.repeat(78));
      console.error(
        `!!! ${contender.title}: ${failures} of ${r.requests} requests failed (status codes ${JSON.stringify(r.statusCodes)}, ${r.errors} errors, ${r.timeouts} timeouts)`,
      );
      console.error('!!! more than 0.1% — these figures measure errors, not token exchanges');
      console.error('!'.repeat(78));
    }
  }

  const fixed = (value: number | undefined, digits: number) =>
    value === undefined ? null : Number(value.toFixed(digits));
  console.log(
    JSON.stringify({
      bench: 'exchange',
      credless_rps: fixed(credlessResult.rps, 0),
      oidc_provider_rps: fixed(oidcResult.rps, 0),
      ceiling_rps: fixed(ceilingResult.rps, 0),
      vs_oidc_provider: fixed(vsOidcProvider, 2),
      vs_ceiling: fixed(vsCeiling, 2),
      ceiling_vs_oidc_provider: fixed(ceilingVsOidcProvider, 2),
      ceiling_thread_pool: Number(sizeThreadPool({ ...process.env })),
      credless_p50_ms: credlessResult.p50Ms,
      credless_p99_ms: credlessResult.p99Ms,
      oidc_provider_p50_ms: oidcResult.p50Ms,
      oidc_provider_p99_ms: oidcResult.p99Ms,
      ceiling_p50_ms: ceilingResult.p50Ms,
      ceiling_p99_ms: ceilingResult.p99Ms,
      credless_cpu_ms_per_request: fixed(credlessResult.cpuMsPerRequest, 3),
      oidc_provider_cpu_ms_per_request: fixed(oidcResult.cpuMsPerRequest, 3),
      ceiling_cpu_ms_per_request: fixed(ceilingResult.cpuMsPerRequest, 3),
      connections,
      duration_s: durationSeconds,
      rounds,
      non2xx: credlessResult.non2xx + oidcResult.non2xx + ceilingResult.non2xx,
    }),
  );
  return exitCode;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  console.error(`benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await cleanups.run();
}
process.exit(exitCode);
