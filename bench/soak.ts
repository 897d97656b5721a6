/**
 * `npm run soak` (builds first; not part of CI): a memory soak of the token endpoint. Starts the
 * built `credless up` as a child, sends exchanges at a steady rate for SOAK_MINUTES, samples the
 * server's resident set size (RSS, /proc, Linux) every SOAK_SAMPLE_SECONDS, and after the warm-up
 * compares the RSS at the end with the RSS just after the warm-up (each the median of three samples,
 * so one GC does not decide). Exits 1 if it grew by SOAK_MAX_GROWTH_PERCENT or more, or if more than
 * 0.1% of exchanges failed. Ends with one JSON line for machines.
 *
 * Every request is a real exchange: a fresh certificate client assertion (unique jti) of the local
 * administrator, verified, looked up and answered with a signed access token, and a sign-in record.
 *
 * Environment: SOAK_MINUTES (20), SOAK_WARMUP_MINUTES (2), SOAK_SAMPLE_SECONDS (10), SOAK_RPS
 * (target exchanges per second, 100), SOAK_CONCURRENCY (8), SOAK_MAX_GROWTH_PERCENT (5).
 * @module
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GRAPH_RESOURCE_URI } from '@credless/core';
import { createAdminAssertion, readAdminIdentity } from '@credless/server';
import { Agent, request } from 'undici';
import { startCredlessUp } from '../packages/cli/test/run-binary.ts';
import { positiveIntegerEnv } from './lib/report.ts';

const minutes = positiveIntegerEnv('SOAK_MINUTES', 20);
const warmupMinutes = positiveIntegerEnv('SOAK_WARMUP_MINUTES', 2);
const sampleSeconds = positiveIntegerEnv('SOAK_SAMPLE_SECONDS', 10);
const targetRps = positiveIntegerEnv('SOAK_RPS', 100);
const concurrency = positiveIntegerEnv('SOAK_CONCURRENCY', 8);
const maxGrowthPercent = positiveIntegerEnv('SOAK_MAX_GROWTH_PERCENT', 5);
const FAILURE_LIMIT = 0.001;
if (warmupMinutes >= minutes) throw new Error('SOAK_WARMUP_MINUTES must be shorter than SOAK_MINUTES');

/** Resident set size of `pid` in bytes (VmRSS), from /proc. */
function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid} (the soak needs Linux /proc)`);
  return Number(match[1]) * 1024;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

const workDir = await mkdtemp(join(tmpdir(), 'credless-soak-'));
const dataDir = join(workDir, 'data');
const up = await startCredlessUp(dataDir, { CREDLESS_LOG_LEVEL: 'error' });
let exitCode = 1;
try {
  const authority = /authority host\s+(\S+)/.exec(up.banner)?.[1];
  const caFile = /NODE_EXTRA_CA_CERTS=(\S+)/.exec(up.banner)?.[1];
  const identity = await readAdminIdentity(dataDir);
  if (!authority || !caFile || !identity) throw new Error(`cannot read credless up's banner:\n${up.banner}`);
  const tokenEndpoint = `${authority}/${identity.tenantId}/oauth2/v2.0/token`;
  const dispatcher = new Agent({ connect: { ca: await readFile(caFile, 'utf8') }, connections: concurrency });

  const counts = { ok: 0, failed: 0 };
  let firstFailure: string | undefined;
  const exchange = async () => {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: identity.clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await createAdminAssertion(identity, tokenEndpoint),
      scope: `${GRAPH_RESOURCE_URI}/.default`,
    }).toString();
    const response = await request(tokenEndpoint, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const text = await response.body.text();
    if (response.statusCode === 200) counts.ok += 1;
    else {
      counts.failed += 1;
      firstFailure ??= `${response.statusCode} ${text.slice(0, 300)}`;
    }
  };

  // Steady pacing: each worker waits for its slot, so the rate does not drift with the server's speed.
  const startedAt = Date.now();
  const endsAt = startedAt + minutes * 60_000;
  const intervalMs = (1000 * concurrency) / targetRps;
  const worker = async (offset: number) => {
    let next = startedAt + (offset * intervalMs) / concurrency;
    while (Date.now() < endsAt) {
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
      next += intervalMs;
      await exchange().catch((error: unknown) => {
        counts.failed += 1;
        firstFailure ??= String(error);
      });
    }
  };

  console.log(
    `soak: ${minutes} min of exchanges at ~${targetRps}/s against credless up (pid ${up.pid}), RSS every ${sampleSeconds} s, ${warmupMinutes} min warm-up`,
  );
  const samples: Array<{ atS: number; rss: number }> = [];
  const sampler = (async () => {
    while (Date.now() < endsAt) {
      await sleep(Math.min(sampleSeconds * 1000, Math.max(0, endsAt - Date.now())));
      const atS = Math.round((Date.now() - startedAt) / 1000);
      const rss = rssBytes(up.pid);
      samples.push({ atS, rss });
      const done = counts.ok + counts.failed;
      console.log(
        `${String(atS).padStart(5)} s  RSS ${mb(rss).padStart(7)} MB  exchanges ${done} (${(done / Math.max(atS, 1)).toFixed(0)}/s)  failed ${counts.failed}${atS < warmupMinutes * 60 ? '  (warm-up)' : ''}`,
      );
    }
  })();
  await Promise.all([...Array.from({ length: concurrency }, (_, index) => worker(index)), sampler]);
  await dispatcher.close();

  const measured = samples.filter((sample) => sample.atS >= warmupMinutes * 60);
  if (measured.length < 3) throw new Error('too few samples after the warm-up: lengthen SOAK_MINUTES');
  const baseline = median(measured.slice(0, 3).map((sample) => sample.rss));
  const final = median(measured.slice(-3).map((sample) => sample.rss));
  const growthPercent = ((final - baseline) / baseline) * 100;
  const total = counts.ok + counts.failed;
  const failureRate = total === 0 ? 1 : counts.failed / total;
  const grew = growthPercent >= maxGrowthPercent;
  const failedTooOften = failureRate > FAILURE_LIMIT;
  console.log(
    `RSS after warm-up ${mb(baseline)} MB, at the end ${mb(final)} MB: ${growthPercent >= 0 ? '+' : ''}${growthPercent.toFixed(2)}% (limit ${maxGrowthPercent}%): ${grew ? 'FAILED' : 'ok'}`,
  );
  console.log(
    `exchanges: ${counts.ok} ok, ${counts.failed} failed (${(failureRate * 100).toFixed(3)}%, limit ${FAILURE_LIMIT * 100}%)${failedTooOften ? ': FAILED' : ''}`,
  );
  if (firstFailure) console.log(`first failure: ${firstFailure}`);
  console.log(
    JSON.stringify({
      bench: 'soak',
      minutes,
      warmup_minutes: warmupMinutes,
      exchanges_ok: counts.ok,
      exchanges_failed: counts.failed,
      rss_after_warmup_mb: Number(mb(baseline)),
      rss_end_mb: Number(mb(final)),
      rss_growth_percent: Number(growthPercent.toFixed(2)),
      passed: !grew && !failedTooOften,
    }),
  );
  exitCode = grew || failedTooOften ? 1 : 0;
} finally {
  await up.stop();
  up.kill();
  await rm(workDir, { recursive: true, force: true });
}
process.exit(exitCode);
