/**
 * A change this process already applied is not applied a second time by the version poll: a committed
 * write reports its version, and the directory takes it as known. Another process's write still reaches
 * the cache through the poll. Real SQLite stores: two store instances on one data directory are two
 * writers, as two processes are.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CachedTokenDirectory } from '../../src/directory/cached-token-directory.ts';
import type { DirectoryChange } from '../../src/store/directory-writes.ts';
import { type KyselyDirectoryStore, openDirectoryStore } from '../../src/store/kysely-directory-store.ts';

const POLL_MS = 5;
let dataDir: string;
let ours: KyselyDirectoryStore;
let theirs: KyselyDirectoryStore;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'credless-version-changes-'));
  ours = await openDirectoryStore({ dataDir });
  await ours.migrate();
  theirs = await openDirectoryStore({ dataDir });
});
after(async () => {
  await ours.close();
  await theirs.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Waits long enough for several polls to run. */
const polls = () => new Promise((resolve) => setTimeout(resolve, POLL_MS * 10));

async function following(store: KyselyDirectoryStore) {
  const directory = new CachedTokenDirectory(store);
  let invalidations = 0;
  directory.onInvalidate(() => {
    invalidations += 1;
  });
  const unfollow = directory.followWrites(store);
  directory.startPolling(POLL_MS, (error) => assert.fail(String(error)));
  await polls();
  return {
    directory,
    invalidations: () => invalidations,
    stop: () => {
      unfollow();
      directory.stopPolling();
    },
  };
}

test('a committed write reports the directory version it committed', async () => {
  const seen: DirectoryChange[] = [];
  const unsubscribe = ours.onDirectoryChange((change) => {
    seen.push(change);
  });
  try {
    const before = await ours.getDirectoryVersion();
    await ours.createTenant({ defaultDomain: 'version-a.example', displayName: 'A' });
    await ours.createTenant({ defaultDomain: 'version-b.example', displayName: 'B' });
    assert.deepEqual(
      seen.map((change) => change.version),
      [before + 1, before + 2],
    );
    assert.equal(await ours.getDirectoryVersion(), before + 2);
  } finally {
    unsubscribe();
  }
});

test("this process's own write empties the cache once; the poll does not empty it again", async () => {
  const watched = await following(ours);
  try {
    assert.equal(watched.invalidations(), 0);
    await ours.createTenant({ defaultDomain: 'own-write.example', displayName: 'Own' });
    assert.equal(watched.invalidations(), 1, 'the write itself invalidated');
    await polls();
    assert.equal(watched.invalidations(), 1, 'the poll saw the new version as already applied');
  } finally {
    watched.stop();
  }
});

test("another process's write still reaches the cache through the poll, also right after our own", async () => {
  const watched = await following(ours);
  try {
    await theirs.createTenant({ defaultDomain: 'their-write.example', displayName: 'Theirs' });
    await polls();
    assert.equal(watched.invalidations(), 1, 'the poll saw the other writer');

    // Theirs, then ours before any poll: our version skips theirs, the poll cannot tell which was
    // applied, so taking ours as known must still be safe — every write before it is visible.
    watched.directory.stopPolling();
    await theirs.createTenant({ defaultDomain: 'their-second.example', displayName: 'Theirs 2' });
    await ours.createTenant({ defaultDomain: 'our-second.example', displayName: 'Ours 2' });
    assert.equal(watched.invalidations(), 2);
    const tenant = await watched.directory.findTenant('their-second.example');
    assert.equal(tenant?.displayName, 'Theirs 2', 'loaded after our write: their earlier write is visible');
    watched.directory.startPolling(POLL_MS, (error) => assert.fail(String(error)));
    await polls();
    assert.equal(watched.invalidations(), 2, 'nothing changed since our write');

    await theirs.createTenant({ defaultDomain: 'their-third.example', displayName: 'Theirs 3' });
    await polls();
    assert.equal(watched.invalidations(), 3, 'a later write of theirs is seen');
  } finally {
    watched.stop();
  }
});
