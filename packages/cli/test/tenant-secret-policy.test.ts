/** `credless tenant secret-policy`: the command function against a real SQLite store. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CredlessError } from '@credless/core';
import { type DirectoryStore, openDirectoryStore } from '@credless/server';
import { secretPolicy } from '../src/commands/tenant.ts';

describe('credless tenant secret-policy', () => {
  let dir: string;
  let store: DirectoryStore;
  let tenantId: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credless-cli-secret-policy-'));
    store = await openDirectoryStore({ dataDir: join(dir, 'data') });
    await store.migrate();
    tenantId = (await store.createTenant({ defaultDomain: 'contoso.example', displayName: 'Contoso' })).id;
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('shows the default, sets mode and lifetime separately, resets', async () => {
    const policy = async (options: Omit<Parameters<typeof secretPolicy>[1], 'id'>) =>
      (await secretPolicy(store, { id: 'contoso.example', ...options })).clientSecretPolicy;
    assert.deepEqual(await policy({}), { mode: 'audit', maxLifetimeSeconds: 86_400 });
    assert.deepEqual(await policy({ mode: 'deny' }), { mode: 'deny', maxLifetimeSeconds: 86_400 });
    assert.deepEqual(await policy({ maxLifetime: '3600' }), { mode: 'deny', maxLifetimeSeconds: 3600 });
    assert.deepEqual((await store.findTenant(tenantId))?.clientSecretPolicy, {
      mode: 'deny',
      maxLifetimeSeconds: 3600,
    });
    assert.deepEqual(await policy({ reset: true }), { mode: 'audit', maxLifetimeSeconds: 86_400 });
  });

  test('bad values are refused and change nothing', async () => {
    for (const options of [{ mode: 'off' }, { maxLifetime: 'a day' }, { maxLifetime: '5' }]) {
      await assert.rejects(
        secretPolicy(store, { id: tenantId, ...options }),
        (error) => error instanceof CredlessError && error.code === 'invalid_value',
      );
    }
    await assert.rejects(secretPolicy(store, { id: 'nowhere.example', mode: 'deny' }), CredlessError);
    assert.equal((await store.findTenant(tenantId))?.clientSecretPolicy, undefined);
  });
});
