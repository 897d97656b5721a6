/** `credless signins list`: the tenant's sign-in records (token exchanges), newest first, as JSON. */
import type { DirectoryStore } from '@credless/server';
import type { DirectoryContext } from '../context.ts';
import { UsageError } from '../exit-codes.ts';

type SignInLogQuery = Parameters<DirectoryStore['querySignInLogs']>[0];
type SignInLogRecord = Awaited<ReturnType<DirectoryStore['querySignInLogs']>>[number];

export interface ListSignInsOptions {
  app?: string;
  failed?: boolean;
  /** ISO 8601 timestamp, or a duration back from now: `90s`, `30m`, `1h`, `7d`. */
  since?: string;
  /** 1–1000, default 100. */
  limit?: string | number;
  now?: () => number;
}

const DURATION = /^(\d{1,6})([smhd])$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const MAX_LIMIT = 1000;

export function parseSince(value: string, now: number): Date {
  const duration = DURATION.exec(value.trim());
  if (duration) return new Date(now - Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS]);
  const time = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || !Number.isFinite(time)) {
    throw new UsageError(`--since: '${value}' is neither an ISO 8601 timestamp nor a duration such as 1h`);
  }
  return new Date(time);
}

function parseLimit(value: string | number): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new UsageError(`--limit: '${value}' is not an integer between 1 and ${MAX_LIMIT}`);
  }
  return limit;
}

export async function listSignIns(
  ctx: DirectoryContext,
  options: ListSignInsOptions = {},
): Promise<SignInLogRecord[]> {
  const query: SignInLogQuery = { tenantId: ctx.tenantId };
  if (options.app !== undefined) query.appId = options.app;
  if (options.failed) query.failedOnly = true;
  if (options.since !== undefined) query.since = parseSince(options.since, (options.now ?? Date.now)());
  if (options.limit !== undefined) query.limit = parseLimit(options.limit);
  return ctx.store.querySignInLogs(query);
}
