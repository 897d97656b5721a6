/**
 * Small helpers for the benchmark's console output and its pre-flight check.
 * @module
 */
import { decodeProtectedHeader } from 'jose';
import { Agent, type Dispatcher, request } from 'undici';
import type { LoadRunResult } from './load.ts';

export function positiveIntegerEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer (got '${raw}')`);
  return value;
}

/** Progress on one line when stderr is a terminal, a line every few seconds otherwise. */
let lastPlainLine = 0;
export function printProgress(line: string, done: boolean): void {
  if (process.stderr.isTTY) {
    process.stderr.write(`\r${line}\x1b[K${done ? '\n' : ''}`);
    return;
  }
  const now = Date.now();
  if (done || now - lastPlainLine > 3000) {
    lastPlainLine = now;
    process.stderr.write(`${line}\n`);
  }
}

export function formatRow(cells: string[]): string {
  const widths = [28, 8, 8, 8, 10, 10, 8, 8];
  return cells
    .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i] ?? 8)))
    .join(' ');
}

/** Checks every server with one real exchange (its own certificate trusted) before any load. */
export async function checkEachServerOnce(
  servers: ReadonlyArray<{ name: string; url: string; caCertPem?: string | undefined; body: string }>,
): Promise<void> {
  for (const server of servers) {
    const client = new Agent(server.caCertPem ? { connect: { ca: server.caCertPem } } : {});
    try {
      await checkOneExchange({ name: server.name, url: server.url, body: server.body, dispatcher: client });
    } finally {
      await client.close();
    }
  }
}

/** One exchange with certificate verification: 200, JSON, and an RS256 JWT access token. */
export async function checkOneExchange(options: {
  name: string;
  url: string;
  body: string;
  dispatcher: Dispatcher;
}): Promise<void> {
  const response = await request(options.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: options.body,
    dispatcher: options.dispatcher,
  });
  const text = await response.body.text();
  if (response.statusCode !== 200)
    throw new Error(
      `${options.name}: sanity exchange answered ${response.statusCode}: ${text.slice(0, 500)}`,
    );
  const token = (JSON.parse(text) as { access_token?: unknown }).access_token;
  if (typeof token !== 'string') throw new Error(`${options.name}: no access_token in ${text.slice(0, 200)}`);
  const header = decodeProtectedHeader(token);
  if (header.alg !== 'RS256')
    throw new Error(`${options.name}: access token alg ${header.alg}, expected RS256`);
}

/** One measured run plus the server's CPU time during it. */
export interface MeasuredRun extends LoadRunResult {
  cpuMs: number | undefined;
}

export interface RunSummary {
  /** rps of the median round. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Over every round: server CPU (all threads) per completed request. */
  cpuMsPerRequest: number | undefined;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

export function summarize(runs: MeasuredRun[]): RunSummary {
  const byRps = [...runs].sort((a, b) => a.rps - b.rps);
  const median = byRps[Math.floor((byRps.length - 1) / 2)]!;
  const sum = (pick: (run: MeasuredRun) => number) => runs.reduce((total, run) => total + pick(run), 0);
  const requests = sum((run) => run.requests);
  const statusCodes: Record<string, number> = {};
  for (const run of runs)
    for (const [code, count] of Object.entries(run.statusCodes))
      statusCodes[code] = (statusCodes[code] ?? 0) + count;
  const cpuKnown = runs.every((run) => run.cpuMs !== undefined);
  return {
    rps: median.rps,
    p50Ms: median.p50Ms,
    p99Ms: median.p99Ms,
    cpuMsPerRequest: cpuKnown && requests > 0 ? sum((run) => run.cpuMs ?? 0) / requests : undefined,
    requests,
    non2xx: sum((run) => run.non2xx),
    errors: sum((run) => run.errors),
    timeouts: sum((run) => run.timeouts),
    statusCodes,
  };
}

/** The header and one row per server of the summary table that exchange.ts and signin-log.ts print. */
export const SUMMARY_HEADER = formatRow([
  'server',
  'rps',
  'p50 ms',
  'p99 ms',
  'CPU ms/req',
  'requests',
  'non-2xx',
  'errors',
]);

export function summaryRow(title: string, r: RunSummary, cpuDigits: number): string {
  return formatRow([
    title,
    r.rps.toFixed(0),
    r.p50Ms.toFixed(1),
    r.p99Ms.toFixed(1),
    r.cpuMsPerRequest === undefined ? 'n/a' : r.cpuMsPerRequest.toFixed(cpuDigits),
    String(r.requests),
    String(r.non2xx),
    String(r.errors + r.timeouts),
  ]);
}
