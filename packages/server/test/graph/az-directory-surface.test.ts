/**
 * The Graph surface the real az needs beyond applications, through real HTTPS: oauth2PermissionGrants
 * (`ad app permission grant/list-grants`), directoryObjects membership functions and getByIds
 * (`ad group member check`), the portal's admin-consent route (`ad app permission admin-consent`) —
 * and a bad-input table over these routes and addPassword/removePassword: each a clear Graph error,
 * nothing changed.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { GRAPH_APP_ID, PORTAL_APP_ID } from '@credless/core';
import { request } from 'undici';
import { type GraphAnswer, type GraphFixture, startGraphFixture } from './graph-fixture.ts';

const GROUP_READ_ALL = '5b567255-7703-4780-807c-7be8301ae99b';

let f: GraphFixture;
before(async () => {
  f = await startGraphFixture();
});
after(() => f.close());

/** POST to the portal's consent API (served on the same listener) with `token`. */
async function consent(
  appId: string,
  token: string | undefined,
  query = '?onBehalfOfAll=true',
): Promise<GraphAnswer> {
  const response = await request(`${f.credless.url}/api/RegisteredApplications/${appId}/Consent${query}`, {
    method: 'POST',
    headers: token ? { authorization: `Bearer ${token}` } : {},
    dispatcher: f.agent,
  });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    headers: response.headers,
    body: text === '' ? {} : JSON.parse(text),
  };
}

/** An application with its service principal, requesting Group.Read.All on Graph. */
async function clientApp(name: string) {
  const app = await f.asAdmin('POST', '/applications', {
    displayName: name,
    requiredResourceAccess: [
      { resourceAppId: GRAPH_APP_ID, resourceAccess: [{ id: GROUP_READ_ALL, type: 'Role' }] },
    ],
  });
  const sp = await f.asAdmin('POST', '/servicePrincipals', { appId: app.body['appId'] });
  return { id: app.body['id'] as string, appId: app.body['appId'] as string, spId: sp.body['id'] as string };
}

const graphPrincipalId = async () =>
  (await f.asAdmin('GET', `/servicePrincipals(appId='${GRAPH_APP_ID}')`)).body['id'] as string;

describe('Graph API: what az needs around permissions and groups', () => {
  test('oauth2PermissionGrants: create (Location), list with $filter, get, patch scope, delete', async () => {
    const client = await clientApp('grant-client');
    const resourceId = await graphPrincipalId();
    const created = await f.asAdmin('POST', '/oauth2PermissionGrants', {
      clientId: client.spId,
      consentType: 'AllPrincipals',
      resourceId,
      scope: 'User.Read',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body['id'] as string;
    assert.equal(created.headers['location'], `${f.credless.url}/v1.0/oauth2PermissionGrants/${id}`);
    assert.equal(created.body['principalId'], null);

    const listed = await f.asAdmin(
      'GET',
      `/oauth2PermissionGrants?$filter=clientId eq '${client.spId}' and consentType eq 'AllPrincipals' and resourceId eq '${resourceId}'`,
    );
    assert.deepEqual(
      listed.body.value?.map((g) => g['id']),
      [id],
    );
    assert.deepEqual(
      (await f.asAdmin('GET', `/oauth2PermissionGrants?$filter=clientId eq '${randomUUID()}'`)).body.value,
      [],
    );

    assert.equal(
      (await f.asAdmin('PATCH', `/oauth2PermissionGrants/${id}`, { scope: 'User.Read Group.Read.All' }))
        .status,
      204,
    );
    assert.equal(
      (await f.asAdmin('GET', `/oauth2PermissionGrants/${id}`)).body['scope'],
      'User.Read Group.Read.All',
    );
    assert.equal((await f.asAdmin('DELETE', `/oauth2PermissionGrants/${id}`)).status, 204);
    assert.equal((await f.asAdmin('GET', `/oauth2PermissionGrants/${id}`)).status, 404);
  });

  test('directoryObjects: checkMemberGroups, getMemberGroups, getMemberObjects (nested), getByIds', async () => {
    const client = await clientApp('member');
    const inner = (await f.asAdmin('POST', '/groups', { displayName: 'inner', mailNickname: 'inner' })).body[
      'id'
    ] as string;
    const outer = (await f.asAdmin('POST', '/groups', { displayName: 'outer', mailNickname: 'outer' })).body[
      'id'
    ] as string;
    const unrelated = (await f.asAdmin('POST', '/groups', { displayName: 'x', mailNickname: 'x' })).body[
      'id'
    ] as string;
    const ref = (id: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });
    await f.asAdmin('POST', `/groups/${inner}/members/$ref`, ref(client.spId));
    await f.asAdmin('POST', `/groups/${outer}/members/$ref`, ref(inner));

    const checked = await f.asAdmin('POST', `/directoryObjects/${client.spId}/checkMemberGroups`, {
      groupIds: [inner, outer, unrelated],
    });
    assert.equal(checked.status, 200);
    assert.deepEqual(checked.body.value, [inner, outer]);
    for (const fn of ['getMemberGroups', 'getMemberObjects']) {
      const answer = await f.asAdmin('POST', `/directoryObjects/${client.spId}/${fn}`, {
        securityEnabledOnly: true,
      });
      assert.deepEqual([...(answer.body.value as unknown as string[])].sort(), [inner, outer].sort(), fn);
    }

    const byIds = await f.asAdmin('POST', '/directoryObjects/getByIds', {
      ids: [client.spId, inner, client.id, randomUUID()],
    });
    assert.deepEqual(
      byIds.body.value?.map((o) => [o['@odata.type'], o['id']]),
      [
        ['#microsoft.graph.servicePrincipal', client.spId],
        ['#microsoft.graph.group', inner],
        ['#microsoft.graph.application', client.id],
      ],
    );
    const onlyGroups = await f.asAdmin('POST', '/directoryObjects/getByIds', {
      ids: [client.spId, inner],
      types: ['group'],
    });
    assert.deepEqual(
      onlyGroups.body.value?.map((o) => o['id']),
      [inner],
    );
  });

  test("portal admin consent grants the app's requested roles, with the same authorization", async () => {
    const client = await clientApp('consented');
    const token = await f.workloadToken(['AppRoleAssignment.ReadWrite.All'], {
      scope: `${PORTAL_APP_ID}/.default`,
    });
    const answer = await consent(client.appId, token);
    assert.equal(answer.status, 204, JSON.stringify(answer.body));
    const held = await f.asAdmin('GET', `/servicePrincipals/${client.spId}/appRoleAssignments`);
    assert.deepEqual(
      held.body.value?.map((a) => [a['appRoleId'], a['resourceId']]),
      [[GROUP_READ_ALL, await graphPrincipalId()]],
    );
    // Again: nothing new.
    assert.equal((await consent(client.appId, token)).status, 204);
    assert.equal(
      (await f.asAdmin('GET', `/servicePrincipals/${client.spId}/appRoleAssignments`)).body.value?.length,
      1,
    );
  });
});

describe('Graph API: bad input on the az routes — a clear Graph error, nothing changed', () => {
  interface Case {
    name: string;
    status: number;
    code: string;
    send: (ctx: { app: { id: string; appId: string; spId: string }; keyId: string }) => Promise<GraphAnswer>;
    message?: RegExp;
  }
  const cases: Case[] = [
    {
      name: 'addPassword on a malformed application id',
      status: 404,
      code: 'Request_ResourceNotFound',
      send: () => f.asAdmin('POST', `/applications/not-a-guid/addPassword`, {}),
    },
    {
      name: 'addPassword with an endDateTime that is no date',
      status: 400,
      code: 'Request_BadRequest',
      send: ({ app }) =>
        f.asAdmin('POST', `/applications/${app.id}/addPassword`, {
          passwordCredential: { endDateTime: 'next year' },
        }),
    },
    {
      name: 'addPassword ending in the past',
      status: 400,
      code: 'Request_BadRequest',
      send: ({ app }) =>
        f.asAdmin('POST', `/applications/${app.id}/addPassword`, {
          passwordCredential: { endDateTime: '2001-01-01T00:00:00Z' },
        }),
    },
    {
      name: "addPassword starting beyond the tenant's maximum lifetime",
      status: 400,
      code: 'Request_BadRequest',
      message: /maximum secret lifetime/,
      send: ({ app }) =>
        f.asAdmin('POST', `/applications/${app.id}/addPassword`, {
          passwordCredential: {
            startDateTime: new Date(Date.now() + 30 * 86_400_000).toISOString(),
            endDateTime: new Date(Date.now() + 60 * 86_400_000).toISOString(),
          },
        }),
    },
    {
      name: 'addPassword with a passwordCredential that is no object',
      status: 400,
      code: 'Request_BadRequest',
      send: ({ app }) =>
        f.asAdmin('POST', `/applications/${app.id}/addPassword`, { passwordCredential: 'x' }),
    },
    {
      name: 'addPassword without Application.ReadWrite.All',
      status: 403,
      code: 'Authorization_RequestDenied',
      send: async ({ app }) =>
        f.call(
          'POST',
          `/applications/${app.id}/addPassword`,
          await f.workloadToken(['Application.Read.All']),
          {},
        ),
    },
    {
      name: 'removePassword with a malformed keyId',
      status: 400,
      code: 'Request_BadRequest',
      send: ({ app }) => f.asAdmin('POST', `/applications/${app.id}/removePassword`, { keyId: "x' or 1=1" }),
    },
    {
      name: 'removePassword of an unknown keyId',
      status: 404,
      code: 'Request_ResourceNotFound',
      send: ({ app }) => f.asAdmin('POST', `/applications/${app.id}/removePassword`, { keyId: randomUUID() }),
    },
    {
      name: 'grant with a malformed clientId',
      status: 400,
      code: 'Request_BadRequest',
      send: async () =>
        f.asAdmin('POST', '/oauth2PermissionGrants', {
          clientId: '../applications',
          consentType: 'AllPrincipals',
          resourceId: await graphPrincipalId(),
          scope: 'User.Read',
        }),
    },
    {
      name: 'grant naming no service principal',
      status: 400,
      code: 'Request_BadRequest',
      send: async () =>
        f.asAdmin('POST', '/oauth2PermissionGrants', {
          clientId: randomUUID(),
          consentType: 'AllPrincipals',
          resourceId: await graphPrincipalId(),
          scope: 'User.Read',
        }),
    },
    {
      name: 'grant with an unknown property',
      status: 400,
      code: 'BadRequest',
      send: async ({ app }) =>
        f.asAdmin('POST', '/oauth2PermissionGrants', {
          clientId: app.spId,
          resourceId: await graphPrincipalId(),
          scope: 'User.Read',
          roles: ['Directory.ReadWrite.All'],
        }),
    },
    {
      name: 'get an unknown grant id',
      status: 404,
      code: 'Request_ResourceNotFound',
      send: () => f.asAdmin('GET', `/oauth2PermissionGrants/${randomUUID()}`),
    },
    {
      name: 'patch a malformed grant id',
      status: 400,
      code: 'Request_BadRequest',
      send: () => f.asAdmin('PATCH', `/oauth2PermissionGrants/a%20b'`, { scope: 'x' }),
    },
    {
      name: 'delete an unknown grant id',
      status: 404,
      code: 'Request_ResourceNotFound',
      send: () => f.asAdmin('DELETE', `/oauth2PermissionGrants/${randomUUID()}`),
    },
    {
      name: 'checkMemberGroups on a malformed id',
      status: 400,
      code: 'Request_BadRequest',
      send: () =>
        f.asAdmin('POST', '/directoryObjects/1%3D1/checkMemberGroups', { groupIds: [randomUUID()] }),
    },
    {
      name: 'checkMemberGroups with 21 group ids',
      status: 400,
      code: 'Request_BadRequest',
      send: ({ app }) =>
        f.asAdmin('POST', `/directoryObjects/${app.spId}/checkMemberGroups`, {
          groupIds: Array.from({ length: 21 }, () => randomUUID()),
        }),
    },
    {
      name: 'getMemberGroups of an unknown object',
      status: 404,
      code: 'Request_ResourceNotFound',
      send: () =>
        f.asAdmin('POST', `/directoryObjects/${randomUUID()}/getMemberGroups`, {
          securityEnabledOnly: false,
        }),
    },
    {
      name: 'getByIds with an unknown type',
      status: 400,
      code: 'Request_BadRequest',
      send: ({ app }) =>
        f.asAdmin('POST', '/directoryObjects/getByIds', { ids: [app.spId], types: ['user'] }),
    },
    {
      name: 'consent by an identity without AppRoleAssignment.ReadWrite.All',
      status: 403,
      code: 'Authorization_RequestDenied',
      send: async ({ app }) =>
        consent(
          app.appId,
          await f.workloadToken(['Application.ReadWrite.All'], { scope: `${PORTAL_APP_ID}/.default` }),
        ),
    },
    {
      name: 'consent with a Graph token instead of a portal one',
      status: 401,
      code: 'InvalidAuthenticationToken',
      send: async ({ app }) => consent(app.appId, await f.workloadToken(['AppRoleAssignment.ReadWrite.All'])),
    },
    {
      name: 'consent for a malformed appId',
      status: 400,
      code: 'Request_BadRequest',
      send: async () =>
        consent(
          'abc',
          await f.workloadToken(['AppRoleAssignment.ReadWrite.All'], { scope: `${PORTAL_APP_ID}/.default` }),
        ),
    },
    {
      name: 'consent without onBehalfOfAll=true',
      status: 400,
      code: 'Request_BadRequest',
      send: async ({ app }) =>
        consent(
          app.appId,
          await f.workloadToken(['AppRoleAssignment.ReadWrite.All'], { scope: `${PORTAL_APP_ID}/.default` }),
          '?onBehalfOfAll=false',
        ),
    },
  ];

  /** What a case could have changed: the app's secrets and roles, the tenant's grants. */
  const snapshot = async (app: { id: string; spId: string }) => ({
    secrets: (await f.asAdmin('GET', `/applications/${app.id}?$select=passwordCredentials`)).body[
      'passwordCredentials'
    ],
    roles: (await f.asAdmin('GET', `/servicePrincipals/${app.spId}/appRoleAssignments`)).body.value,
    grants: (await f.asAdmin('GET', '/oauth2PermissionGrants')).body.value,
  });

  for (const { name, status, code, send, message } of cases) {
    test(name, async () => {
      const app = await clientApp(`bad-${randomUUID().slice(0, 8)}`);
      const added = await f.asAdmin('POST', `/applications/${app.id}/addPassword`, {});
      const before = await snapshot(app);
      const answer = await send({ app, keyId: added.body['keyId'] as string });
      assert.equal(answer.status, status, JSON.stringify(answer.body));
      assert.equal(answer.body.error?.code, code, answer.body.error?.message);
      if (message) assert.match(answer.body.error?.message ?? '', message);
      assert.ok(answer.body.error?.innerError?.['request-id']);
      assert.deepEqual(await snapshot(app), before);
    });
  }
});
