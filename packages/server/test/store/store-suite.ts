/**
 * Test harness for anything backed by the directory store: runs a suite once per dialect (embedded
 * SQLite in a temp dir, PostgreSQL in a fresh random schema), hands each test a fresh migrated store
 * and removes everything afterwards.
 *
 * PostgreSQL: `postgres://postgres@127.0.0.1:5432/test`, or CREDLESS_TEST_DATABASE_URL. When it is not
 * reachable the PostgreSQL suite FAILS, unless CREDLESS_TEST_POSTGRES=skip, in which case it is skipped
 * with a warning.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { type Database, type OpenDatabaseOptions, openDatabase } from '../../src/store/database.ts';
import {
  createKyselyDirectoryStore,
  type KyselyDirectoryStore,
} from '../../src/store/kysely-directory-store.ts';
import type { SqlDialectName } from '../../src/store/schema.ts';

export const TEST_DATABASE_URL =
  process.env['CREDLESS_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestStoreOptions {
  ficLimitPerApp?: number | null;
  now?: () => number;
  newId?: () => string;
}

export interface StoreTarget {
  dialect: SqlDialectName;
  /** Options for openDatabase/openDirectoryStore naming a fresh, isolated, not yet migrated location. */
  freshLocation(): Promise<OpenDatabaseOptions>;
  /** A fresh, migrated store in its own location. */
  openStore(options?: TestStoreOptions): Promise<KyselyDirectoryStore>;
  /** Closes every database opened through this target and deletes its locations. */
  cleanup(): Promise<void>;
}

export function sqliteTarget(): StoreTarget {
  const dirs: string[] = [];
  const opened: Database[] = [];
  const freshLocation = async (): Promise<OpenDatabaseOptions> => {
    const dir = await mkdtemp(join(tmpdir(), 'credless-store-'));
    dirs.push(dir);
    return { dataDir: join(dir, 'data') };
  };
  return {
    dialect: 'sqlite',
    freshLocation,
    openStore: async (options = {}) => {
      const database = await openDatabase(await freshLocation());
      opened.push(database);
      return migratedStore(database, options);
    },
    cleanup: async () => {
      await Promise.all(opened.map((database) => closeQuietly(database)));
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

export function postgresTarget(databaseUrl = TEST_DATABASE_URL): StoreTarget {
  const schemas: string[] = [];
  const opened: Database[] = [];
  const freshLocation = async (): Promise<OpenDatabaseOptions> => {
    const schema = `credless_test_${randomBytes(8).toString('hex')}`;
    schemas.push(schema);
    return { databaseUrl, dataDir: tmpdir(), schema };
  };
  return {
    dialect: 'postgres',
    freshLocation,
    openStore: async (options = {}) => {
      const database = await openDatabase(await freshLocation());
      opened.push(database);
      return migratedStore(database, options);
    },
    cleanup: async () => {
      await Promise.all(opened.map((database) => closeQuietly(database)));
      if (schemas.length === 0) return;
      const admin = await openDatabase({ databaseUrl, dataDir: tmpdir() });
      try {
        for (const schema of schemas)
          await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db);
      } finally {
        await admin.close();
      }
    },
  };
}

async function migratedStore(database: Database, options: TestStoreOptions): Promise<KyselyDirectoryStore> {
  const store = createKyselyDirectoryStore({ db: database.db, dialect: database.dialect, ...options });
  await store.migrate();
  return store;
}

/** Tests may close their store themselves; closing a pg pool twice throws. */
async function closeQuietly(database: Database): Promise<void> {
  try {
    await database.close();
  } catch {
    // already closed
  }
}

/** Null when PostgreSQL answers, otherwise why not. */
export async function postgresUnavailableReason(databaseUrl = TEST_DATABASE_URL): Promise<string | null> {
  try {
    const database = await openDatabase({ databaseUrl, dataDir: tmpdir() });
    await database.close();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Defines `body` once per dialect, each inside `describe('<title> [<dialect>]')`, with cleanup wired to
 * `after`. Await it at the top level of the test file (the PostgreSQL probe is asynchronous).
 */
export async function describeEachStore(title: string, body: (target: StoreTarget) => void): Promise<void> {
  describe(`${title} [sqlite]`, () => {
    const target = sqliteTarget();
    after(() => target.cleanup());
    body(target);
  });

  const unavailable = await postgresUnavailableReason();
  const pgTitle = `${title} [postgres]`;
  if (unavailable === null) {
    describe(pgTitle, () => {
      const target = postgresTarget();
      after(() => target.cleanup());
      body(target);
    });
  } else if (process.env['CREDLESS_TEST_POSTGRES'] === 'skip') {
    const reason = `PostgreSQL SKIPPED (CREDLESS_TEST_POSTGRES=skip): ${unavailable}`;
    console.warn(`\n!!! ${pgTitle}: ${reason}\n`);
    describe(pgTitle, { skip: reason }, () => {});
  } else {
    describe(pgTitle, () => {
      test('PostgreSQL is reachable', () => {
        throw new Error(
          `PostgreSQL is not reachable: ${unavailable}. Start PostgreSQL, point CREDLESS_TEST_DATABASE_URL ` +
            'at one, or set CREDLESS_TEST_POSTGRES=skip to skip the PostgreSQL suites.',
        );
      });
    });
  }
}
