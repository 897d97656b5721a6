/**
 * MSAL's instance discovery (`/common/discovery/instance`): an authorization endpoint on this credless
 * is known — also without its port, as MSAL Python sends it — and answered with the tenant discovery
 * endpoint on the real port; anything else is Entra's invalid_instance.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { discoveryRoutes } from '../../src/http/routes/discovery.ts';

const BASE_URL = 'https://localhost:8443';
const TENANT = '11111111-2222-3333-4444-555555555555';

describe('GET /common/discovery/instance', () => {
  let app: FastifyInstance;
  before(async () => {
    app = Fastify();
    await app.register(discoveryRoutes, {
      baseUrl: () => BASE_URL,
      directory: { findTenant: async () => undefined },
      getJwks: async () => ({ keys: [] }),
      now: () => Date.parse('2026-01-01T00:00:00Z'),
    });
  });
  after(() => app.close());

  const discover = (authorizationEndpoint: string | undefined) =>
    app.inject({
      method: 'GET',
      url: '/common/discovery/instance',
      query: {
        'api-version': '1.0',
        ...(authorizationEndpoint === undefined ? {} : { authorization_endpoint: authorizationEndpoint }),
      },
    });

  const known: Array<{ name: string; endpoint: string; tenant: string }> = [
    { name: 'with the port', endpoint: `${BASE_URL}/${TENANT}/oauth2/v2.0/authorize`, tenant: TENANT },
    {
      name: 'without the port (MSAL Python)',
      endpoint: `https://localhost/${TENANT}/oauth2/v2.0/authorize`,
      tenant: TENANT,
    },
    {
      name: 'host name in capitals',
      endpoint: 'https://LOCALHOST/contoso.example/oauth2/authorize',
      tenant: 'contoso.example',
    },
    { name: 'no tenant segment', endpoint: `${BASE_URL}/`, tenant: 'common' },
  ];
  for (const { name, endpoint, tenant } of known) {
    test(`known: ${name}`, async () => {
      const response = await discover(endpoint);
      assert.equal(response.statusCode, 200);
      const body = response.json();
      assert.equal(
        body.tenant_discovery_endpoint,
        `${BASE_URL}/${tenant}/v2.0/.well-known/openid-configuration`,
      );
      assert.deepEqual(body.metadata[0].aliases, ['localhost:8443']);
    });
  }

  const unknown: Array<{ name: string; endpoint: string | undefined }> = [
    { name: 'another host', endpoint: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize` },
    { name: 'another port', endpoint: `https://localhost:9443/${TENANT}/oauth2/v2.0/authorize` },
    { name: 'plain http', endpoint: `http://localhost:8443/${TENANT}/oauth2/v2.0/authorize` },
    {
      name: 'user info before the host',
      endpoint: `https://localhost@evil.example/${TENANT}/oauth2/authorize`,
    },
    { name: 'credentials on our host', endpoint: `https://a:b@localhost:8443/${TENANT}/oauth2/authorize` },
    {
      name: 'a host that merely starts with ours',
      endpoint: 'https://localhost.evil.example/t/oauth2/authorize',
    },
    { name: 'not a URL', endpoint: 'localhost/tenant' },
    { name: 'missing', endpoint: undefined },
  ];
  for (const { name, endpoint } of unknown) {
    test(`invalid_instance: ${name}`, async () => {
      const response = await discover(endpoint);
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().error, 'invalid_instance');
      assert.deepEqual(response.json().error_codes, [50049]);
    });
  }
});
