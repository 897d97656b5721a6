/**
 * /v1.0/applications and their federated identity credentials through real HTTPS, as the bootstrap
 * administrator: CRUD with both addressings, OData options, Graph's error bodies and codes, and a
 * credential created here honoured by the token endpoint at once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clientCredentialsForm, requestToken } from '@credless/testkit';
import { FEDERATION_AUDIENCE, type GraphFixture, startGraphFixture } from './graph-fixture.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('Graph API: applications and federated credentials', () => {
  let f: GraphFixture;
  before(async () => {
    f = await startGraphFixture();
  });
  after(() => f.close());
  const base = () => `${f.credless.url}/v1.0`;

  test('applications: create, get by id and by appId, list with $filter/$select, patch, delete', async () => {
    const created = await f.asAdmin('POST', '/applications', { displayName: 'orders-api' });
    assert.equal(created.status, 201);
    assert.equal(created.body['@odata.context'], `${base()}/$metadata#applications/$entity`);
    assert.match(String(created.body['id']), GUID);
    assert.equal(created.body['displayName'], 'orders-api');
    const { id, appId } = created.body as { id: string; appId: string };

    const byId = await f.asAdmin('GET', `/applications/${id}`);
    const byAppId = await f.asAdmin('GET', `/applications(appId='${appId}')`);
    assert.equal(byId.status, 200);
    assert.deepEqual(byAppId.body, byId.body);

    const filtered = await f.asAdmin(
      'GET',
      `/applications?$filter=appId eq '${appId}'&$select=id,displayName`,
    );
    assert.equal(filtered.status, 200);
    assert.equal(filtered.body['@odata.context'], `${base()}/$metadata#applications(id,displayName)`);
    assert.deepEqual(filtered.body.value, [{ id, displayName: 'orders-api' }]);
    const byName = await f.asAdmin('GET', "/applications?$filter=displayName eq 'ORDERS-API'");
    assert.deepEqual(
      byName.body.value?.map((app) => app['id']),
      [id],
    );
    // The built-in Graph application is not managed here.
    const all = await f.asAdmin('GET', '/applications');
    assert.ok(!all.body.value?.some((app) => app['appId'] === '00000003-0000-0000-c000-000000000000'));

    const patched = await f.asAdmin('PATCH', `/applications(appId='${appId}')`, {
      displayName: 'orders',
      identifierUris: [`api://${appId}`],
      api: { requestedAccessTokenVersion: 2 },
    });
    assert.equal(patched.status, 204);
    const after = await f.asAdmin('GET', `/applications/${id}?$select=displayName,identifierUris,api`);
    assert.deepEqual(after.body, {
      '@odata.context': `${base()}/$metadata#applications(displayName,identifierUris,api)/$entity`,
      displayName: 'orders',
      identifierUris: [`api://${appId}`],
      api: { requestedAccessTokenVersion: 2 },
    });

    assert.equal((await f.asAdmin('DELETE', `/applications/${id}`)).status, 204);
    const gone = await f.asAdmin('GET', `/applications/${id}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error?.code, 'Request_ResourceNotFound');
  });

  test("errors have Graph's shape: code, message, innerError with request ids", async () => {
    const clientRequestId = '7c3a0f55-3f4e-4a59-9a8e-3f0f0b7e5a11';
    const token = await f.admin.getToken();
    const { request } = await import('undici');
    const response = await request(`${base()}/applications/00000000-0000-0000-0000-000000000001`, {
      headers: { authorization: `Bearer ${token}`, 'client-request-id': clientRequestId },
      dispatcher: f.agent,
    });
    const body = (await response.body.json()) as { error: Record<string, unknown> };
    assert.equal(response.statusCode, 404);
    assert.equal(body.error['code'], 'Request_ResourceNotFound');
    assert.match(String(body.error['message']), /does not exist/);
    const inner = body.error['innerError'] as Record<string, string>;
    assert.equal(inner['client-request-id'], clientRequestId);
    assert.match(inner['request-id'] ?? '', GUID);
    assert.match(inner['date'] ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    assert.equal(response.headers['request-id'], inner['request-id']);

    const bad = await f.asAdmin('POST', '/applications', { displayName: '' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error?.code, 'Request_BadRequest');
    const badFilter = await f.asAdmin('GET', '/applications?$filter=appId eq');
    assert.equal(badFilter.status, 400);
    assert.equal(badFilter.body.error?.code, 'BadRequest');
    const badSelect = await f.asAdmin('GET', '/applications?$select=secret');
    assert.equal(badSelect.status, 400);
    const notJson = await f.call('POST', '/applications', await f.admin.getToken(), undefined);
    assert.equal(notJson.status, 400);
    const unknown = await f.asAdmin('GET', '/users');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error?.code, 'BadRequest');
  });

  test('federated credentials: CRUD, (name=) addressing and upsert, duplicate name 409, duplicate issuer+subject 400', async () => {
    const app = await f.asAdmin('POST', '/applications', { displayName: 'fic-app' });
    const { id, appId } = app.body as { id: string; appId: string };
    const path = `/applications/${id}/federatedIdentityCredentials`;
    const body = {
      name: 'main',
      issuer: f.issuer.issuer,
      subject: 'repo:contoso/api:ref:refs/heads/main',
      audiences: [FEDERATION_AUDIENCE],
    };
    const created = await f.asAdmin('POST', path, body);
    assert.equal(created.status, 201);
    assert.equal(
      created.body['@odata.context'],
      `${base()}/$metadata#applications('${id}')/federatedIdentityCredentials/$entity`,
    );
    assert.equal(created.body['name'], 'main');

    const duplicateName = await f.asAdmin('POST', path, { ...body, subject: 'other' });
    assert.equal(duplicateName.status, 409);
    assert.equal(duplicateName.body.error?.code, 'Request_MultipleObjectsWithSameKeyValue');
    assert.equal(
      duplicateName.body.error?.message,
      'FederatedIdentityCredential with name main already exists.',
    );
    const duplicateTarget = await f.asAdmin('POST', path, { ...body, name: 'second' });
    assert.equal(duplicateTarget.status, 400);
    assert.equal(duplicateTarget.body.error?.code, 'InvalidFederatedIdentityCredentialValue');
    const unknownProperty = await f.asAdmin('POST', path, { ...body, name: 'third', colour: 'red' });
    assert.equal(unknownProperty.status, 400);

    const viaAppId = await f.asAdmin(
      'GET',
      `/applications(appId='${appId}')/federatedIdentityCredentials(name='main')`,
    );
    assert.equal(viaAppId.status, 200);
    assert.equal(viaAppId.body['id'], created.body['id']);
    const byId = await f.asAdmin('GET', `${path}/${created.body['id']}`);
    assert.equal(byId.body['subject'], body.subject);

    // PATCH by id updates; the name is immutable.
    assert.equal(
      (await f.asAdmin('PATCH', `${path}/${created.body['id']}`, { description: 'prod' })).status,
      204,
    );
    assert.equal(
      (await f.asAdmin('PATCH', `${path}/${created.body['id']}`, { name: 'renamed' })).status,
      400,
    );
    // PATCH (name=) creates when absent (201), updates when present (204).
    const upserted = await f.asAdmin('PATCH', `${path}(name='prs')`, {
      issuer: f.issuer.issuer,
      subject: 'repo:contoso/api:pull_request',
      audiences: [FEDERATION_AUDIENCE],
    });
    assert.equal(upserted.status, 201);
    assert.equal(upserted.body['name'], 'prs');
    const again = await f.asAdmin('PATCH', `${path}(name='prs')`, { description: 'pull requests' });
    assert.equal(again.status, 204);

    const list = await f.asAdmin('GET', `${path}?$filter=name eq 'prs'&$select=name,description`);
    assert.deepEqual(list.body.value, [{ name: 'prs', description: 'pull requests' }]);
    assert.equal((await f.asAdmin('GET', path)).body.value?.length, 2);

    assert.equal((await f.asAdmin('DELETE', `${path}(name='prs')`)).status, 204);
    assert.equal((await f.asAdmin('DELETE', `${path}(name='prs')`)).status, 404);
    assert.equal((await f.asAdmin('GET', path)).body.value?.length, 1);
  });

  test('a credential created through the API is honoured by the token endpoint at once', async () => {
    const subject = 'system:serviceaccount:shop:checkout';
    const app = await f.asAdmin('POST', '/applications', { displayName: 'checkout' });
    const { id, appId } = app.body as { id: string; appId: string };
    assert.equal((await f.asAdmin('POST', '/servicePrincipals', { appId })).status, 201);
    const assertion = () => f.issuer.issueToken({ sub: subject, aud: FEDERATION_AUDIENCE });
    const exchange = async () =>
      requestToken(f.credless, clientCredentialsForm({ clientId: appId, assertion: await assertion() }), {
        dispatcher: f.agent,
      });
    assert.equal((await exchange()).status, 401);
    const created = await f.asAdmin('POST', `/applications/${id}/federatedIdentityCredentials`, {
      name: 'checkout',
      issuer: f.issuer.issuer,
      subject,
      audiences: [FEDERATION_AUDIENCE],
    });
    assert.equal(created.status, 201);
    assert.equal((await exchange()).status, 200);
    assert.equal(
      (await f.asAdmin('DELETE', `/applications/${id}/federatedIdentityCredentials/checkout`)).status,
      204,
    );
    assert.equal((await exchange()).status, 401);
  });
});
