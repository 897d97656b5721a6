/**
 * Sign-in log rows: written in batches (one transaction, a few multi-row inserts), read newest first
 * per tenant, purged by age. These are not directory changes, so nothing here bumps the directory
 * version (that would make every process drop its token-path caches on each flush).
 * @module
 */
import { CredlessError, type Explanation } from '@credless/core';
import { CompiledQuery } from 'kysely';
import type { SqlDialectName } from './schema.ts';
import type { Db } from './store-context.ts';

export interface SignInLogRecord {
  id: string;
  tenantId: string;
  createdAt: Date;
  /** The client id as sent. */
  appId: string;
  /** Object id of the client application, when it was found. */
  applicationId: string | null;
  credentialName: string | null;
  credentialId: string | null;
  /** Issuer and subject of the presented assertion, when it could be read. */
  issuer: string | null;
  subject: string | null;
  /** Audience(s) of the presented assertion, space-separated. */
  audience: string | null;
  /** The resource as requested. */
  resource: string | null;
  result: 'success' | 'failure';
  /** Our catalogue code (`server_error` for unexpected failures). */
  errorCode: string | null;
  aadsts: number | null;
  failedStep: string | null;
  clientRequestId: string;
  traceId: string;
  latencyMs: number;
  /** Why the issuer policy let this through only in audit mode (e.g. `issuer_not_trusted`); migration 0005. */
  policyAudit?: string | null;
  /** Failed exchanges: why no credential matched (migration 0006). Never holds the token. */
  explanation?: SignInExplanation | null;
  /** Successful exchanges: the application roles the access token carries (migration 0011). */
  roles?: string[] | null;
  /**
   * Failed exchanges: what the caller's generic reason leaves out (a refused issuer address, a fetch
   * error code), for the operator only (migration 0013).
   */
  failureDetail?: string | null;
}

/** An explanation as recorded; `assertionVerified` says whether the compared claims were signature-checked. */
export type SignInExplanation = Explanation & { assertionVerified: boolean };

export interface SignInLogQuery {
  tenantId: string;
  appId?: string;
  /** Only successful exchanges, or only failed ones. */
  result?: SignInLogRecord['result'];
  /** Only failures with this STS error number (the numeric part of the sign-in record code). */
  aadsts?: number;
  /** Inclusive lower bound on createdAt. */
  since?: Date;
  /** Exclusive upper bound on createdAt. */
  until?: Date;
  /** Default 100, at most 1000. */
  limit?: number;
}

export const SIGN_IN_LOG_DEFAULT_LIMIT = 100;
export const SIGN_IN_LOG_MAX_LIMIT = 1000;
/** Rows per INSERT statement: 20 columns × 200 stays far below SQLite's and PostgreSQL's bound-parameter limits. */
const ROWS_PER_STATEMENT = 200;
/**
 * better-sqlite3 runs on the event loop: write SQLite batches in small statements and yield between
 * them, so a flush never stalls token requests for more than about a millisecond.
 */
const SQLITE_ROWS_PER_STATEMENT = 64;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface SignInLogsTable {
  id: string;
  tenant_id: string;
  created_at: number;
  app_id: string;
  application_id: string | null;
  credential_name: string | null;
  credential_id: string | null;
  issuer: string | null;
  subject: string | null;
  audience: string | null;
  resource: string | null;
  result: string;
  error_code: string | null;
  aadsts: number | null;
  failed_step: string | null;
  client_request_id: string;
  trace_id: string;
  latency_ms: number;
  policy_audit: string | null;
  /** JSON text (migration 0006). */
  explanation: string | null;
  /** JSON array of role values (migration 0011). */
  roles: string | null;
  /** Migration 0013. */
  failure_detail: string | null;
}

/** The table is added by migration 0003; typed here so the directory schema stays about the directory. */
const signInLogsDb = (db: Db) => db.withTables<{ sign_in_logs: SignInLogsTable }>();

function toRow(record: SignInLogRecord): SignInLogsTable {
  return {
    id: record.id,
    tenant_id: record.tenantId,
    created_at: record.createdAt.getTime(),
    app_id: record.appId,
    application_id: record.applicationId,
    credential_name: record.credentialName,
    credential_id: record.credentialId,
    issuer: record.issuer,
    subject: record.subject,
    audience: record.audience,
    resource: record.resource,
    result: record.result,
    error_code: record.errorCode,
    aadsts: record.aadsts,
    failed_step: record.failedStep,
    client_request_id: record.clientRequestId,
    trace_id: record.traceId,
    latency_ms: Math.max(0, Math.round(record.latencyMs)),
    policy_audit: record.policyAudit ?? null,
    explanation: record.explanation ? JSON.stringify(record.explanation) : null,
    roles: record.roles ? JSON.stringify(record.roles) : null,
    failure_detail: record.failureDetail ?? null,
  };
}

function placeholderRecord(): SignInLogRecord {
  return {
    id: '',
    tenantId: '',
    createdAt: new Date(0),
    appId: '',
    applicationId: null,
    credentialName: null,
    credentialId: null,
    issuer: null,
    subject: null,
    audience: null,
    resource: null,
    result: 'success',
    errorCode: null,
    aadsts: null,
    failedStep: null,
    clientRequestId: '',
    traceId: '',
    latencyMs: 0,
  };
}

function fromRow(row: SignInLogsTable): SignInLogRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    createdAt: new Date(Number(row.created_at)),
    appId: row.app_id,
    applicationId: row.application_id,
    credentialName: row.credential_name,
    credentialId: row.credential_id,
    issuer: row.issuer,
    subject: row.subject,
    audience: row.audience,
    resource: row.resource,
    result: row.result === 'success' ? 'success' : 'failure',
    errorCode: row.error_code,
    aadsts: row.aadsts === null ? null : Number(row.aadsts),
    failedStep: row.failed_step,
    clientRequestId: row.client_request_id,
    traceId: row.trace_id,
    latencyMs: Number(row.latency_ms),
    ...(row.policy_audit ? { policyAudit: row.policy_audit } : {}),
    ...(row.explanation ? { explanation: parseExplanation(row.explanation) } : {}),
    ...(row.roles ? { roles: parseRoles(row.roles) } : {}),
    ...(row.failure_detail ? { failureDetail: row.failure_detail } : {}),
  };
}

function parseRoles(text: string): string[] | null {
  try {
    const roles: unknown = JSON.parse(text);
    return Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : null;
  } catch {
    return null;
  }
}

function parseExplanation(text: string): SignInExplanation | null {
  try {
    return JSON.parse(text) as SignInExplanation;
  } catch {
    return null;
  }
}

const COLUMNS = Object.keys(toRow(placeholderRecord())) as Array<keyof SignInLogsTable>;
/** Statement text per (dialect, row count): building it through the query builder costs more per row than the insert. */
const insertTexts = new Map<string, string>();

function insertText(dialect: SqlDialectName, rowCount: number): string {
  const key = `${dialect}:${rowCount}`;
  let text = insertTexts.get(key);
  if (text === undefined) {
    let parameter = 0;
    const next = () => (dialect === 'postgres' ? `$${++parameter}` : '?');
    const tuples = Array.from({ length: rowCount }, () => `(${COLUMNS.map(next).join(', ')})`);
    text = `insert into sign_in_logs (${COLUMNS.join(', ')}) values ${tuples.join(', ')}`;
    insertTexts.set(key, text);
  }
  return text;
}

/** Inserts all records in one transaction (all or none). */
export async function insertSignInLogs(
  db: Db,
  dialect: SqlDialectName,
  records: readonly SignInLogRecord[],
): Promise<void> {
  if (records.length === 0) return;
  await db.transaction().execute(async (trx) => {
    const rowsPerStatement = dialect === 'sqlite' ? SQLITE_ROWS_PER_STATEMENT : ROWS_PER_STATEMENT;
    for (let start = 0; start < records.length; start += rowsPerStatement) {
      if (dialect === 'sqlite' && start > 0) await yieldToEventLoop();
      const chunk = records.slice(start, start + rowsPerStatement);
      const parameters: unknown[] = [];
      for (const record of chunk) {
        const row = toRow(record);
        for (const column of COLUMNS) parameters.push(row[column]);
      }
      await trx.executeQuery(CompiledQuery.raw(insertText(dialect, chunk.length), parameters));
    }
  });
}

export function checkSignInLogLimit(limit: number | undefined): number {
  if (limit === undefined) return SIGN_IN_LOG_DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > SIGN_IN_LOG_MAX_LIMIT) {
    throw new CredlessError('invalid_value', {
      field: 'limit',
      reason: `must be an integer between 1 and ${SIGN_IN_LOG_MAX_LIMIT}`,
    });
  }
  return limit;
}

/** Newest first (ties broken by id, so paging by time is stable). */
export async function querySignInLogs(db: Db, query: SignInLogQuery): Promise<SignInLogRecord[]> {
  const limit = checkSignInLogLimit(query.limit);
  let select = signInLogsDb(db)
    .selectFrom('sign_in_logs')
    .selectAll()
    .where('tenant_id', '=', query.tenantId);
  if (query.appId !== undefined) select = select.where('app_id', '=', query.appId);
  if (query.result !== undefined) select = select.where('result', '=', query.result);
  if (query.aadsts !== undefined) select = select.where('aadsts', '=', query.aadsts);
  if (query.since !== undefined) select = select.where('created_at', '>=', query.since.getTime());
  if (query.until !== undefined) select = select.where('created_at', '<', query.until.getTime());
  const rows = await select.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map(fromRow);
}

/** Deletes every record created before `before` (all tenants); returns how many. */
export async function deleteSignInLogsBefore(db: Db, before: Date): Promise<number> {
  const result = await signInLogsDb(db)
    .deleteFrom('sign_in_logs')
    .where('created_at', '<', before.getTime())
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Sign-in records. Built over the database alone, not a store context: it has no way to run a
 * directory write, so its writes can never invalidate a cache or notify a replica.
 */
export interface SignInLogsRepository {
  insertSignInLogs(records: readonly SignInLogRecord[]): Promise<void>;
  /** Newest first; limit defaults to 100, at most 1000. */
  querySignInLogs(query: SignInLogQuery): Promise<SignInLogRecord[]>;
  /** Purges records created before `before` (every tenant); returns how many were deleted. */
  deleteSignInLogsBefore(before: Date): Promise<number>;
}

export function signInLogsRepository(db: Db, dialect: SqlDialectName): SignInLogsRepository {
  return {
    insertSignInLogs: (records) => insertSignInLogs(db, dialect, records),
    querySignInLogs: (query) => querySignInLogs(db, query),
    deleteSignInLogsBefore: (before) => deleteSignInLogsBefore(db, before),
  };
}
