import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { SigningKeyManager } from '../../src/keys/signing-key-manager.ts';
import { type DirectoryChangeFeed, startDirectoryChangeFeed } from '../../src/store/change-feed.ts';
import { openDatabase } from '../../src/store/database.ts';
import { type KyselyDirectoryStore, openDirectoryStore } from '../../src/store/kysely-directory-store.ts';
import { postgresTarget, postgresUnavailableReason, TEST_DATABASE_URL } from '../store/store-suite.ts';

const unavailable = await postgresUnavailableReason();
const skip = unavailable !== null && process.env['CREDLESS_TEST_POSTGRES'] === 'skip';
if (skip)
  console.warn(`\n!!! change feed / key race tests SKIPPED (CREDLESS_TEST_POSTGRES=skip): ${unavailable}\n`);

/** Resolves once `predicate` holds, checking after every event; rejects after `limitMs` (a hang guard). */
function eventually(subscribe: (wake: () => void) => void, predicate: () => boolean, limitMs = 10_000) {
  return new Promise<void>((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error('condition not reached')), limitMs);
    const check = () => {
      if (!predicate()) return;
      clearTimeout(guard);
      resolve();
    };
    subscribe(check);
    check();
  });
}

describe('PostgreSQL directory change feed', { skip }, () => {
  const target = postgresTarget();
  const feeds: DirectoryChangeFeed[] = [];
  after(async () => {
    for (const feed of feeds) await feed.stop();
    await target.cleanup();
  });

  /** A store on a fresh schema, plus the URL naming that schema. */
  async function freshStore(): Promise<{ store: KyselyDirectoryStore; url: string }> {
    const location = await target.freshLocation();
    const store = await openDirectoryStore(location);
    await store.migrate();
    after(() => store.close().catch(() => {}));
    return { store, url: `${TEST_DATABASE_URL}?schema=${location.schema}` };
  }

  test('announces committed writes in its schema only, and recovers from a dropped connection', async () => {
    const mine = await freshStore();
    const other = await freshStore();
    const applicationName = `credless-feed-test-${randomBytes(4).toString('hex')}`;
    let changes = 0;
    const versions: Array<number | undefined> = [];
    const listeningStates: boolean[] = [];
    const wakers = new Set<() => void>();
    const wake = () => {
      for (const w of wakers) w();
    };
    const feed = await startDirectoryChangeFeed({
      databaseUrl: mine.url,
      applicationName,
      minBackoffMs: 20,
      onChange: (version) => {
        changes += 1;
        versions.push(version);
        wake();
      },
      onListeningChange: (listening) => {
        listeningStates.push(listening);
        wake();
      },
    });
    feeds.push(feed);
    assert.equal(feed.listening, true);
    assert.equal(changes, 1, 'a (re)connect counts as a change: writes before LISTEN were not announced');

    await mine.store.createTenant({ defaultDomain: 'feed.example', displayName: 'Feed' });
    await eventually(
      (w) => wakers.add(w),
      () => changes === 2,
    );
    // The (re)connect carries no version (what it missed is unknown); a write carries the one it made.
    assert.deepEqual(versions, [undefined, await mine.store.getDirectoryVersion()]);

    // Writes to another schema in the same database are not ours. A later write of ours is a barrier:
    // notifications arrive in commit order, so by then the other schema's would have arrived too.
    await other.store.createTenant({ defaultDomain: 'other.example', displayName: 'Other' });
    await mine.store.createTenant({ defaultDomain: 'feed2.example', displayName: 'Feed 2' });
    await eventually(
      (w) => wakers.add(w),
      () => changes >= 3,
    );
    assert.equal(changes, 3);

    // Kill the listening backend: the feed reconnects and reports a change (it may have missed some).
    const admin = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: tmpdir() });
    try {
      const { rows } = await sql<{ killed: boolean }>`
        select pg_terminate_backend(pid) as killed from pg_stat_activity
        where application_name = ${applicationName}`.execute(admin.db);
      assert.deepEqual(
        rows.map((r) => r.killed),
        [true],
      );
    } finally {
      await admin.close();
    }
    await eventually(
      (w) => wakers.add(w),
      () => listeningStates.length >= 2 && feed.listening,
    );
    assert.deepEqual(listeningStates, [true, false, true]);
    assert.equal(changes, 4);
    await mine.store.createTenant({ defaultDomain: 'feed3.example', displayName: 'Feed 3' });
    await eventually(
      (w) => wakers.add(w),
      () => changes === 5,
    );

    await feed.stop();
    assert.equal(feed.listening, false);
  });

  test('managers starting together on an empty database create exactly one signing key', async () => {
    const { store: setup, url } = await freshStore();
    const tenant = await setup.createTenant({ defaultDomain: 'keys.example', displayName: 'Keys' });
    const kek = new Uint8Array(randomBytes(32));
    // Separate stores (own pools), like separate replicas.
    const stores = await Promise.all(
      Array.from({ length: 6 }, () => openDirectoryStore({ databaseUrl: url, dataDir: tmpdir() })),
    );
    after(() => Promise.all(stores.map((s) => s.close().catch(() => {}))));
    const managers = stores.map((store) => new SigningKeyManager({ store, kek }));
    await Promise.all(managers.map((manager) => manager.ensureKeys(tenant.id)));

    const keys = await setup.listSigningKeys(tenant.id);
    assert.equal(keys.length, 1, `expected one key, got ${keys.map((k) => k.kid).join(', ')}`);
    const active = await Promise.all(managers.map((m) => m.getActiveSigningKey(tenant.id)));
    assert.deepEqual(new Set(active.map((a) => a.kid)), new Set([keys[0]?.kid]));
    const jwks = await Promise.all(managers.map((m) => m.getJwks(tenant.id)));
    for (const set of jwks) assert.deepEqual(set, jwks[0]);
  });
});
