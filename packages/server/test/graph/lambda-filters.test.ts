/**
 * The list routes with the $filter forms az sends (`az ad sp show --id api://…`, `az ad app show --id
 * api://…`): lambda `any` on servicePrincipalNames, identifierUris and groupTypes, values holding
 * ` and ` and quotes; and Graph's 400s for malformed, unsupported and over-long filters, which
 * change nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type GraphFixture, startGraphFixture } from './graph-fixture.ts';

const ORDERS_URI = 'api://lambda-orders';

describe('$filter on the Graph list routes', () => {
  let f: GraphFixture;
  let token: string;
  let appId: string;
  before(async () => {
    f = await startGraphFixture();
    token = await f.admin.getToken();
    const app = await f.asAdmin('POST', '/applications', {
      displayName: "orders and billing's api",
      identifierUris: [ORDERS_URI],
    });
    assert.equal(app.status, 201);
    appId = app.body['appId'] as string;
    assert.equal((await f.asAdmin('POST', '/servicePrincipals', { appId })).status, 201);
  });
  after(() => f.close());

  const list = async (collection: string, filter: string) => {
    const response = await f.credless.app.inject({
      method: 'GET',
      url: `/v1.0/${collection}?$filter=${encodeURIComponent(filter)}`,
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.statusCode, body: response.json() };
  };
  const appIds = (body: { value?: Array<Record<string, unknown>> }) =>
    body.value?.map((item) => item['appId']);

  test('lambda any: servicePrincipalNames (appId or identifier URI) and identifierUris', async () => {
    for (const name of [ORDERS_URI, ORDERS_URI.toUpperCase(), appId]) {
      const principals = await list('servicePrincipals', `servicePrincipalNames/any(c:c eq '${name}')`);
      assert.equal(principals.status, 200);
      assert.deepEqual(appIds(principals.body), [appId]);
    }
    const applications = await list('applications', `identifierUris/any(s:s eq '${ORDERS_URI}')`);
    assert.deepEqual(appIds(applications.body), [appId]);
    const none = await list('applications', "identifierUris/any(s:s eq 'api://nothing')");
    assert.deepEqual(none.body.value, []);
    const groups = await list('groups', "groupTypes/any(c:c eq 'Unified')");
    assert.equal(groups.status, 200);
    assert.deepEqual(groups.body.value, []);
  });

  test("quoted values holding ' and ' and doubled quotes; or, ne and parentheses", async () => {
    const byName = await list('applications', "displayName eq 'orders and billing''s api'");
    assert.deepEqual(appIds(byName.body), [appId]);
    const either = await list(
      'servicePrincipals',
      `(appId eq 'none' or appId eq '${appId}') and appId ne 'x'`,
    );
    assert.deepEqual(appIds(either.body), [appId]);
  });

  const refused: Array<{ collection: string; filter: string; code: string }> = [
    { collection: 'applications', filter: "appId eq 'x' or 1 eq 1", code: 'BadRequest' },
    { collection: 'applications', filter: "appId eq 'x'; delete from applications", code: 'BadRequest' },
    { collection: 'applications', filter: "appId eq 'x') or (appId ne '", code: 'BadRequest' },
    {
      collection: 'applications',
      filter: "keyCredentials/any(k:k eq 'x')",
      code: 'Request_UnsupportedQuery',
    },
    { collection: 'applications', filter: "appId gt 'x'", code: 'Request_UnsupportedQuery' },
    {
      collection: 'servicePrincipals',
      filter: "servicePrincipalNames eq 'x'",
      code: 'Request_UnsupportedQuery',
    },
    {
      collection: 'servicePrincipals',
      filter: "servicePrincipalNames/any(c:appId eq 'x')",
      code: 'Request_UnsupportedQuery',
    },
    { collection: 'servicePrincipals', filter: "passwords/any(c:c eq 'x')", code: 'BadRequest' },
    { collection: 'groups', filter: `displayName eq '${'x'.repeat(3000)}'`, code: 'BadRequest' },
  ];
  for (const { collection, filter, code } of refused) {
    test(`400 ${code}: ${collection} ${filter.slice(0, 60)}`, async () => {
      const before = await f.asAdmin('GET', `/${collection}`);
      const answer = await list(collection, filter);
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error?.code, code);
      assert.equal(typeof answer.body.error?.message, 'string');
      assert.deepEqual((await f.asAdmin('GET', `/${collection}`)).body, before.body);
    });
  }
});
