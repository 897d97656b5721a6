/**
 * Kysely's SQLite dialect with two changes that make it safe for several processes sharing one file:
 * transactions start with `BEGIN IMMEDIATE` (they take the write lock up front and wait for it with
 * busy_timeout, instead of failing with SQLITE_BUSY when a read turns into a write), and the adapter
 * declares DDL transactional (SQLite's is), so the Migrator runs all migrations in one such transaction.
 * It also keeps compiled write statements: kysely prepares every query anew.
 * @module
 */
import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  type SqliteStatement,
} from 'kysely';

/** Distinct write texts are few (sign-in batches by row count, begin/commit, directory writes). */
const MAX_CACHED_STATEMENTS = 256;

/**
 * Compiling a 64-row sign-in insert costs almost half as much again as running it (measured: about
 * 160 µs against 370 µs), and kysely prepares on every query, on the event loop. Writes are kept compiled; readers are not, because a select being
 * streamed (iterate) cannot run again until it is done.
 */
function keepingWriteStatements(database: SqliteDatabase): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql) {
      const cached = statements.get(sql);
      if (cached) return cached;
      const statement = database.prepare(sql);
      if (!statement.reader) {
        if (statements.size >= MAX_CACHED_STATEMENTS) statements.clear();
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

class ImmediateTransactionSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    const { database } = config;
    const keeping =
      typeof database === 'function'
        ? { ...config, database: async () => keepingWriteStatements(await database()) }
        : { ...config, database: keepingWriteStatements(database) };
    super(keeping);
    this.#config = keeping;
  }

  override createDriver(): Driver {
    return new ImmediateTransactionSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
