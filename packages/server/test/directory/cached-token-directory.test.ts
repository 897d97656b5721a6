/**
 * Static stability of the token path's directory view: while the database is unreachable, what is in
 * memory keeps answering up to the staleness limit; then, and for anything not in memory, it fails closed
 * with `directory_unavailable`; after recovery it reloads everything.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CredlessError } from '@credless/core';
import { CachedTokenDirectory } from '../../src/directory/cached-token-directory.ts';
import type { DirectoryStore } from '../../src/store/directory-store.ts';

const STALENESS_MS = 60_000;
/** What pg raises when the server is gone (SQLSTATE 57P01 admin_shutdown). */
const outage = () =>
  Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

let keepAlive: NodeJS.Timeout;
before(() => {
  keepAlive = setInterval(() => {}, 60_000);
});
after(() => clearInterval(keepAlive));

/** A store with only what these lookups use; `down` makes every call fail as a stopped database does. */
function fakeStore() {
  const state = { down: false, version: 1, tenantLoads: 0 };
  const guard = async <T>(value: T): Promise<T> => {
    if (state.down) throw outage();
    return value;
  };
  const store = {
    getDirectoryVersion: () => guard(state.version),
    findTenant: (id: string) => {
      state.tenantLoads += 1;
      return guard({ id, displayName: `tenant ${id}` });
    },
  } as unknown as DirectoryStore;
  return { state, store };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

test('answers from memory while the database is down, within the staleness limit', async () => {
  const { state, store } = fakeStore();
  let clock = 1_000_000;
  const directory = new CachedTokenDirectory(store, { maxStalenessMs: STALENESS_MS, now: () => clock });
  directory.startPolling(5, () => {});
  try {
    assert.equal((await directory.findTenant('a'))?.id, 'a');
    state.down = true;
    await settle();
    assert.equal(directory.freshness().storeReachable, false);

    clock += STALENESS_MS - 1;
    assert.equal((await directory.findTenant('a'))?.id, 'a', 'cached entry still answers');
    assert.equal(directory.freshness().usable, true);
    await assert.rejects(directory.findTenant('not-cached'), (error: unknown) => {
      assert.ok(error instanceof CredlessError);
      assert.equal(error.code, 'directory_unavailable');
      assert.equal(error.status, 503);
      return true;
    });

    clock += 2;
    assert.equal(directory.freshness().usable, false);
    await assert.rejects(directory.findTenant('a'), /temporarily unavailable/);
  } finally {
    directory.stopPolling();
  }
});

test('after recovery, the first successful poll reloads everything (changes made meanwhile were missed)', async () => {
  const { state, store } = fakeStore();
  const directory = new CachedTokenDirectory(store, { maxStalenessMs: STALENESS_MS });
  let invalidations = 0;
  directory.onInvalidate(() => {
    invalidations += 1;
  });
  directory.startPolling(5, () => {});
  try {
    await directory.findTenant('a');
    await settle();
    const loadsBefore = state.tenantLoads;
    state.down = true;
    await settle();
    state.down = false;
    await settle();
    assert.ok(invalidations >= 1, 'recovery invalidated the cache');
    assert.deepEqual(directory.freshness(), { storeReachable: true, staleForMs: 0, usable: true });
    await directory.findTenant('a');
    assert.equal(state.tenantLoads, loadsBefore + 1, 'reloaded from the store');
  } finally {
    directory.stopPolling();
  }
});

test('a non-transient store error is not mistaken for an outage', async () => {
  const { store } = fakeStore();
  const broken = Object.assign(Object.create(store), {
    findTenant: async () => {
      throw new Error('syntax error at or near "selec"');
    },
  }) as DirectoryStore;
  const directory = new CachedTokenDirectory(broken);
  await assert.rejects(directory.findTenant('a'), /syntax error/);
  assert.equal(directory.freshness().storeReachable, true);
});
