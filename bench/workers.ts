/**
 * `npm run bench:workers`: `credless up` with one worker (today's single process, no node:cluster) and
 * with two worker processes sharing the port, side by side in one run, under the load generator of
 * `npm run bench` (autocannon, 16 keep-alive HTTPS connections, one never reused RS256 workload token
 * per request). For each: throughput, p50/p99, and server CPU per request — the CPU time of the primary
 * and its workers (/proc/<pid>/stat) over the requests answered, split into event loops, thread pool and
 * other threads, with context switches per request — then the ratio, what the CPU figures
 * say about more cores, and one JSON line for machines.
 *
 * Environment: BENCH_DURATION_SECONDS (10), BENCH_WARMUP_SECONDS (5), BENCH_CONNECTIONS (16),
 * BENCH_ROUNDS (5; each round measures both servers back to back, alternating which goes first; the
 * verdict is the median of the per-round ratios, which cancels the machine's drift between rounds), BENCH_ASSERTIONS
 * (assertions to pre-sign; default sized from duration and rounds), BENCH_PROTOCOL (https, or http),
 * BENCH_CPU_PROF_DIR (a directory: every server process writes a V8 CPU profile there on exit).
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GRAPH_RESOURCE_URI } from '@credless/core';
import { startTestOidcIssuer } from '@credless/testkit';
import { generateAssertions, tokenRequestBody } from './assertions.ts';
import { type ChildServer, startChildServer } from './lib/child-server.ts';
import { cleanupsOnExit } from './lib/cleanups.ts';
import type { BodyPool } from './lib/load.ts';
import { measuredRun } from './lib/measured-run.ts';
import { childPids, processCpuMs, processTreeCpuMs } from './lib/process-cpu.ts';
import {
  checkEachServerOnce,
  type MeasuredRun,
  positiveIntegerEnv,
  printProgress,
  SUMMARY_HEADER,
  summarize,
  summaryRow,
} from './lib/report.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const SUBJECT = 'system:serviceaccount:bench:workload';
const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';
const NON_2XX_LIMIT = 0.001;
const WORKER_COUNTS = [1, 2] as const;
/** USER_HZ: /proc's CPU times count in these on every Linux architecture node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

const durationSeconds = positiveIntegerEnv('BENCH_DURATION_SECONDS', 10);
// 5 s: with 2 s the first measured round still ran 20–30% below the later ones (V8 was still optimizing).
const warmupSeconds = positiveIntegerEnv('BENCH_WARMUP_SECONDS', 5);
const connections = positiveIntegerEnv('BENCH_CONNECTIONS', 16);
const rounds = positiveIntegerEnv('BENCH_ROUNDS', 5);
// Each server sends every assertion at most once; sized above the rate two workers reach on 2 cores.
const assertionCount = positiveIntegerEnv(
  'BENCH_ASSERTIONS',
  (warmupSeconds + durationSeconds * rounds) * 3000 + 5000,
);
const protocol = process.env['BENCH_PROTOCOL'] ?? 'https';
// node:cluster forks workers with the primary's execArgv: every process of a server writes a profile.
const cpuProfileDir = process.env['BENCH_CPU_PROF_DIR'];
const profileArgs = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
const cleanups = cleanupsOnExit();

interface Contender {
  workers: (typeof WORKER_COUNTS)[number];
  title: string;
  server: ChildServer<{ url: string; tenantId: string; appId: string; caPath?: string }>;
  pool: BodyPool;
  caCertPem: string | undefined;
  path: string;
}

/**
 * CPU milliseconds of every thread of `pids`, by what the thread does: the event loops ('main'),
 * libuv's pool ('pool': the RSA signatures) and the rest (V8's GC and compiler helpers, 'other').
 */
function cpuByThreadKind(pids: readonly number[]): Record<'main' | 'pool' | 'other' | 'switches', number> {
  const totals = { main: 0, pool: 0, other: 0, switches: 0 };
  for (const pid of pids) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const kind = Number(tid) === pid ? 'main' : comm.startsWith('libuv-worker') ? 'pool' : 'other';
        totals[kind] += ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
        const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
        for (const match of status.matchAll(/ctxt_switches:\s+(\d+)/g)) totals.switches += Number(match[1]);
      } catch {
        // The thread ended meanwhile.
      }
    }
  }
  return totals;
}

/** Resident memory of `pids` together, in MB (VmRSS from /proc), or undefined where it cannot be read. */
function residentMb(pids: readonly number[]): number | undefined {
  let kb = 0;
  for (const pid of pids) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (!match) return undefined;
      kb += Number(match[1]);
    } catch {
      return undefined;
    }
  }
  return kb / 1024;
}

/** The primary and its workers: CPU time is summed over all of them (tsx's esbuild helper is left out). */
const serverCpuMs = (contender: Contender) => () =>
  processTreeCpuMs([contender.server.pid, ...childPids(contender.server.pid)]);

async function main(): Promise<number> {
  console.log(
    `credless up --workers 1 vs 2: ${connections} connections, ${protocol.toUpperCase()} keep-alive, ${warmupSeconds} s warm-up + ${durationSeconds} s per server and round, ${rounds} round(s), ${availableParallelism()} CPUs shared with the load generator`,
  );
  const workDir = await mkdtemp(join(tmpdir(), 'credless-bench-workers-'));
  cleanups.push(() => rm(workDir, { recursive: true, force: true }));
  const issuer = await startTestOidcIssuer({ keyAlg: 'RS256', kidStyle: 'kubernetes' });
  cleanups.push(() => issuer.close());
  const issuerCaFile = join(workDir, 'issuer-ca.pem');
  await writeFile(issuerCaFile, issuer.caCertPem);

  console.log('starting credless (child processes)…');
  const started: Contender[] = [];
  // One after the other: two start-ups at once on 2 cores would only slow each other down.
  for (const workers of WORKER_COUNTS) {
    const dataDir = join(workDir, `workers-${workers}`);
    await mkdir(dataDir);
    const server = await startChildServer<Contender['server']['info']>({
      name: `credless --workers ${workers}`,
      script: join(BENCH_DIR, 'servers/credless-up-server.ts'),
      credlessRuntime: true,
      execArgv: profileArgs,
      env: {
        BENCH_WORKERS: String(workers),
        BENCH_DATA_DIR: dataDir,
        BENCH_ISSUER: issuer.issuer,
        BENCH_SUBJECT: SUBJECT,
        CREDLESS_ISSUER_CA_FILE: issuerCaFile,
        CREDLESS_ISSUER_ALLOW_PRIVATE_NETWORKS: 'true',
        CREDLESS_LOG_LEVEL: 'silent',
      },
    });
    cleanups.push(() => server.stop());
    started.push({
      workers,
      title: `credless --workers ${workers}`,
      server,
      pool: { label: `--workers ${workers}`, bodies: [], next: 0 },
      caCertPem: server.info.caPath ? await readFile(server.info.caPath, 'utf8') : undefined,
      path: `/${server.info.tenantId}/oauth2/v2.0/token`,
    });
    const processes = [server.pid, ...childPids(server.pid)];
    console.log(`  ${server.name}: ${server.info.url} (pids ${processes.join(', ')})`);
  }

  console.log(`pre-generating ${assertionCount} workload tokens (RS256, distinct jti)… (BENCH_ASSERTIONS)`);
  const assertions = await generateAssertions({
    label: 'workload tokens',
    count: assertionCount,
    sign: () => issuer.issueToken({ sub: SUBJECT, aud: FEDERATION_AUDIENCE }),
    progress: printProgress,
  });
  for (const contender of started) {
    const fields = { client_id: contender.server.info.appId, scope: `${GRAPH_RESOURCE_URI}/.default` };
    contender.pool.bodies = assertions.map((assertion) => tokenRequestBody(assertion, fields));
  }
  await checkEachServerOnce(
    started.map((contender) => ({
      name: contender.title,
      url: `${contender.server.info.url}${contender.path}`,
      caCertPem: contender.caCertPem,
      body: contender.pool.bodies[contender.pool.next++]!,
    })),
  );
  console.log('sanity check: both answer 200 with an RS256 JWT access token');

  const runs = new Map<number, MeasuredRun[]>(started.map((contender) => [contender.workers, []]));
  // The primary's own share with 2 workers: it accepts connections and writes the SQLite sign-in records.
  const primaryCpu: Array<{ cpuMs: number; requests: number }> = [];
  for (let round = 0; round < rounds; round++) {
    if (rounds > 1) console.log(`round ${round + 1}/${rounds}`);
    for (let i = 0; i < started.length; i++) {
      const contender = started[(i + round) % started.length]!;
      const target = {
        url: contender.server.info.url,
        path: contender.path,
        pool: contender.pool,
        connections,
      };
      process.stdout.write(`  ${contender.title}: `);
      if (round === 0) {
        process.stdout.write(`warming up ${warmupSeconds} s… `);
        await measuredRun({ ...target, durationSeconds: warmupSeconds }, () => undefined);
      }
      process.stdout.write(`measuring ${durationSeconds} s… `);
      const primaryBefore = processCpuMs(contender.server.pid);
      const pids = [contender.server.pid, ...childPids(contender.server.pid)];
      const threadsBefore = cpuByThreadKind(pids);
      const measured = await measuredRun({ ...target, durationSeconds }, serverCpuMs(contender));
      const threadsAfter = cpuByThreadKind(pids);
      const primaryAfter = processCpuMs(contender.server.pid);
      runs.get(contender.workers)!.push(measured);
      if (contender.workers > 1 && primaryBefore !== undefined && primaryAfter !== undefined)
        primaryCpu.push({ cpuMs: primaryAfter - primaryBefore, requests: measured.requests });
      const cpu =
        measured.cpuMs === undefined
          ? ''
          : `, ${(measured.cpuMs / measured.requests).toFixed(2)} ms CPU/request`;
      const perRequest = (kind: keyof typeof threadsAfter) =>
        ((threadsAfter[kind] - threadsBefore[kind]) / measured.requests).toFixed(2);
      console.log(
        `${measured.rps.toFixed(0)} rps${cpu} (event loops ${perRequest('main')}, thread pool ${perRequest('pool')}, other threads ${perRequest('other')}; ${perRequest('switches')} context switches/request)`,
      );
    }
  }
  // Memory after the load, every process of each server (the price of a second worker on a laptop).
  const rssMb = new Map(
    started.map((c) => [c.workers, residentMb([c.server.pid, ...childPids(c.server.pid)])]),
  );
  for (const contender of started) await contender.server.stop();
  const primaryMs = primaryCpu.reduce((sum, run) => sum + run.cpuMs, 0);
  const primaryRequests = primaryCpu.reduce((sum, run) => sum + run.requests, 0);
  return report(started, runs, primaryRequests > 0 ? primaryMs / primaryRequests : undefined, rssMb);
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function report(
  started: Contender[],
  runs: Map<number, MeasuredRun[]>,
  primaryCpuMsPerRequest: number | undefined,
  rssMb: Map<number, number | undefined>,
): number {
  const [one, two] = started.map((contender) => summarize(runs.get(contender.workers)!)) as [
    ReturnType<typeof summarize>,
    ReturnType<typeof summarize>,
  ];
  console.log('');
  if (rounds > 1) console.log(`median of ${rounds} rounds (latencies from the median round):`);
  console.log(SUMMARY_HEADER);
  console.log(summaryRow('credless --workers 1', one, 3));
  console.log(summaryRow('credless --workers 2', two, 3));
  // Each round ran both servers back to back: the ratio within a round is the fair comparison.
  const [oneRuns, twoRuns] = [runs.get(1)!, runs.get(2)!];
  const roundRatios = oneRuns.map((run, i) => twoRuns[i]!.rps / run.rps);
  const ratio = median(roundRatios);
  console.log('');
  console.log(`2 workers / 1 worker per round: ${roundRatios.map((r) => `${r.toFixed(2)}×`).join(', ')}`);
  console.log(
    `2 workers / 1 worker = ${ratio.toFixed(2)}× rps (median of the rounds; ratio of the median rps ${(two.rps / one.rps).toFixed(2)}×)${ratio < 1 ? ' (2 workers LOST to 1 here)' : ''}`,
  );
  const [rssOne, rssTwo] = [rssMb.get(1), rssMb.get(2)];
  if (rssOne !== undefined && rssTwo !== undefined)
    console.log(
      `resident memory after the load: ${rssOne.toFixed(0)} MB with 1 worker, ${rssTwo.toFixed(0)} MB with 2 (primary + workers)`,
    );
  // What the CPU figures say: cores the servers kept busy, and what one core answers at this cost.
  const cores = (r: typeof one) =>
    r.cpuMsPerRequest === undefined ? undefined : (r.rps * r.cpuMsPerRequest) / 1000;
  const perCore = two.cpuMsPerRequest === undefined ? undefined : 1000 / two.cpuMsPerRequest;
  if (perCore !== undefined) {
    console.log(
      `server CPU busy: ${cores(one)!.toFixed(2)} cores with 1 worker, ${cores(two)!.toFixed(2)} with 2, of ${availableParallelism()} shared with the load generator`,
    );
    if (primaryCpuMsPerRequest !== undefined)
      console.log(
        `of the 2-worker figure, the primary (connections, SQLite sign-in writes) takes ${primaryCpuMsPerRequest.toFixed(3)} ms per request`,
      );
    console.log(
      `at ${two.cpuMsPerRequest!.toFixed(3)} ms CPU per request one core answers ~${perCore.toFixed(0)} req/s; with the load generator on other machines, N workers on N cores ≈ N × that (${[4, 8, 16].map((n) => `${n}: ~${((n * perCore) / 1000).toFixed(1)}k`).join(', ')} req/s) while the store's reads stay in memory and its writes (sign-in records) keep up`,
    );
  }
  let exitCode = 0;
  for (const [title, r] of [
    ['--workers 1', one],
    ['--workers 2', two],
  ] as const) {
    const failures = r.non2xx + r.errors + r.timeouts;
    if (failures > NON_2XX_LIMIT * Math.max(r.requests, 1)) {
      exitCode = 1;
      console.error(
        `!!! ${title}: ${failures} of ${r.requests} requests failed (${JSON.stringify(r.statusCodes)}): these figures measure errors`,
      );
    }
  }
  const fixed = (value: number | undefined, digits: number) =>
    value === undefined ? null : Number(value.toFixed(digits));
  console.log(
    JSON.stringify({
      bench: 'workers',
      workers_1_rps: fixed(one.rps, 0),
      workers_2_rps: fixed(two.rps, 0),
      ratio: fixed(ratio, 2),
      round_ratios: roundRatios.map((r) => fixed(r, 2)),
      workers_1_rss_mb: fixed(rssOne, 0),
      workers_2_rss_mb: fixed(rssTwo, 0),
      workers_1_p50_ms: one.p50Ms,
      workers_1_p99_ms: one.p99Ms,
      workers_2_p50_ms: two.p50Ms,
      workers_2_p99_ms: two.p99Ms,
      workers_1_cpu_ms_per_request: fixed(one.cpuMsPerRequest, 3),
      workers_2_cpu_ms_per_request: fixed(two.cpuMsPerRequest, 3),
      workers_1_cores_busy: fixed(cores(one), 2),
      workers_2_cores_busy: fixed(cores(two), 2),
      workers_2_primary_cpu_ms_per_request: fixed(primaryCpuMsPerRequest, 3),
      cpus: availableParallelism(),
      connections,
      duration_s: durationSeconds,
      rounds,
      non2xx: one.non2xx + two.non2xx,
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
