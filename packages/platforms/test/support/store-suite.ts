/**
 * Runs a suite once per store dialect, through the server's public openDirectoryStore: embedded SQLite
 * in a temp dir, and PostgreSQL in a fresh random schema (dropped afterwards). Each openStore() is a
 * fresh migrated store.
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
import { type DirectoryStore, openDirectoryStore } from '@credless/server';
import pg from 'pg';

const DATABASE_URL = process.env['CREDLESS_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface StoreTarget {
  openStore(): Promise<DirectoryStore>;
}

/** Opens fresh stores of one dialect and removes them all at `after`. */
function storeTarget(dialect: 'sqlite' | 'postgres'): StoreTarget & { cleanup(): Promise<void> } {
  const stores: DirectoryStore[] = [];
  const dirs: string[] = [];
  const schemas: string[] = [];
  return {
    async openStore() {
      const dir = await mkdtemp(join(tmpdir(), 'credless-platforms-store-'));
      dirs.push(dir);
      const schema = `credless_test_${randomBytes(8).toString('hex')}`;
      if (dialect === 'postgres') schemas.push(schema);
      const store = await openDirectoryStore(
        dialect === 'postgres' ? { databaseUrl: DATABASE_URL, dataDir: dir, schema } : { dataDir: dir },
      );
      stores.push(store);
      await store.migrate();
      return store;
    },
    async cleanup() {
      // A test may have closed its store already (closing a pg pool twice throws).
      await Promise.all(stores.map((store) => store.close().catch(() => undefined)));
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
      if (schemas.length === 0) return;
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      try {
        for (const schema of schemas) await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

async function postgresUnavailable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  try {
    await client.connect();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Defines `body` once per dialect inside `describe('<title> [<dialect>]')`; await it at top level. */
export async function describeEachStore(title: string, body: (target: StoreTarget) => void): Promise<void> {
  const unavailable = await postgresUnavailable();
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const name = `${title} [${dialect}]`;
    if (dialect === 'postgres' && unavailable !== undefined) {
      if (process.env['CREDLESS_TEST_POSTGRES'] === 'skip') {
        const reason = `PostgreSQL SKIPPED (CREDLESS_TEST_POSTGRES=skip): ${unavailable}`;
        console.warn(`\n!!! ${name}: ${reason}\n`);
        describe(name, { skip: reason }, () => {});
      } else {
        describe(name, () => {
          test('PostgreSQL is reachable', () => {
            throw new Error(
              `PostgreSQL is not reachable: ${unavailable}. Start PostgreSQL, point CREDLESS_TEST_DATABASE_URL ` +
                'at one, or set CREDLESS_TEST_POSTGRES=skip to skip the PostgreSQL suites.',
            );
          });
        });
      }
      continue;
    }
    describe(name, () => {
      const target = storeTarget(dialect);
      after(() => target.cleanup());
      body(target);
    });
  }
}
