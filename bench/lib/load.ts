/**
 * One timed autocannon run against a token endpoint: every request takes the next unused body from a
 * pre-built pool, so no assertion is ever sent twice. The run stops early (and says so) rather than
 * reuse one when the pool runs low.
 * @module
 */
import autocannon from 'autocannon';

/** Pre-built request bodies and a cursor shared by every run that draws from them. */
export interface BodyPool {
  label: string;
  bodies: string[];
  next: number;
}

export interface LoadRunOptions {
  url: string;
  path: string;
  pool: BodyPool;
  connections: number;
  durationSeconds: number;
}

export interface LoadRunResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** True when the pool ran low and the run was cut short. */
  exhausted: boolean;
}

/**
 * autocannon notices stop() only at its next 1 s sample, so stop that much early: the reserve keeps
 * the run at full concurrency until it ends. `maxOverallRequests` is the hard cap that guarantees no
 * body is ever sent twice.
 */
const RESERVE_BODIES = 4000;

export function remaining(pool: BodyPool): number {
  return Math.max(0, pool.bodies.length - pool.next);
}

export async function runLoad(options: LoadRunOptions): Promise<LoadRunResult> {
  const { pool } = options;
  if (remaining(pool) < RESERVE_BODIES + options.connections * 10)
    throw new Error(`${pool.label}: not enough unused assertions left for a run`);
  let exhausted = false;
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    duration: options.durationSeconds,
    timeout: 10,
    maxOverallRequests: remaining(pool),
    requests: [
      {
        method: 'POST',
        path: options.path,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        setupRequest: (request) => {
          if (!exhausted && pool.next >= pool.bodies.length - RESERVE_BODIES) {
            exhausted = true;
            instance.stop();
          }
          const body = pool.bodies[pool.next++];
          // Unreachable with maxOverallRequests; a loud failure beats a silently replayed assertion.
          if (body === undefined) throw new Error(`${pool.label}: assertion pool exhausted`);
          return { ...request, body };
        },
      },
    ],
  });
  const result = await instance;
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats)) statusCodes[code] = stats.count;
  const requests = result.requests.total;
  return {
    requests,
    seconds: result.duration,
    rps: requests / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    exhausted,
  };
}
