/**
 * Access control of the Graph-compatible API: only credless-issued Graph tokens of the caller's
 * tenant with the right application roles; tenant isolation; a CI pipeline managing credless through
 * a federated credential alone; the bootstrap administrator (certificate assertion) and its rotation.
 */
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { GRAPH_RESOURCE_URI, JWT_BEARER_ASSERTION_TYPE } from '@credless/core';
import { createAdminGraphClient, requestToken } from '@credless/testkit';
import {
  adminPaths,
  createAdminAssertion,
  readAdminIdentity,
  rotateAdminKey,
} from '../../src/admin/admin-identity.ts';
import { FEDERATION_AUDIENCE, type GraphFixture, startGraphFixture } from './graph-fixture.ts';

describe('Graph API: access control and tenant isolation', () => {
  let f: GraphFixture;
  before(async () => {
    f = await startGraphFixture();
  });
  after(() => f.close());

  const expect401 = (answer: { status: number; body: { error?: { code: string } } }) => {
    assert.equal(answer.status, 401);
    assert.equal(answer.body.error?.code, 'InvalidAuthenticationToken');
  };

  test('401 without a token, with garbage, with a foreign issuer token, with a token for another resource', async () => {
    expect401(await f.call('GET', '/applications', undefined));
    expect401(await f.call('GET', '/organization', 'not.a.token'));
    const foreign = await f.issuer.issueToken({
      sub: 'anyone',
      aud: GRAPH_RESOURCE_URI,
      tid: f.credless.tenantId,
      roles: ['Application.ReadWrite.All'],
    });
    expect401(await f.call('GET', '/applications', foreign));
    // A credless token, but for another resource (a v1 token for an API of the tenant).
    const api = await f.asAdmin('POST', '/applications', {
      displayName: 'other-api',
      identifierUris: ['api://other-api'],
      appRoles: [
        {
          id: '4a1c8b61-1b1e-4f52-9d68-0f2a4d6f7c11',
          value: 'Application.ReadWrite.All',
          displayName: 'lookalike',
          description: 'same value as the Graph role',
          allowedMemberTypes: ['Application'],
          isEnabled: true,
        },
      ],
    });
    assert.equal(api.status, 201);
    assert.equal((await f.asAdmin('POST', '/servicePrincipals', { appId: api.body['appId'] })).status, 201);
    const otherResource = await f.workloadToken([], { scope: 'api://other-api/.default' });
    expect401(await f.call('GET', '/applications', otherResource));
    const response = await f.call('GET', '/applications', undefined);
    assert.match(String(response.headers['www-authenticate']), /Bearer/);
  });

  test('403 with Graph error body when the role is missing; /organization with User.Read.All as in the seed', async () => {
    const reader = await f.workloadToken(['User.Read.All']);
    const denied = await f.call('GET', '/applications', reader);
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error?.code, 'Authorization_RequestDenied');
    assert.match(denied.body.error?.message ?? '', /Insufficient privileges/);
    const org = await f.call('GET', '/organization', reader);
    assert.equal(org.status, 200);
    assert.equal(org.body.value?.[0]?.['id'], f.credless.tenantId);
    const appReader = await f.workloadToken(['Application.Read.All']);
    assert.equal((await f.call('GET', '/applications', appReader)).status, 200);
    assert.equal((await f.call('POST', '/applications', appReader, { displayName: 'x' })).status, 403);
    assert.equal(
      (await f.call('POST', '/groups', appReader, { displayName: 'g', mailNickname: 'g' })).status,
      403,
    );
    const none = await f.workloadToken([]);
    assert.equal((await f.call('GET', '/organization', none)).status, 403);
  });

  test('a token of tenant B reads and changes nothing of tenant A', async () => {
    const tenantB = await f.credless.store.createTenant({
      defaultDomain: 'fabrikam.test',
      displayName: 'Fabrikam',
    });
    // As the server's key maintenance does for every tenant (a first token racing key creation can fail).
    await f.credless.keys.ensureKeys(tenantB.id);
    const tokenB = await f.workloadToken(
      [
        'Application.ReadWrite.All',
        'AppRoleAssignment.ReadWrite.All',
        'Group.ReadWrite.All',
        'Organization.ReadWrite.All',
      ],
      { tenantId: tenantB.id },
    );
    const appA = await f.asAdmin('POST', '/applications', { displayName: 'tenant-a-secret-app' });
    const { id, appId } = appA.body as { id: string; appId: string };
    const spA = await f.asAdmin('POST', '/servicePrincipals', { appId });
    const groupA = await f.asAdmin('POST', '/groups', { displayName: 'a-admins', mailNickname: 'a-admins' });
    const tenantA = f.credless.tenantId;

    const listed = await f.call('GET', '/applications', tokenB);
    assert.equal(listed.status, 200);
    assert.ok(!JSON.stringify(listed.body).includes('tenant-a-secret-app'));
    for (const path of [
      `/applications/${id}`,
      `/applications(appId='${appId}')`,
      `/applications/${id}/federatedIdentityCredentials`,
      `/servicePrincipals/${spA.body['id']}`,
      `/servicePrincipals/${spA.body['id']}/appRoleAssignedTo`,
      `/groups/${groupA.body['id']}`,
      `/groups/${groupA.body['id']}/members`,
      `/organization/${tenantA}`,
    ]) {
      const answer = await f.call('GET', path, tokenB);
      assert.equal(answer.status, 404, path);
      assert.ok(!JSON.stringify(answer.body).includes('tenant-a-secret-app'), path);
    }
    const writes: Array<[string, string, unknown]> = [
      ['PATCH', `/applications/${id}`, { displayName: 'owned' }],
      ['DELETE', `/applications/${id}`, undefined],
      [
        'POST',
        `/applications/${id}/federatedIdentityCredentials`,
        { name: 'evil', issuer: f.issuer.issuer, subject: 's' },
      ],
      [
        'PATCH',
        `/applications/${id}/federatedIdentityCredentials(name='evil')`,
        { issuer: f.issuer.issuer, subject: 's' },
      ],
      ['DELETE', `/servicePrincipals/${spA.body['id']}`, undefined],
      ['DELETE', `/groups/${groupA.body['id']}`, undefined],
      ['PATCH', `/organization/${tenantA}`, { displayName: 'owned' }],
    ];
    for (const [method, path, body] of writes) {
      assert.equal((await f.call(method, path, tokenB, body)).status, 404, `${method} ${path}`);
    }
    // Referencing A's objects from B's own objects fails too.
    const groupB = await f.call('POST', '/groups', tokenB, { displayName: 'b', mailNickname: 'b' });
    const addA = await f.call('POST', `/groups/${groupB.body['id']}/members/$ref`, tokenB, {
      '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${spA.body['id']}`,
    });
    assert.equal(addA.status, 404);
    // B's organization is B.
    const orgB = await f.call('GET', '/organization', tokenB);
    assert.deepEqual(
      orgB.body.value?.map((o) => o['id']),
      [tenantB.id],
    );

    const stillThere = await f.asAdmin('GET', `/applications/${id}`);
    assert.equal(stillThere.body['displayName'], 'tenant-a-secret-app');
    assert.equal(
      (await f.asAdmin('GET', `/applications/${id}/federatedIdentityCredentials`)).body.value?.length,
      0,
    );
    assert.equal((await f.asAdmin('GET', `/organization/${tenantA}`)).body['displayName'], 'Credless Local');
  });

  test('a CI pipeline manages credless through a federated credential alone', async () => {
    const ci = await f.workloadToken(['Application.ReadWrite.All']);
    const app = await f.call('POST', '/applications', ci, { displayName: 'deployed-by-ci' });
    assert.equal(app.status, 201);
    const fic = await f.call('POST', `/applications/${app.body['id']}/federatedIdentityCredentials`, ci, {
      name: 'kubernetes',
      issuer: f.issuer.issuer,
      subject: 'system:serviceaccount:prod:api',
      audiences: [FEDERATION_AUDIENCE],
    });
    assert.equal(fic.status, 201);
  });

  test('bootstrap administrator: key file 0600, certificate assertion, rotation retires the old key', async () => {
    const paths = adminPaths(f.credless.dataDir);
    if (process.platform !== 'win32') assert.equal((await stat(paths.key)).mode & 0o777, 0o600);
    const before = await readAdminIdentity(f.credless.dataDir);
    assert.ok(before);
    assert.equal(before.clientId, f.credless.admin?.clientId);
    const { privateKeyPem, ...identity } = before;
    assert.deepEqual(identity, f.credless.admin);
    assert.match(privateKeyPem, /PRIVATE KEY/);
    const adminApp = await f.asAdmin('GET', `/applications(appId='${before.clientId}')`);
    assert.equal(adminApp.body['displayName'], 'credless-local-admin');
    const [credential] = adminApp.body['keyCredentials'] as Array<Record<string, unknown>>;
    assert.equal(credential?.['type'], 'AsymmetricX509Cert');
    assert.equal(credential?.['key'], null);

    const endpoint = `${f.credless.url}/${before.tenantId}/oauth2/v2.0/token`;
    const exchange = async (assertion: string) =>
      requestToken(
        f.credless,
        {
          grant_type: 'client_credentials',
          client_id: before.clientId,
          scope: `${GRAPH_RESOURCE_URI}/.default`,
          client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
          client_assertion: assertion,
        },
        { dispatcher: f.agent },
      );
    assert.equal((await exchange(await createAdminAssertion(before, endpoint))).status, 200);
    const wrongAudience = await exchange(await createAdminAssertion(before, 'https://elsewhere/token'));
    assert.equal(wrongAudience.status, 401);
    assert.deepEqual(wrongAudience.body['error_codes'], [700023]);

    const rotated = await rotateAdminKey(f.credless.store, { dataDir: f.credless.dataDir });
    assert.notEqual(rotated.keyId, before.keyId);
    const old = await exchange(await createAdminAssertion(before, endpoint));
    assert.equal(old.status, 401);
    assert.deepEqual(old.body['error_codes'], [700027]);
    const fresh = await createAdminGraphClient({
      url: f.credless.url,
      dataDir: f.credless.dataDir,
      dispatcher: f.agent,
    });
    const org = await fresh.request('GET', '/organization');
    assert.equal(org.status, 200);
  });
});
