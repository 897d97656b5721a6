/**
 * `credless signins list`: the tenant's sign-in records (token exchanges), newest first, from the API's
 * `GET /auditLogs/signIns` (Graph's signIn shape plus credless's detail).
 * @module
 */
import { UsageError } from '../exit-codes.ts';
import type { GraphApi } from '../session/graph-api.ts';

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

/** The request's query string: `$filter` clauses joined by `and`, `$top`. */
export function signInQuery(options: ListSignInsOptions): string {
  const clauses: string[] = [];
  if (options.app !== undefined) clauses.push(`appId eq '${options.app.replaceAll("'", "''")}'`);
  if (options.failed) clauses.push('status/errorCode ne 0');
  if (options.since !== undefined) {
    clauses.push(
      `createdDateTime ge ${parseSince(options.since, (options.now ?? Date.now)()).toISOString()}`,
    );
  }
  const params = new URLSearchParams();
  if (clauses.length > 0) params.set('$filter', clauses.join(' and '));
  if (options.limit !== undefined) params.set('$top', String(parseLimit(options.limit)));
  const query = params.toString();
  return query === '' ? '' : `?${query}`;
}

export async function listSignIns(
  api: GraphApi,
  options: ListSignInsOptions = {},
): Promise<Array<Record<string, unknown>>> {
  const answer = await api.call<{ value: Array<Record<string, unknown>> }>(
    'GET',
    `/auditLogs/signIns${signInQuery(options)}`,
  );
  return answer.value;
}
