/**
 * The minimal Azure Resource Manager (subscriptions, tenants) by inject on a real credless's app: it
 * answers only under the ARM host names, in ARM's shapes, to credless tokens for the Service
 * Management API, and refuses bad input with ARM's error codes and `x-ms-request-id`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MANAGEMENT_APP_ID } from '@credless/core';
import { type GraphFixture, startGraphFixture } from '../graph/graph-fixture.ts';

const ARM = 'management.azure.com';
const MANAGEMENT_SCOPE = 'https://management.core.windows.net//.default';
const API = 'api-version=2022-12-01';

describe('Azure Resource Manager API', () => {
  let f: GraphFixture;
  let token: string;
  let graphToken: string;
  let otherTenant: string;
  let otherToken: string;
  before(async () => {
    f = await startGraphFixture();
    token = await f.workloadToken([], { scope: MANAGEMENT_SCOPE });
    graphToken = await f.workloadToken([]);
    otherTenant = (
      await f.credless.store.createTenant({ defaultDomain: 'arm-other.test', displayName: 'Other' })
    ).id;
    otherToken = await f.workloadToken([], { tenantId: otherTenant, scope: MANAGEMENT_SCOPE });
  });
  after(() => f.close());

  const arm = async (url: string, bearer: string | null = token, host = ARM) => {
    const response = await f.credless.app.inject({
      method: 'GET',
      url,
      headers: { host, ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }) },
    });
    return { status: response.statusCode, headers: response.headers, body: response.json() };
  };

  test('every tenant has the Service Management API principal, without app roles', async () => {
    for (const tenantId of [f.credless.tenantId, otherTenant]) {
      const principal = await f.credless.store.getServicePrincipalByAppId(tenantId, MANAGEMENT_APP_ID);
      assert.ok(principal, `tenant ${tenantId} has the management principal`);
      const app = await f.credless.store.getApplicationByAppId(tenantId, MANAGEMENT_APP_ID);
      assert.deepEqual(app?.identifierUris, [
        'https://management.core.windows.net/',
        'https://management.azure.com/',
      ]);
      assert.deepEqual(app?.appRoles, []);
    }
  });

  test('GET /subscriptions: the tenant’s one subscription, whose id is the tenant’s', async () => {
    const tenantId = f.credless.tenantId;
    for (const host of [ARM, `${ARM}:443`, 'MANAGEMENT.azure.com']) {
      const answer = await arm(`/subscriptions?${API}`, token, host);
      assert.equal(answer.status, 200);
      assert.match(String(answer.headers['x-ms-request-id']), /^[0-9a-f-]{36}$/);
      assert.deepEqual(answer.body.count, { type: 'Total', value: 1 });
      const [subscription] = answer.body.value;
      assert.equal(subscription.id, `/subscriptions/${tenantId}`);
      assert.equal(subscription.subscriptionId, tenantId);
      assert.equal(subscription.tenantId, tenantId);
      assert.equal(subscription.state, 'Enabled');
      assert.equal(typeof subscription.displayName, 'string');
    }
    const one = await arm(`/subscriptions/${tenantId.toUpperCase()}?api-version=2020-01-01`);
    assert.equal(one.status, 200);
    assert.equal(one.body.subscriptionId, tenantId);
    const other = await arm(`/subscriptions?${API}`, otherToken);
    assert.equal(other.body.value[0].subscriptionId, otherTenant);
  });

  test('GET /tenants: the token’s tenant', async () => {
    const answer = await arm(`/tenants?${API}`);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.value.length, 1);
    assert.equal(answer.body.value[0].tenantId, f.credless.tenantId);
    assert.equal(answer.body.value[0].id, `/tenants/${f.credless.tenantId}`);
    assert.equal(answer.body.value[0].tenantCategory, 'Home');
  });

  test('the Graph API answers under graph.microsoft.com, and ARM routes exist only under ARM hosts', async () => {
    const graph = await f.credless.app.inject({
      method: 'GET',
      url: '/v1.0/organization',
      headers: { host: 'graph.microsoft.com', authorization: `Bearer ${await f.admin.getToken()}` },
    });
    assert.equal(graph.statusCode, 200);
    const elsewhere = await arm(`/subscriptions?${API}`, token, 'graph.microsoft.com');
    assert.equal(elsewhere.status, 404);
    assert.equal(elsewhere.body.error, 'not_found');
  });

  const cases: Array<{
    name: string;
    url: string;
    token?: string | (() => string);
    status: number;
    code: string;
  }> = [
    { name: 'no api-version', url: '/subscriptions', status: 400, code: 'MissingApiVersionParameter' },
    {
      name: 'empty api-version',
      url: '/tenants?api-version=',
      status: 400,
      code: 'MissingApiVersionParameter',
    },
    {
      name: 'unknown api-version',
      url: '/subscriptions?api-version=2099-01-01',
      status: 400,
      code: 'InvalidApiVersionParameter',
    },
    {
      name: 'api-version twice',
      url: `/subscriptions?${API}&${API}`,
      status: 400,
      code: 'InvalidApiVersionParameter',
    },
    {
      name: 'malformed subscription id',
      url: `/subscriptions/not-a-guid?${API}`,
      status: 400,
      code: 'InvalidSubscriptionId',
    },
    {
      name: 'subscription id with injection',
      url: `/subscriptions/'%20or%201=1?${API}`,
      status: 400,
      code: 'InvalidSubscriptionId',
    },
    { name: 'another tenant’s subscription', url: 'OTHER', status: 404, code: 'SubscriptionNotFound' },
    { name: 'no token', url: `/subscriptions?${API}`, token: '', status: 401, code: 'AuthenticationFailed' },
    {
      name: 'not a JWT',
      url: `/subscriptions?${API}`,
      token: 'not-a-jwt',
      status: 401,
      code: 'InvalidAuthenticationToken',
    },
    {
      name: 'a Graph token (another resource)',
      url: `/subscriptions?${API}`,
      token: () => graphToken,
      status: 401,
      code: 'InvalidAuthenticationToken',
    },
    {
      name: 'a tampered token',
      url: `/tenants?${API}`,
      token: () => `${token.slice(0, -4)}AAAA`,
      status: 401,
      code: 'InvalidAuthenticationToken',
    },
    {
      name: 'unknown ARM route',
      url: `/providers/Microsoft.Compute?${API}`,
      status: 404,
      code: 'InvalidResourceType',
    },
  ];
  for (const c of cases) {
    test(`bad input: ${c.name} → ${c.status} ${c.code}`, async () => {
      const url = c.url === 'OTHER' ? `/subscriptions/${otherTenant}?${API}` : c.url;
      const bearer = typeof c.token === 'function' ? c.token() : c.token === '' ? null : (c.token ?? token);
      const answer = await arm(url, bearer);
      assert.equal(answer.status, c.status, JSON.stringify(answer.body));
      assert.equal(answer.body.error.code, c.code);
      assert.equal(typeof answer.body.error.message, 'string');
      assert.deepEqual(Object.keys(answer.body.error).sort(), ['code', 'message']);
      assert.match(String(answer.headers['x-ms-request-id']), /^[0-9a-f-]{36}$/);
    });
  }
});
