/**
 * `npm run bench:signin-log`: what sign-in logging costs on the token path. Two real credless servers
 * (each its own child process, HTTPS, SQLite), identical except CREDLESS_SIGNIN_LOG=true / false, take
 * the same load in the same run: autocannon, 16 connections, one pre-generated, never reused RS256
 * assertion per request (the same assertions go to each server once). Rounds alternate which server
 * goes first; the median round is reported. Prints rps both ways and the overhead (1 − on/off), checks
 * that the logging server really stored a record per request, and ends with one JSON line.
 *
 * Environment: BENCH_DURATION_SECONDS (10), BENCH_WARMUP_SECONDS (2), BENCH_CONNECTIONS (16),
 * BENCH_ROUNDS (3), BENCH_ASSERTIONS (default sized from duration and rounds).
 *
 * This file is also the server child (when BENCH_SIGNIN_CHILD is set), so the benchmark's servers
 * differ only in the CREDLESS_SIGNIN_LOG setting they read through the real configuration.
 * @module
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { GRAPH_RESOURCE_URI } from '@credless/core';
import { createWorkloadScenario, startTestCredless, startTestOidcIssuer } from '@credless/testkit';
import Sqlite from 'better-sqlite3';
import { Agent } from 'undici';
import { generateAssertions, tokenRequestBody } from './assertions.ts';
import { type ChildServer, startChildServer } from './lib/child-server.ts';
import { type BodyPool, runLoad } from './lib/load.ts';
import { processCpuMs } from './lib/process-cpu.ts';
import {
  checkEachServerOnce,
  type MeasuredRun,
  positiveIntegerEnv,
  printProgress,
  SUMMARY_HEADER,
  summarize,
  summaryRow,
} from './lib/report.ts';
import { requireEnv, serveUntilSignal } from './servers/child-support.ts';

const SUBJECT = 'system:serviceaccount:bench:workload';
const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';
const NON_2XX_LIMIT = 0.001;
const TARGET_OVERHEAD = 0.1;
const SQLITE_FILE = 'credless.db';

interface ChildInfo {
  url: string;
  tenantId: string;
  appId: string;
  caPath?: string;
  dataDir: string;
}

/** The server child: a real credless whose only difference is CREDLESS_SIGNIN_LOG. */
async function runChild(): Promise<void> {
  const issuerDispatcher = new Agent({ connect: { ca: requireEnv('BENCH_ISSUER_CA_PEM') } });
  const credless = await startTestCredless({
    issuerDispatcher,
    env: { CREDLESS_SIGNIN_LOG: requireEnv('CREDLESS_SIGNIN_LOG') },
    config: { logLevel: 'silent' },
  });
  const scenario = await createWorkloadScenario(credless, {
    issuer: requireEnv('BENCH_ISSUER'),
    subject: requireEnv('BENCH_SUBJECT'),
    graphRoles: ['User.Read.All'],
  });
  const info: ChildInfo = {
    url: credless.listenUrl,
    tenantId: credless.tenantId,
    appId: scenario.appId,
    ...(credless.caPath ? { caPath: credless.caPath } : {}),
    dataDir: credless.dataDir,
  };
  serveUntilSignal({ ...info }, async () => {
    await credless.close();
    await issuerDispatcher.destroy();
  });
}

interface Variant {
  key: 'on' | 'off';
  title: string;
  server: ChildServer<ChildInfo>;
  path: string;
  caCertPem: string | undefined;
  pool: BodyPool;
  runs: MeasuredRun[];
}

const cleanups: Array<() => Promise<unknown>> = [];
async function cleanUp(): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) await step().catch((error) => console.error(error));
}

/** Rows in the sign-in table of a running server (read-only; SQLite WAL allows it alongside the writer). */
function storedSignIns(dataDir: string): number {
  const database = new Sqlite(join(dataDir, SQLITE_FILE), { readonly: true, fileMustExist: true });
  try {
    return (database.prepare('select count(*) as n from sign_in_logs').get() as { n: number }).n;
  } finally {
    database.close();
  }
}

async function main(): Promise<number> {
  const durationSeconds = positiveIntegerEnv('BENCH_DURATION_SECONDS', 10);
  const warmupSeconds = positiveIntegerEnv('BENCH_WARMUP_SECONDS', 2);
  const connections = positiveIntegerEnv('BENCH_CONNECTIONS', 16);
  const rounds = positiveIntegerEnv('BENCH_ROUNDS', 3);
  // Each server gets every assertion at most once; sized above what credless reaches here over HTTPS.
  const poolSize = positiveIntegerEnv(
    'BENCH_ASSERTIONS',
    (warmupSeconds + durationSeconds * rounds) * 2600 + 5000,
  );

  console.log(
    `sign-in log overhead: ${connections} connections, HTTPS keep-alive, ${warmupSeconds} s warm-up + ${rounds} × ${durationSeconds} s per server, unique RS256 assertion per request`,
  );
  const workDir = await mkdtemp(join(tmpdir(), 'credless-bench-signin-'));
  cleanups.push(() => rm(workDir, { recursive: true, force: true }));
  const issuer = await startTestOidcIssuer({ keyAlg: 'RS256', kidStyle: 'kubernetes' });
  cleanups.push(() => issuer.close());

  const script = fileURLToPath(import.meta.url);
  const start = (enabled: boolean) =>
    startChildServer<ChildInfo>({
      name: `credless (sign-in log ${enabled ? 'on' : 'off'})`,
      script,
      credlessRuntime: true,
      env: {
        BENCH_SIGNIN_CHILD: '1',
        CREDLESS_SIGNIN_LOG: String(enabled),
        TMPDIR: workDir,
        BENCH_ISSUER: issuer.issuer,
        BENCH_ISSUER_CA_PEM: issuer.caCertPem,
        BENCH_SUBJECT: SUBJECT,
      },
    });
  console.log('starting servers (child processes)…');
  const on = await start(true);
  cleanups.push(() => on.stop());
  const off = await start(false);
  cleanups.push(() => off.stop());

  console.log(`pre-generating ${poolSize} assertions (RS256, distinct jti)… (BENCH_ASSERTIONS to change)`);
  const assertions = await generateAssertions({
    label: 'workload tokens',
    count: poolSize,
    sign: () => issuer.issueToken({ sub: SUBJECT, aud: FEDERATION_AUDIENCE }),
    progress: printProgress,
  });
  const variant = async (key: Variant['key'], server: ChildServer<ChildInfo>): Promise<Variant> => ({
    key,
    title: `sign-in log ${key.toUpperCase()}`,
    server,
    path: `/${server.info.tenantId}/oauth2/v2.0/token`,
    caCertPem: server.info.caPath ? await readFile(server.info.caPath, 'utf8') : undefined,
    pool: {
      label: `sign-in log ${key}`,
      bodies: assertions.map((assertion) =>
        tokenRequestBody(assertion, {
          client_id: server.info.appId,
          scope: `${GRAPH_RESOURCE_URI}/.default`,
        }),
      ),
      next: 0,
    },
    runs: [],
  });
  const variants = [await variant('on', on), await variant('off', off)];

  await checkEachServerOnce(
    variants.map((v) => ({
      name: v.title,
      url: `${v.server.info.url}${v.path}`,
      caCertPem: v.caCertPem,
      body: v.pool.bodies[v.pool.next++]!,
    })),
  );
  console.log('sanity check: both servers answer 200 with an RS256 JWT access token');

  let sentToOn = 1;
  for (let round = 0; round < rounds; round++) {
    console.log(`round ${round + 1}/${rounds}`);
    for (let i = 0; i < variants.length; i++) {
      const v = variants[(i + round) % variants.length]!;
      const target = { url: v.server.info.url, path: v.path, pool: v.pool, connections };
      process.stdout.write(`  ${v.title}: `);
      if (round === 0) {
        process.stdout.write(`warming up ${warmupSeconds} s… `);
        const warmup = await runLoad({ ...target, durationSeconds: warmupSeconds });
        if (v.key === 'on') sentToOn += warmup.requests;
        process.stdout.write(`${warmup.rps.toFixed(0)} rps; `);
      }
      process.stdout.write(`measuring ${durationSeconds} s… `);
      const cpuBefore = processCpuMs(v.server.pid);
      const measured = await runLoad({ ...target, durationSeconds });
      const cpuAfter = processCpuMs(v.server.pid);
      if (v.key === 'on') sentToOn += measured.requests;
      const cpuMs = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
      v.runs.push({ ...measured, cpuMs });
      const cpuNote =
        cpuMs === undefined ? '' : `, server CPU ${(cpuMs / measured.requests).toFixed(2)} ms/request`;
      console.log(`${measured.rps.toFixed(0)} rps${cpuNote}`);
      if (measured.exhausted && measured.seconds < durationSeconds * 0.95)
        console.log('    note: assertion pool ran low, run cut short (raise BENCH_ASSERTIONS)');
    }
  }

  // The recorder flushes every 200 ms; give it a moment, then check every exchange was stored.
  await sleep(1000);
  const stored = storedSignIns(on.info.dataDir);
  const storedOff = storedSignIns(off.info.dataDir);
  for (const v of variants) await v.server.stop();

  const [onResult, offResult] = variants.map((v) => summarize(v.runs)) as [
    ReturnType<typeof summarize>,
    ReturnType<typeof summarize>,
  ];
  console.log('');
  console.log(`median of ${rounds} rounds (latencies from the median round):`);
  console.log(SUMMARY_HEADER);
  console.log(summaryRow(variants[0]!.title, onResult, 3));
  console.log(summaryRow(variants[1]!.title, offResult, 3));
  const overhead = 1 - onResult.rps / offResult.rps;
  const cpuOverhead =
    onResult.cpuMsPerRequest && offResult.cpuMsPerRequest
      ? onResult.cpuMsPerRequest / offResult.cpuMsPerRequest - 1
      : undefined;
  console.log('');
  console.log(
    `overhead = 1 − on/off = ${(overhead * 100).toFixed(1)}% rps (target ≤ ${TARGET_OVERHEAD * 100}%: ${overhead <= TARGET_OVERHEAD ? 'meets target' : 'ABOVE TARGET'})`,
  );
  if (cpuOverhead !== undefined)
    console.log(
      `server CPU per request, on vs off: ${(cpuOverhead * 100).toFixed(1)}% (steadier on a busy machine)`,
    );
  console.log(
    `sign-in records stored: ${stored} for ${sentToOn} requests with logging on, ${storedOff} with it off`,
  );
  const load = loadavg()[0]!;
  if (load > availableParallelism() * 1.5)
    console.log(
      `note: load average ${load.toFixed(1)} on ${availableParallelism()} CPUs — figures are noisy`,
    );

  let exitCode = 0;
  for (const [v, r] of [
    [variants[0]!, onResult],
    [variants[1]!, offResult],
  ] as const) {
    const failures = r.non2xx + r.errors + r.timeouts;
    if (failures > NON_2XX_LIMIT * Math.max(r.requests, 1)) {
      exitCode = 1;
      console.error(
        `!!! ${v.title}: ${failures} of ${r.requests} requests failed — these figures measure errors`,
      );
    }
  }
  if (stored < sentToOn || storedOff !== 0) {
    exitCode = 1;
    console.error('!!! the logging server did not store one record per request (or the other stored some)');
  }
  const fixed = (value: number | undefined, digits: number) =>
    value === undefined ? null : Number(value.toFixed(digits));
  console.log(
    JSON.stringify({
      bench: 'signin-log',
      overhead: fixed(overhead, 4),
      rps_on: fixed(onResult.rps, 0),
      rps_off: fixed(offResult.rps, 0),
      cpu_overhead: fixed(cpuOverhead, 4),
      p50_on_ms: onResult.p50Ms,
      p50_off_ms: offResult.p50Ms,
      p99_on_ms: onResult.p99Ms,
      p99_off_ms: offResult.p99Ms,
      records_stored: stored,
      requests_on: sentToOn,
      connections,
      duration_s: durationSeconds,
      rounds,
    }),
  );
  return exitCode;
}

if (process.env['BENCH_SIGNIN_CHILD']) {
  await runChild();
} else {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the servers`);
      cleanUp().finally(() => process.exit(130));
    });
  }
  let exitCode = 1;
  try {
    exitCode = await main();
  } catch (error) {
    console.error(`benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await cleanUp();
  }
  process.exit(exitCode);
}
