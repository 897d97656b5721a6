/**
 * /v1.0/servicePrincipals (with app role assignments both ways), /groups (with members) and
 * /organization through real HTTPS as the bootstrap administrator; admin consent given here shows up
 * in the next token's roles.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GRAPH_APP_ID } from '@credless/core';
import { clientCredentialsForm, requestToken } from '@credless/testkit';
import { decodeJwt } from 'jose';
import { FEDERATION_AUDIENCE, type GraphFixture, startGraphFixture } from './graph-fixture.ts';

const USER_READ_ALL = 'df021288-bdef-4463-88db-98f22de89214';

describe('Graph API: service principals, groups, organization', () => {
  let f: GraphFixture;
  before(async () => {
    f = await startGraphFixture();
  });
  after(() => f.close());
  const base = () => `${f.credless.url}/v1.0`;

  test('service principals: create, get both ways, filter, patch, delete; app role assignments', async () => {
    const app = await f.asAdmin('POST', '/applications', { displayName: 'reporting' });
    const { id: applicationId, appId } = app.body as { id: string; appId: string };
    const sp = await f.asAdmin('POST', '/servicePrincipals', { appId });
    assert.equal(sp.status, 201);
    assert.equal(sp.body['@odata.context'], `${base()}/$metadata#servicePrincipals/$entity`);
    assert.equal(sp.body['appDisplayName'], 'reporting');
    const spId = sp.body['id'] as string;
    assert.equal((await f.asAdmin('POST', '/servicePrincipals', { appId })).status, 409);

    const byAppId = await f.asAdmin('GET', `/servicePrincipals(appId='${appId}')?$select=id,accountEnabled`);
    assert.deepEqual(byAppId.body, {
      '@odata.context': `${base()}/$metadata#servicePrincipals(id,accountEnabled)/$entity`,
      id: spId,
      accountEnabled: true,
    });
    const graph = await f.asAdmin('GET', `/servicePrincipals?$filter=appId eq '${GRAPH_APP_ID}'`);
    const graphSpId = graph.body.value?.[0]?.['id'] as string;
    assert.ok(graphSpId);

    // Admin consent, as `az ad app permission admin-consent` does it: on the resource's appRoleAssignedTo.
    const assigned = await f.asAdmin('POST', `/servicePrincipals/${graphSpId}/appRoleAssignedTo`, {
      principalId: spId,
      resourceId: graphSpId,
      appRoleId: USER_READ_ALL,
    });
    assert.equal(assigned.status, 201);
    assert.equal(assigned.body['principalDisplayName'], 'reporting');
    assert.equal(assigned.body['resourceDisplayName'], 'Microsoft Graph');
    const held = await f.asAdmin('GET', `/servicePrincipals/${spId}/appRoleAssignments`);
    assert.deepEqual(
      held.body.value?.map((a) => a['id']),
      [assigned.body['id']],
    );
    const granted = await f.asAdmin(
      'GET',
      `/servicePrincipals/${graphSpId}/appRoleAssignedTo?$filter=principalId eq '${spId}'`,
    );
    assert.equal(granted.body.value?.length, 1);
    const badRole = await f.asAdmin('POST', `/servicePrincipals/${spId}/appRoleAssignments`, {
      resourceId: graphSpId,
      appRoleId: '00000000-0000-0000-0000-000000000000',
    });
    assert.equal(badRole.status, 400);

    // The next token carries the consented role.
    const subject = 'system:serviceaccount:reports:job';
    await f.asAdmin('POST', `/applications/${applicationId}/federatedIdentityCredentials`, {
      name: 'job',
      issuer: f.issuer.issuer,
      subject,
      audiences: [FEDERATION_AUDIENCE],
    });
    const token = async () => {
      const assertion = await f.issuer.issueToken({ sub: subject, aud: FEDERATION_AUDIENCE });
      const answer = await requestToken(f.credless, clientCredentialsForm({ clientId: appId, assertion }), {
        dispatcher: f.agent,
      });
      return answer;
    };
    assert.deepEqual(decodeJwt((await token()).body['access_token'] as string)['roles'], ['User.Read.All']);

    // Disabling the principal stops its tokens at once; deleting the assignment drops the role.
    assert.equal(
      (await f.asAdmin('PATCH', `/servicePrincipals/${spId}`, { accountEnabled: false })).status,
      204,
    );
    assert.equal((await token()).status, 400);
    assert.equal(
      (await f.asAdmin('PATCH', `/servicePrincipals/${spId}`, { accountEnabled: true })).status,
      204,
    );
    const removed = await f.asAdmin(
      'DELETE',
      `/servicePrincipals/${spId}/appRoleAssignments/${assigned.body['id']}`,
    );
    assert.equal(removed.status, 204);
    assert.equal(decodeJwt((await token()).body['access_token'] as string)['roles'], undefined);

    // The built-in Graph principal cannot be removed.
    assert.equal((await f.asAdmin('DELETE', `/servicePrincipals/${graphSpId}`)).status, 400);
    assert.equal((await f.asAdmin('DELETE', `/servicePrincipals(appId='${appId}')`)).status, 204);
    assert.equal((await f.asAdmin('GET', `/servicePrincipals/${spId}`)).status, 404);
  });

  test('groups: create, list with $filter, get, members add/list/remove, delete', async () => {
    const group = await f.asAdmin('POST', '/groups', {
      displayName: 'aks-admins',
      mailNickname: 'aks-admins',
      mailEnabled: false,
      securityEnabled: true,
    });
    assert.equal(group.status, 201);
    assert.equal(group.body['@odata.context'], `${base()}/$metadata#groups/$entity`);
    const groupId = group.body['id'] as string;
    const listed = await f.asAdmin(
      'GET',
      "/groups?$filter=displayName eq 'aks-admins'&$select=id,mailNickname",
    );
    assert.deepEqual(listed.body.value, [{ id: groupId, mailNickname: 'aks-admins' }]);
    assert.equal((await f.asAdmin('GET', `/groups/${groupId}`)).body['securityEnabled'], true);
    assert.equal((await f.asAdmin('POST', '/groups', { displayName: 'x' })).status, 400);

    const app = await f.asAdmin('POST', '/applications', { displayName: 'member-app' });
    const sp = await f.asAdmin('POST', '/servicePrincipals', { appId: app.body['appId'] });
    const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${sp.body['id']}` };
    assert.equal((await f.asAdmin('POST', `/groups/${groupId}/members/$ref`, ref)).status, 204);
    const twice = await f.asAdmin('POST', `/groups/${groupId}/members/$ref`, ref);
    assert.equal(twice.status, 400);
    assert.equal(twice.body.error?.code, 'Request_BadRequest');
    const members = await f.asAdmin('GET', `/groups/${groupId}/members`);
    assert.equal(members.body['@odata.context'], `${base()}/$metadata#directoryObjects`);
    assert.deepEqual(members.body.value, [
      {
        '@odata.type': '#microsoft.graph.servicePrincipal',
        id: sp.body['id'],
        displayName: 'member-app',
        appId: app.body['appId'],
      },
    ]);
    assert.equal((await f.asAdmin('DELETE', `/groups/${groupId}/members/${sp.body['id']}/$ref`)).status, 204);
    assert.deepEqual((await f.asAdmin('GET', `/groups/${groupId}/members`)).body.value, []);
    assert.equal((await f.asAdmin('DELETE', `/groups/${groupId}`)).status, 204);
    assert.equal((await f.asAdmin('GET', `/groups/${groupId}`)).status, 404);
  });

  test('groups: PATCH changes displayName, mailNickname, description in place; bad values are 400', async () => {
    const created = await f.asAdmin('POST', '/groups', { displayName: 'ops', mailNickname: 'ops' });
    const id = created.body['id'] as string;
    const select = '$select=id,displayName,mailNickname,description,securityEnabled';
    const cases: Array<[string, Record<string, unknown>, number, Record<string, unknown>]> = [
      ['rename', { displayName: 'operations' }, 204, { displayName: 'operations', mailNickname: 'ops' }],
      [
        'nickname and description',
        { mailNickname: 'operations', description: 'on call' },
        204,
        { mailNickname: 'operations', description: 'on call' },
      ],
      ['clear the description', { description: null }, 204, { description: null }],
      ['empty displayName', { displayName: '' }, 400, { displayName: 'operations' }],
      ['mailNickname with a space', { mailNickname: 'a b' }, 400, { mailNickname: 'operations' }],
      ['securityEnabled not a boolean', { securityEnabled: 'yes' }, 400, { securityEnabled: true }],
    ];
    for (const [name, body, status, expected] of cases) {
      const patched = await f.asAdmin('PATCH', `/groups/${id}`, body);
      assert.equal(patched.status, status, name);
      if (status === 400) assert.equal(patched.body.error?.code, 'Request_BadRequest', name);
      const current = await f.asAdmin('GET', `/groups/${id}?${select}`);
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(current.body[key], value, name);
      assert.equal(current.body['id'], id, name);
    }
    assert.equal(
      (await f.asAdmin('PATCH', `/groups/${crypto.randomUUID()}`, { displayName: 'x' })).status,
      404,
    );
    const reader = await f.workloadToken(['Group.Read.All']);
    assert.equal((await f.call('PATCH', `/groups/${id}`, reader, { displayName: 'x' })).status, 403);
  });

  test('organization: list, get, PATCH displayName (what the seed app shows)', async () => {
    const tenantId = f.credless.tenantId;
    const list = await f.asAdmin('GET', '/organization');
    assert.equal(list.body['@odata.context'], `${base()}/$metadata#organization`);
    const [org] = list.body.value ?? [];
    assert.equal(org?.['id'], tenantId);
    assert.equal(org?.['displayName'], 'Credless Local');
    assert.deepEqual(org?.['verifiedDomains'], [
      { capabilities: 'None', isDefault: true, isInitial: true, name: 'credless.local', type: 'Managed' },
    ]);
    assert.equal(
      (await f.asAdmin('PATCH', `/organization/${tenantId}`, { displayName: 'Contoso' })).status,
      204,
    );
    const after = await f.asAdmin('GET', `/organization/${tenantId}?$select=displayName`);
    assert.equal(after.body['displayName'], 'Contoso');
    assert.equal((await f.asAdmin('PATCH', `/organization/${tenantId}`, { tenantType: 'x' })).status, 400);
    assert.equal(
      (await f.asAdmin('PATCH', `/organization/${tenantId}`, { displayName: 'Credless Local' })).status,
      204,
    );
  });
});
