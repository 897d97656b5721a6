import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase, SQLITE_FILE_NAME } from '../../src/store/database.ts';
import { openDirectoryStore } from '../../src/store/kysely-directory-store.ts';
import { postgresUnavailableReason, TEST_DATABASE_URL } from './store-suite.ts';

describe('openDatabase: SQLite', () => {
  const dirs: string[] = [];
  after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'credless-db-'));
    dirs.push(dir);
    return dir;
  };

  test('creates an owner-only data dir and file, WAL, busy timeout, foreign keys', async () => {
    const dataDir = join(await tempDir(), 'nested', 'data');
    const logs: string[] = [];
    const database = await openDatabase({ dataDir, log: (msg) => logs.push(msg) });
    try {
      assert.equal(database.dialect, 'sqlite');
      assert.equal((await stat(dataDir)).mode & 0o777, 0o700);
      assert.equal((await stat(join(dataDir, SQLITE_FILE_NAME))).mode & 0o777, 0o600);
      const pragma = async (name: string) =>
        Object.values((await sql.raw(`pragma ${name}`).execute(database.db)).rows[0] as object)[0];
      assert.equal(await pragma('journal_mode'), 'wal');
      assert.equal(await pragma('busy_timeout'), 5000);
      assert.equal(await pragma('foreign_keys'), 1);
      assert.match(logs.join('\n'), /SQLite .*credless\.db/);
    } finally {
      await database.close();
    }
  });

  test('data survives reopening', async () => {
    const dataDir = await tempDir();
    const first = await openDirectoryStore({ dataDir });
    await first.migrate();
    const tenant = await first.createTenant({ defaultDomain: 'persist.test', displayName: 'P' });
    await first.close();
    const second = await openDirectoryStore({ dataDir });
    await second.migrate();
    assert.deepEqual(await second.findTenant('persist.test'), tenant);
    await second.close();
  });

  test('rejects a non-postgres URL', async () => {
    await assert.rejects(
      openDatabase({ databaseUrl: 'mysql://x@localhost/db', dataDir: await tempDir() }),
      /postgres:\/\//,
    );
  });
});

describe('openDatabase: PostgreSQL', async () => {
  const unavailable = await postgresUnavailableReason();
  const skip = unavailable !== null && process.env['CREDLESS_TEST_POSTGRES'] === 'skip' ? unavailable : false;

  test('a ?schema= URL parameter isolates the connection in that schema', { skip }, async () => {
    if (unavailable !== null) throw new Error(`PostgreSQL is not reachable: ${unavailable}`);
    const schema = `credless_test_url_${process.pid}`;
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('schema', schema);
    const database = await openDatabase({ databaseUrl: url.toString(), dataDir: tmpdir() });
    try {
      assert.equal(database.dialect, 'postgres');
      assert.equal(database.schema, schema);
      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db);
      assert.equal(rows[0]?.schema, schema);
      const version = await sql<{ n: number }>`select 9007199254740991::bigint as n`.execute(database.db);
      assert.equal(version.rows[0]?.n, Number.MAX_SAFE_INTEGER);
    } finally {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
      await database.close();
    }
  });

  test('refuses a schema name that is not a plain identifier', async () => {
    await assert.rejects(
      openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: tmpdir(), schema: 'x"; drop table y; --' }),
      /invalid PostgreSQL schema name/,
    );
  });

  test('a connection failure names the server but never the password', async () => {
    const error = await openDatabase({
      databaseUrl: 'postgres://user:s3cret-pw@127.0.0.1:1/nowhere',
      dataDir: tmpdir(),
    }).then(
      () => assert.fail('expected a connection error'),
      (e: Error) => e,
    );
    assert.match(error.message, /cannot connect to PostgreSQL at 127\.0\.0\.1:1\/nowhere/);
    assert.doesNotMatch(error.message, /s3cret-pw/);
  });
});
