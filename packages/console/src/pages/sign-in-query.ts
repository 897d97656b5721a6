/** The Sign-in logs page's filters as Graph's `$filter` on /auditLogs/signIns (sign-in-filter.ts's subset). Pure. */
import { odataString } from '../api/client.ts';

export interface SignInFilters {
  appId: string;
  /** 'all' or 'failure' (the API selects failures only; successes are the rest). */
  result: 'all' | 'failure' | 'success';
  /** Hours back from now; 0: no bound. */
  hours: number;
  /** AADSTS number or catalogue code, matched on the page. */
  errorCode: string;
}

export function signInsPath(filters: SignInFilters, now: number): string {
  const clauses: string[] = [];
  if (filters.appId) clauses.push(`appId eq ${odataString(filters.appId)}`);
  if (filters.result === 'failure') clauses.push('status/errorCode ne 0');
  if (filters.hours > 0)
    clauses.push(`createdDateTime ge ${new Date(now - filters.hours * 3_600_000).toISOString()}`);
  const query = new URLSearchParams({ $top: '200' });
  if (clauses.length > 0) query.set('$filter', clauses.join(' and '));
  return `/v1.0/auditLogs/signIns?${query.toString()}`;
}

/** What the API cannot filter: successes only, and the error code. */
export function keepSignIn(
  filters: SignInFilters,
  record: { result: string; errorCode: string | null; status: { errorCode: number } },
): boolean {
  if (filters.result === 'success' && record.result !== 'success') return false;
  const code = filters.errorCode.trim().toLowerCase();
  if (!code) return true;
  return (
    (record.errorCode ?? '').toLowerCase().includes(code) || String(record.status.errorCode).includes(code)
  );
}
