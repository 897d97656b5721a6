import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../src/store/database.ts';
import { createKyselyDirectoryStore } from '../../src/store/kysely-directory-store.ts';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import { describeEachStore } from './store-suite.ts';

const WORKER = fileURLToPath(new URL('./fixtures/migrate-worker.ts', import.meta.url));
const WORKERS = 4;

function runWorker(options: object, domain: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(options), domain], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

await describeEachStore('migrations', (target) => {
  test('several processes migrating the same fresh database at once all succeed', async () => {
    const location = await target.freshLocation();
    const results = await Promise.all(
      Array.from({ length: WORKERS }, (_, i) => runWorker(location, `worker-${i}.test`)),
    );
    for (const [i, result] of results.entries())
      assert.equal(result.code, 0, `worker ${i}: ${result.stderr}`);

    const database = await openDatabase(location);
    try {
      const store = createKyselyDirectoryStore({ db: database.db, dialect: database.dialect });
      await store.migrate();
      assert.equal((await store.listTenants()).length, WORKERS);
      // Each worker's createTenant was one write; nothing else has written.
      assert.equal(await store.getDirectoryVersion(), WORKERS);
      const applied = await database.db
        .selectFrom('kysely_migration' as never)
        .select('name' as never)
        .execute();
      assert.deepEqual(
        applied.map((row) => (row as { name: string }).name),
        Object.keys(MIGRATIONS),
      );
    } finally {
      await database.close();
    }
  });

  test('a second migrate on an up-to-date database changes nothing', async () => {
    const store = await target.openStore();
    const tenant = await store.createTenant({ defaultDomain: 'contoso.test', displayName: 'Contoso' });
    const version = await store.getDirectoryVersion();
    await store.migrate();
    assert.equal(await store.getDirectoryVersion(), version);
    assert.deepEqual(await store.findTenant(tenant.id), tenant);
  });
});

test('PostgreSQL: migrating succeeds while another client keeps dropping schemas in the same database', async (t) => {
  const { postgresTarget, postgresUnavailableReason } = await import('./store-suite.ts');
  const unavailable = await postgresUnavailableReason();
  if (unavailable && process.env['CREDLESS_TEST_POSTGRES'] === 'skip') {
    t.skip(`!!! PostgreSQL unavailable and CREDLESS_TEST_POSTGRES=skip: ${unavailable}`);
    return;
  }
  const { sql } = await import('kysely');
  const churn = await openDatabase({
    databaseUrl: 'postgres://postgres@127.0.0.1:5432/test',
    dataDir: '/tmp',
  });
  let stop = false;
  // Another tenant of the database creating and dropping schemas, as parallel test runs do.
  const churning = (async () => {
    for (let i = 0; !stop; i++) {
      const name = sql.id(`credless_churn_${process.pid}_${i}`);
      await sql`create schema ${name}`.execute(churn.db);
      await sql`create table ${name}.t (id int)`.execute(churn.db);
      await sql`drop schema ${name} cascade`.execute(churn.db);
    }
  })();
  const target = postgresTarget();
  try {
    for (let i = 0; i < 15; i++) {
      const store = await target.openStore();
      assert.ok((await store.getDirectoryVersion()) >= 0);
    }
  } finally {
    stop = true;
    await churning;
    await churn.close();
    await target.cleanup();
  }
});
