/**
 * One burst: every request body sent at once over a keep-alive pool, each request timed from send to
 * full response. What the rollout herd looks like to the token endpoint.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { type Dispatcher, request } from 'undici';

export interface BurstResult {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** From the first send to the last response. */
  wallMs: number;
  /** Non-200 answers and transport errors. */
  errors: number;
  /** Distinct access tokens among the 200 answers (1,000 without reuse; fewer with a reuse window). */
  distinctTokens: number;
}

export async function runBurst(options: {
  url: string;
  dispatcher: Dispatcher;
  bodies: readonly string[];
}): Promise<BurstResult> {
  const started = performance.now();
  const tokens = new Set<string>();
  let errors = 0;
  const latencies = await Promise.all(
    options.bodies.map(async (body) => {
      const sent = performance.now();
      try {
        const response = await request(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
          dispatcher: options.dispatcher,
        });
        const text = await response.body.text();
        if (response.statusCode === 200)
          tokens.add((JSON.parse(text) as { access_token: string }).access_token);
        else errors++;
      } catch {
        errors++;
      }
      return performance.now() - sent;
    }),
  );
  const wallMs = performance.now() - started;
  const sorted = latencies.sort((a, b) => a - b);
  return {
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.at(-1) ?? 0,
    wallMs,
    errors,
    distinctTokens: tokens.size,
  };
}

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1]!;
}

export function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
  return Number(median.toFixed(1));
}
