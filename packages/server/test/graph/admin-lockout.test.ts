/**
 * The local administrator cannot be locked out through the Graph-compatible API: deleting its
 * application or service principal (both addressings), disabling the principal, emptying its
 * keyCredentials and renaming it are refused with Graph's 403; the administrator still signs in
 * afterwards, and the same requests on any other application succeed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createAdminGraphClient } from '@credless/testkit';
import { isLocalAdministrator } from '../../src/admin/admin-guard.ts';
import { ADMIN_APP_NAME, adminAppIdFor, readAdminIdentity } from '../../src/admin/admin-identity.ts';
import { type GraphFixture, startGraphFixture } from './graph-fixture.ts';

describe('Graph API: the local administrator cannot be locked out', () => {
  let f: GraphFixture;
  type Answer = { status: number; error?: { code: string; message: string } };
  let inject: (method: string, url: string, body?: unknown) => Promise<Answer>;
  before(async () => {
    f = await startGraphFixture();
    inject = async (method, url, body) => {
      const response = await f.credless.app.inject({
        method: method as 'GET',
        url: `/v1.0${url}`,
        headers: { authorization: `Bearer ${await f.admin.getToken()}` },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      const json = response.body === '' ? {} : (response.json() as { error?: Answer['error'] });
      return { status: response.statusCode, ...(json.error ? { error: json.error } : {}) };
    };
  });
  after(() => f.close());

  interface Target {
    id: string;
    appId: string;
    spId: string;
  }
  async function administrator(): Promise<Target> {
    const identity = await readAdminIdentity(f.credless.dataDir);
    assert.ok(identity);
    const app = await f.credless.store.getApplicationByAppId(f.credless.tenantId, identity.clientId);
    const sp = await f.credless.store.getServicePrincipalByAppId(f.credless.tenantId, identity.clientId);
    assert.ok(app && sp);
    return { id: app.id, appId: app.appId, spId: sp.id };
  }
  async function otherApplication(): Promise<Target> {
    const app = await f.credless.store.createApplication(f.credless.tenantId, { displayName: 'other' });
    const sp = await f.credless.store.createServicePrincipal(f.credless.tenantId, { appId: app.appId });
    return { id: app.id, appId: app.appId, spId: sp.id };
  }

  const lockouts: Array<[string, 'PATCH' | 'DELETE', (t: Target) => string, unknown, RegExp]> = [
    [
      'disable the principal',
      'PATCH',
      (t) => `/servicePrincipals/${t.spId}`,
      { accountEnabled: false },
      /disabling/,
    ],
    [
      'empty keyCredentials',
      'PATCH',
      (t) => `/applications/${t.id}`,
      { keyCredentials: [] },
      /last certificate/,
    ],
    ['rename', 'PATCH', (t) => `/applications(appId='${t.appId}')`, { displayName: 'renamed' }, /renaming/],
    ['delete the principal', 'DELETE', (t) => `/servicePrincipals/${t.spId}`, undefined, /service principal/],
    [
      'delete the principal by appId',
      'DELETE',
      (t) => `/servicePrincipals(appId='${t.appId}')`,
      undefined,
      /service principal/,
    ],
    [
      'delete the application',
      'DELETE',
      (t) => `/applications/${t.id}`,
      undefined,
      /deleting the application/,
    ],
    [
      'delete the application by appId',
      'DELETE',
      (t) => `/applications(appId='${t.appId}')`,
      undefined,
      /deleting the application/,
    ],
  ];

  test('each lockout is refused with 403 Authorization_RequestDenied; on another application it succeeds', async () => {
    const admin = await administrator();
    for (const [name, method, path, body, reason] of lockouts) {
      const refused = await inject(method, path(admin), body);
      assert.equal(refused.status, 403, name);
      assert.equal(refused.error?.code, 'Authorization_RequestDenied', name);
      assert.match(refused.error?.message ?? '', reason, name);
      assert.ok(refused.error?.message.includes(admin.appId), name);
      assert.equal((await inject(method, path(await otherApplication()), body)).status, 204, name);
    }
    // Still the administrator: a fresh sign-in (certificate assertion) manages the directory.
    const fresh = await createAdminGraphClient({
      url: f.credless.url,
      dataDir: f.credless.dataDir,
      dispatcher: f.agent,
    });
    const listed = await f.credless.app.inject({
      url: '/v1.0/applications',
      headers: { authorization: `Bearer ${await fresh.getToken()}` },
    });
    assert.equal(listed.statusCode, 200);
    assert.deepEqual(await administrator(), admin);
  });

  test('harmless changes to the administrator still work', async () => {
    const admin = await administrator();
    assert.equal(
      (await inject('PATCH', `/servicePrincipals/${admin.spId}`, { accountEnabled: true })).status,
      204,
    );
    assert.equal(
      (await inject('PATCH', `/applications/${admin.id}`, { displayName: ADMIN_APP_NAME })).status,
      204,
    );
  });

  test('recognised by its derived appId, or by name in stores from before that', () => {
    const tenantId = f.credless.tenantId;
    const cases: Array<[string, { appId: string; displayName: string }, boolean]> = [
      ['derived appId', { appId: adminAppIdFor(tenantId), displayName: 'anything' }, true],
      [
        'older store: by name',
        { appId: '11111111-1111-4111-8111-111111111111', displayName: ADMIN_APP_NAME },
        true,
      ],
      ['another application', { appId: '11111111-1111-4111-8111-111111111111', displayName: 'other' }, false],
    ];
    for (const [name, app, expected] of cases)
      assert.equal(isLocalAdministrator({ tenantId, ...app }), expected, name);
  });
});
