/**
 * The console's codes and sessions in the store (SQLite and PostgreSQL): shared by every process on
 * the database, so a code taken once is gone for all (also when two take it at the same moment), a
 * session deleted by one is unknown to all, and expired rows are purged as new ones arrive. Two
 * ConsoleService instances over one store stand for two workers or replicas.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GRAPH_APP_ID } from '@credless/core';
import { ConsoleService } from '../../src/console/console-service.ts';
import type { PrincipalDirectory } from '../../src/console/principal-tokens.ts';
import { describeEachStore } from '../store/store-suite.ts';

const START = Date.UTC(2026, 0, 1);
const digest = (n: number) => String(n).padStart(43, 'd');

await describeEachStore('console codes and sessions', (target) => {
  async function setup() {
    const store = await target.openStore();
    const tenant = await store.createTenant({ defaultDomain: 'console.test', displayName: 'Console' });
    return { store, tenantId: tenant.id };
  }

  test('a code is taken once, even by two at the same moment', async () => {
    const { store, tenantId } = await setup();
    await store.insertConsoleSignInCode(
      digest(1),
      { tenantId, appId: 'app', expiresAt: START + 300_000 },
      START,
    );
    const [first, second] = await Promise.all([
      store.takeConsoleSignInCode(digest(1)),
      store.takeConsoleSignInCode(digest(1)),
    ]);
    assert.deepEqual([first, second].filter(Boolean), [
      { tenantId, appId: 'app', expiresAt: START + 300_000 },
    ]);
    assert.equal(await store.takeConsoleSignInCode(digest(1)), undefined);
  });

  test('sessions: found by cookie digest, listed per tenant, touched, deleted, purged once expired', async () => {
    const { store, tenantId } = await setup();
    const session = (id: string, createdAt: number) => ({
      id,
      tenantId,
      appId: 'app',
      displayName: 'App',
      objectId: 'sp',
      rolesAtSignIn: ['Application.Read.All'],
      createdAt,
      expiresAt: createdAt + 3_600_000,
      lastUsedAt: createdAt,
    });
    await store.insertConsoleSession(digest(2), session('s1', START));
    await store.insertConsoleSession(digest(3), session('s2', START + 1000));
    assert.deepEqual(await store.findConsoleSession(digest(2)), session('s1', START));
    assert.deepEqual(
      (await store.listConsoleSessions(tenantId)).map((found) => found.id),
      ['s1', 's2'],
    );
    await store.touchConsoleSession('s1', START + 5000);
    assert.equal((await store.findConsoleSession(digest(2)))?.lastUsedAt, START + 5000);
    assert.equal(await store.deleteConsoleSession('s1'), true);
    assert.equal(await store.deleteConsoleSession('s1'), false);
    assert.equal(await store.findConsoleSession(digest(2)), undefined);
    // A session opened after s2 expired purges it.
    await store.insertConsoleSession(digest(4), session('s3', START + 3_700_000));
    assert.deepEqual(
      (await store.listConsoleSessions(tenantId)).map((found) => found.id),
      ['s3'],
    );
  });

  test('two services over one store: a link from one opens a session on the other; revocation holds on both', async () => {
    const { store, tenantId } = await setup();
    const app = await store.createApplication(tenantId, { displayName: 'operator' });
    const principal = await store.createServicePrincipal(tenantId, { appId: app.appId });
    const directory: PrincipalDirectory = {
      findClient: async (_tenant, appId) =>
        appId === app.appId ? { application: app, servicePrincipal: principal } : undefined,
      findResource: async (tenant, identifier) => {
        const graph = await store.getApplicationByAppId(tenant, GRAPH_APP_ID);
        return identifier === GRAPH_APP_ID && graph
          ? {
              application: graph,
              servicePrincipal: await store.getServicePrincipalByAppId(tenant, GRAPH_APP_ID),
            }
          : undefined;
      },
      assignedAppRoleIds: async () => new Set(),
    };
    const service = () =>
      new ConsoleService({
        store,
        directory,
        signer: { sign: async () => 'signed' },
        baseUrl: () => 'https://localhost:8443',
        now: () => START,
        sessionLifetimeMs: 3_600_000,
      });
    const [one, other] = [service(), service()];
    const link = await one.signInLink({ tenantId, appId: app.appId });
    const { cookie, view } = await other.redeem(link.code);
    await assert.rejects(one.redeem(link.code), /expired or was already used/);
    const request = (headers: Record<string, string>) => ({ headers }) as never;
    const presented = { cookie: `credless_console=${cookie}`, 'x-credless-csrf': view.csrfToken };
    assert.equal((await one.sessionWithCsrf(request(presented)))?.id, view.id);
    assert.equal(await one.sessionWithCsrf(request({ cookie: presented.cookie })), undefined);
    await other.revoke(view.id);
    assert.equal(await one.sessionWithCsrf(request(presented)), undefined);
  });
});
