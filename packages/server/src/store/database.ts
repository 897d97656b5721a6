/**
 * Opens the directory database: embedded SQLite in the data directory by default, PostgreSQL when a
 * `postgres://` URL is configured. Returns a typed Kysely instance either way.
 * @module
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { CredlessError } from '@credless/core';
import Sqlite from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { CurrentSchemaPostgresDialect } from './postgres-dialect.ts';
import type { DatabaseSchema, SqlDialectName } from './schema.ts';
import { isUniqueViolation } from './sql-errors.ts';
import { ImmediateSqliteDialect } from './sqlite-dialect.ts';

export const SQLITE_FILE_NAME = 'credless.db';
const SQLITE_BUSY_TIMEOUT_MS = 5000;
/** Plain lowercase identifiers only: the name ends up in search_path and in test DDL. */
const SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
const INT8_OID = 20;
const PG_CONNECT_TIMEOUT_MS = 10_000;

export interface OpenDatabaseOptions {
  /** `postgres://…` (optionally `?schema=<name>`); absent = SQLite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** PostgreSQL schema to use (created if missing); overrides `?schema=` in the URL. */
  schema?: string;
  log?: (msg: string) => void;
  /**
   * A pooled PostgreSQL connection failed while idle (the server restarted, a failover, a network cut).
   * The pool drops that connection and opens a new one on the next query; this only reports it.
   */
  onConnectionError?: (error: Error) => void;
}

export interface Database {
  db: Kysely<DatabaseSchema>;
  dialect: SqlDialectName;
  /** The PostgreSQL schema in use, when one was requested. */
  schema?: string;
  close(): Promise<void>;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return openSqlite(options);
}

function openSqlite(options: OpenDatabaseOptions): Database {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const file = join(options.dataDir, SQLITE_FILE_NAME);
  // Create the file owner-only before SQLite does (it holds encrypted keys); WAL files inherit its mode.
  closeSync(openSync(file, 'a', 0o600));
  const database = new Sqlite(file);
  // busy_timeout first: switching to WAL needs a lock another starting process may briefly hold.
  database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<DatabaseSchema>({ dialect: new ImmediateSqliteDialect({ database }) });
  options.log?.(`directory database: SQLite ${file}`);
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/** How to connect a `pg` client to the configured database and schema (the pool and the change feed). */
export interface PostgresConnection {
  url: URL;
  schema: string | undefined;
  config: pg.ClientConfig;
}

export function postgresConnection(databaseUrl: string, schemaOverride?: string): PostgresConnection {
  const url = parsePostgresUrl(databaseUrl);
  const schema = schemaOverride ?? url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  let startupOptions = url.searchParams.get('options') ?? undefined;
  if (schema !== undefined) {
    if (!SCHEMA_NAME_PATTERN.test(schema)) {
      throw new CredlessError('database_schema_invalid', { schema });
    }
    // A startup parameter rather than a SET after connect: every pooled connection gets it, and a
    // failure surfaces when connecting instead of silently leaving a connection on another schema.
    startupOptions = [startupOptions, `-c search_path=${schema}`].filter(Boolean).join(' ');
    url.searchParams.delete('options');
  }
  const config: pg.ClientConfig = {
    connectionString: url.toString(),
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    ...(startupOptions !== undefined ? { options: startupOptions } : {}),
  };
  return { url, schema, config };
}

async function openPostgres(databaseUrl: string, options: OpenDatabaseOptions): Promise<Database> {
  const { url, schema, config } = postgresConnection(databaseUrl, options.schema);
  const pool = new pg.Pool({
    ...config,
    types: { getTypeParser: typeParser as typeof pg.types.getTypeParser },
  });
  // Without listeners, a connection's error when the database restarts is an unhandled 'error' event that
  // takes the whole process down: the pool emits it for idle connections, and each client for itself while
  // it is checked out (between a transaction's statements, say). The query in flight fails either way.
  pool.on('error', (error) => options.onConnectionError?.(error));
  pool.on('connect', (client) => client.on('error', (error) => options.onConnectionError?.(error)));
  const db = new Kysely<DatabaseSchema>({ dialect: new CurrentSchemaPostgresDialect({ pool }) });
  try {
    if (schema !== undefined) await createSchema(db, schema);
    else await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy();
    throw new CredlessError(
      'database_unreachable',
      { url: describeUrl(url), reason: (error as Error).message },
      { cause: error },
    );
  }
  options.log?.(`directory database: PostgreSQL ${describeUrl(url)}${schema ? ` (schema ${schema})` : ''}`);
  return { db, dialect: 'postgres', ...(schema !== undefined ? { schema } : {}), close: () => db.destroy() };
}

/** `if not exists` is not atomic: two processes starting together can both try; the loser's error is moot. */
async function createSchema(db: Kysely<DatabaseSchema>, schema: string): Promise<void> {
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
}

function parsePostgresUrl(databaseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new CredlessError('database_url_invalid', {
      reason: 'expected postgres://user@host:port/database',
    });
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new CredlessError('database_url_invalid', {
      reason: `unsupported scheme '${url.protocol}': expected postgres://`,
    });
  }
  return url;
}

/** Host, port and database only: never the password. */
const describeUrl = (url: URL): string => `${url.hostname}:${url.port || '5432'}${url.pathname}`;

/** bigint columns (epoch ms, counters) come back as numbers, like SQLite's integers. */
function typeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === INT8_OID && format !== 'binary') return parseInt8;
  return pg.types.getTypeParser(oid, format as 'text');
}

function parseInt8(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new Error(`bigint value ${value} exceeds the safe integer range`);
  return parsed;
}
