/**
 * The `$filter` subset of `GET /auditLogs/signIns`, read into the store's sign-in query: clauses
 * joined by `and`, each one of `appId eq '…'`, `createdDateTime ge|gt|le|lt <ISO 8601>` and
 * `status/errorCode eq 0` (successes), `ne 0` (failures) or `eq <AADSTS number>` (failures with it), as
 * Graph filters service-principal sign-ins. The text is scanned clause by clause (quoted strings are read
 * whole, `''` is one quote), so an `and` inside a value is part of the value. Anything else, a property
 * named twice included (appId or status/errorCode), is Graph's unsupported-query error, never ignored.
 * @module
 */
import { CredlessError } from '@credless/core';
import type { SignInLogQuery } from '../../store/sign-in-logs.ts';

export type SignInFilter = Omit<SignInLogQuery, 'tenantId' | 'limit'>;

const MAX_FILTER_LENGTH = 2048;
const unsupported = (subject: string) => new CredlessError('graph_unsupported_query', { subject });
const bad = (reason: string) => new CredlessError('graph_bad_request', { reason });

// One clause at the start of the remaining text: property, operator, value (quoted, or a bare literal).
const CLAUSE = /^\s*([A-Za-z][\w/]*)\s+(eq|ne|ge|gt|le|lt)\s+('(?:[^']|'')*'|[^\s)]+)\s*/;
const AND = /^and\s+/i;

function unquote(literal: string): string | undefined {
  return literal.startsWith("'") ? literal.slice(1, -1).replaceAll("''", "'") : undefined;
}

function applyTime(filter: SignInFilter, operator: string, literal: string): void {
  // Graph writes DateTimeOffset literals bare (2024-05-01T00:00:00Z); quoted ones are accepted too.
  const text = unquote(literal) ?? literal;
  const time = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(time)) throw bad(`Invalid filter clause: '${literal}' is not a DateTimeOffset.`);
  // The store takes an inclusive lower and an exclusive upper bound (milliseconds).
  if (operator === 'ge') filter.since = new Date(time);
  else if (operator === 'gt') filter.since = new Date(time + 1);
  else if (operator === 'lt') filter.until = new Date(time);
  else if (operator === 'le') filter.until = new Date(time + 1);
  else throw unsupported(`createdDateTime with '${operator}'`);
}

/** `status/errorCode`: 0 on success, the AADSTS number on failure (graph/routes/sign-ins.ts). */
function applyErrorCode(filter: SignInFilter, operator: string, literal: string): void {
  const code = /^\d{1,9}$/.test(literal) ? Number(literal) : undefined;
  if (code === undefined || (operator !== 'eq' && operator !== 'ne') || (operator === 'ne' && code !== 0)) {
    throw unsupported(`status/errorCode with '${operator} ${literal}' (eq or ne 0, or eq an error code)`);
  }
  if (code !== 0) filter.aadsts = code;
  else filter.result = operator === 'eq' ? 'success' : 'failure';
}

function applyClause(filter: SignInFilter, property: string, operator: string, literal: string): void {
  if (property === 'appId') {
    const value = unquote(literal);
    if (operator !== 'eq' || value === undefined || filter.appId !== undefined) {
      throw unsupported(
        `appId with '${operator} ${literal}'${filter.appId === undefined ? '' : ' (appId twice)'}`,
      );
    }
    filter.appId = value;
  } else if (property === 'createdDateTime') {
    applyTime(filter, operator, literal);
  } else if (property === 'status/errorCode') {
    if (filter.result !== undefined || filter.aadsts !== undefined) {
      throw unsupported(`status/errorCode with '${operator} ${literal}' (status/errorCode twice)`);
    }
    applyErrorCode(filter, operator, literal);
  } else {
    throw unsupported(`the property '${property}'`);
  }
}

/** Reads a `$filter` value; Graph's 400 for anything outside the subset. */
export function parseSignInFilter(text: string): SignInFilter {
  if (text.length > MAX_FILTER_LENGTH) throw bad('Invalid filter clause: the filter is too long.');
  const filter: SignInFilter = {};
  let rest = text.trim();
  if (rest === '') throw bad('Invalid filter clause.');
  for (;;) {
    const clause = CLAUSE.exec(rest);
    if (!clause) throw unsupported(`signIns ('${rest.slice(0, 80)}')`);
    applyClause(filter, clause[1] as string, clause[2] as string, clause[3] as string);
    rest = rest.slice(clause[0].length);
    if (rest === '') break;
    const and = AND.exec(rest);
    if (!and) throw unsupported(`signIns ('${rest.slice(0, 80)}'; only clauses joined by and)`);
    rest = rest.slice(and[0].length);
  }
  return filter;
}
