/**
 * Recognizes constraint violations from either driver (better-sqlite3's SqliteError, pg's DatabaseError).
 * @module
 */

const SQLITE_UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);
const PG_UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === PG_UNIQUE_VIOLATION || (typeof code === 'string' && SQLITE_UNIQUE_CODES.has(code));
}

/** SQLSTATE classes and codes that mean "the database is not reachable now", not "this statement is wrong". */
const PG_TRANSIENT_CLASSES = ['08', '53', '57P'];
const SQLITE_TRANSIENT_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);
const NETWORK_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
/** pg raises plain Errors (no code) when a connection dies under a query or the connect times out. */
const PG_CONNECTION_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/**
 * Whether a store call failed because the database is down, restarting or overloaded: worth retrying
 * later, and answered from memory (or with 503) meanwhile. Anything else is a real error.
 */
export function isTransientStoreError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (PG_TRANSIENT_CLASSES.some((prefix) => code.startsWith(prefix)) && /^[0-9A-Z]{5}$/.test(code))
      return true;
    if (SQLITE_TRANSIENT_CODES.has(code) || NETWORK_ERRNOS.has(code)) return true;
  }
  if (typeof message === 'string' && PG_CONNECTION_MESSAGES.test(message)) return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isTransientStoreError(cause);
}
