/** The az commands' store-direct (offline) forms, against a real SQLite store. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { GRAPH_APP_ID } from '@credless/core';
import { type DirectoryStore, ensureDefaultTenant, openDirectoryStore } from '@credless/server';
import { addPermission, adminConsent } from '../../src/commands/ad/permission.ts';
import {
  storeCreateForRbac,
  storeCreateGroup,
  storeDeleteGroup,
  storeShowGroup,
} from '../../src/commands/az/store-objects.ts';
import type { DirectoryContext } from '../../src/context.ts';
import { exitCodeFor } from '../../src/exit-codes.ts';

let dir: string;
let store: DirectoryStore;
let ctx: DirectoryContext;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credless-az-offline-'));
  store = await openDirectoryStore({ dataDir: dir });
  await store.migrate();
  ctx = {
    store,
    tenantId: await ensureDefaultTenant(store, { domain: 'credless.local', displayName: 'Local' }),
  };
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('offline az commands', () => {
  test('create-for-rbac reuses the application of that name and creates its service principal once', async () => {
    const first = await storeCreateForRbac(ctx, 'sp-credless-aks');
    const again = await storeCreateForRbac(ctx, 'sp-credless-aks');
    assert.deepEqual(again, first);
    assert.deepEqual(Object.keys(first).sort(), ['appId', 'displayName', 'tenant']);
    assert.ok(await store.getServicePrincipalByAppId(ctx.tenantId, first.appId));
    assert.equal(
      (await store.listApplications(ctx.tenantId)).filter((a) => a.displayName === 'sp-credless-aks').length,
      1,
    );
  });

  test('create-for-rbac with an ambiguous name → exit 4, nothing created', async () => {
    await store.createApplication(ctx.tenantId, { displayName: 'twin' });
    await store.createApplication(ctx.tenantId, { displayName: 'twin' });
    await assert.rejects(storeCreateForRbac(ctx, 'twin'), (error: Error) => {
      assert.match(error.message, /2 applications are named 'twin'/);
      return exitCodeFor(error) === 4;
    });
    assert.equal(
      (await store.listServicePrincipals(ctx.tenantId)).filter((p) => p.displayName === 'twin').length,
      0,
    );
  });

  test('group create, show by name or id, delete', async () => {
    const group = await storeCreateGroup(ctx, { displayName: 'credless-aks', mailNickname: 'credless-aks' });
    assert.equal(group.securityEnabled, true);
    assert.equal(group.mailEnabled, false);
    assert.equal((await storeShowGroup(ctx, 'credless-aks')).id, group.id);
    assert.equal((await storeShowGroup(ctx, group.id)).displayName, 'credless-aks');
    await storeDeleteGroup(ctx, 'credless-aks');
    await assert.rejects(storeShowGroup(ctx, group.id), (error: Error) => exitCodeFor(error) === 3);
    await assert.rejects(
      storeCreateGroup(ctx, { displayName: ' ', mailNickname: 'x' }),
      /--display-name must not be empty/,
    );
  });

  test('permission grant --api grants only that API; an API the app does not request → exit 3', async () => {
    const { appId } = await storeCreateForRbac(ctx, 'consented');
    await addPermission(ctx, {
      id: appId,
      api: GRAPH_APP_ID,
      apiPermissions: ['df021288-bdef-4463-88db-98f22de89214=Role'],
    });
    const granted = await adminConsent(ctx, appId, GRAPH_APP_ID);
    assert.deepEqual(
      granted.map((a) => a.appRoleId),
      ['df021288-bdef-4463-88db-98f22de89214'],
    );
    await assert.rejects(
      adminConsent(ctx, appId, '11111111-1111-1111-1111-111111111111'),
      (error: Error) => exitCodeFor(error) === 3,
    );
  });
});
