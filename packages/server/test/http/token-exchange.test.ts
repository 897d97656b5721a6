import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GRAPH_RESOURCE_URI } from '@credless/core';
import {
  clientCredentialsForm,
  createWorkloadScenario,
  grantAppRole,
  requestToken,
  startTestStack,
  type TestCredless,
  type TestOidcIssuer,
  type TestStack,
} from '@credless/testkit';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { type Agent, request } from 'undici';

const SUBJECT = 'system:serviceaccount:default:workload';

describe('token exchange over HTTPS', () => {
  let issuer: TestOidcIssuer;
  let credless: TestCredless;
  let stack: TestStack;
  let client: Agent;
  let scenario: Awaited<ReturnType<typeof createWorkloadScenario>>;

  before(async () => {
    stack = await startTestStack({ issuer: { kidStyle: 'kubernetes' } });
    ({ issuer, credless, client } = stack);
    scenario = await createWorkloadScenario(credless, {
      issuer: issuer.issuer,
      subject: SUBJECT,
      graphRoles: ['User.Read.All', 'Organization.Read.All'],
    });
  });
  after(() => stack.close());

  const exchange = (form: Record<string, string>, version: 'v2' | 'v1' = 'v2') =>
    requestToken(credless, form, { dispatcher: client, version });

  const form = (assertion: string, extra: Record<string, string> = {}) => ({
    ...clientCredentialsForm({ clientId: scenario.appId, assertion }),
    ...extra,
  });

  test('a matching assertion yields a v1 Graph token with the consented roles', async () => {
    const assertion = await issuer.issueToken({ sub: SUBJECT, aud: ['api://AzureADTokenExchange'] });
    const { status, headers, body } = await exchange(form(assertion));
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(headers['cache-control'], 'no-store, no-cache');
    assert.equal(body['token_type'], 'Bearer');
    assert.ok(
      typeof body['expires_in'] === 'number' && body['expires_in'] >= 3599 && body['expires_in'] <= 5399,
    );
    const keysResponse = await request(`${credless.url}/${credless.tenantId}/discovery/keys`, {
      dispatcher: client,
    });
    const { keys } = (await keysResponse.body.json()) as { keys: Array<Record<string, unknown>> };
    const { payload, protectedHeader } = await jwtVerify(
      body['access_token'] as string,
      createLocalJWKSet({ keys: keys as never }),
      { issuer: `${credless.url}/${credless.tenantId}/`, audience: GRAPH_RESOURCE_URI },
    );
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(protectedHeader.x5t, protectedHeader.kid);
    assert.deepEqual([...(payload['roles'] as string[])].sort(), ['Organization.Read.All', 'User.Read.All']);
    assert.equal(payload['appid'], scenario.appId);
    assert.equal(payload['oid'], scenario.servicePrincipalId);
    assert.equal(payload.sub, scenario.servicePrincipalId);
    assert.equal(payload['idtyp'], 'app');
    assert.equal(payload['ver'], '1.0');
    assert.equal(payload['tid'], credless.tenantId);
  });

  test('the v1 endpoint takes resource= and answers with string numbers', async () => {
    const assertion = await issuer.issueToken({ sub: SUBJECT, aud: 'api://AzureADTokenExchange' });
    const { scope: _scope, ...rest } = form(assertion);
    const { status, body } = await exchange({ ...rest, resource: GRAPH_RESOURCE_URI }, 'v1');
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(typeof body['expires_in'], 'string');
    assert.equal(body['resource'], GRAPH_RESOURCE_URI);
  });

  test('a resource that accepts v2 tokens gets aud = its appId, the v2 issuer and azp', async () => {
    const roleId = '3f1c7d2a-9b8e-4c6d-a5f4-2e1d0c9b8a7f';
    const api = await credless.store.createApplication(credless.tenantId, {
      displayName: 'orders-api',
      identifierUris: ['api://orders'],
      appRoles: [{ id: roleId, value: 'Orders.Read' } as never],
      accessTokenAcceptedVersion: 2,
    });
    await grantAppRole(credless, {
      clientAppId: scenario.appId,
      resourceAppId: api.appId,
      appRoleId: roleId,
    });

    const assertion = await issuer.issueToken({ sub: SUBJECT, aud: 'api://AzureADTokenExchange' });
    const { status, body } = await exchange(form(assertion, { scope: 'api://orders/.default' }));
    assert.equal(status, 200, JSON.stringify(body));
    const keysResponse = await request(`${credless.url}/${credless.tenantId}/discovery/v2.0/keys`, {
      dispatcher: client,
    });
    const { keys } = (await keysResponse.body.json()) as { keys: Array<Record<string, unknown>> };
    const { payload, protectedHeader } = await jwtVerify(
      body['access_token'] as string,
      createLocalJWKSet({ keys: keys as never }),
      { issuer: `${credless.url}/${credless.tenantId}/v2.0`, audience: api.appId },
    );
    assert.equal(protectedHeader.x5t, undefined);
    assert.equal(payload['azp'], scenario.appId);
    assert.equal(payload['azpacr'], '2');
    assert.equal(payload['ver'], '2.0');
    assert.deepEqual(payload['roles'], ['Orders.Read']);
  });

  test('a wrong subject is refused with AADSTS700213 and no token', async () => {
    const assertion = await issuer.issueToken({ sub: `${SUBJECT}-other`, aud: 'api://AzureADTokenExchange' });
    const { status, body } = await exchange(form(assertion));
    assert.equal(status, 401);
    assert.equal(body['error'], 'invalid_client');
    assert.deepEqual(body['error_codes'], [700213]);
    assert.equal(body['access_token'], undefined);
  });
});
