/**
 * The "Bad input" list against a real credless through the Graph API of a CLI session: each
 * gives a precise error and exit code, and the directory is unchanged afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GRAPH_APP_ID } from '@credless/core';
import {
  graphAddPermission,
  graphCreateFederatedCredential,
  graphListFederatedCredentials,
  graphListPermissions,
} from '../../src/commands/az/graph-credentials.ts';
import { graphCreateApplication, graphListApplications } from '../../src/commands/az/graph-objects.ts';
import { type RestOptions, rest } from '../../src/commands/az/rest.ts';
import { readJsonParameter } from '../../src/commands/parameters.ts';
import { exitCodeFor } from '../../src/exit-codes.ts';
import { login } from '../../src/session/login.ts';
import { type AzFixture, startAzFixture } from './az-fixture.ts';

async function failure(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { code: exitCodeFor(error), message: (error as Error).message };
  }
  assert.fail('expected the command to fail');
}

describe('bad input gives a precise error and changes nothing', () => {
  let f: AzFixture;
  let appId: string;
  const FIC = {
    name: 'main',
    issuer: 'https://token.actions.githubusercontent.com',
    subject: 'repo:contoso/app:ref:refs/heads/main',
  };
  const credentialNames = async () =>
    (await graphListFederatedCredentials(f.api, appId)).map((c) => c['name']);

  before(async () => {
    f = await startAzFixture();
    appId = String((await graphCreateApplication(f.api, { displayName: 'bad-input' }))['appId']);
    await graphCreateFederatedCredential(f.api, appId, FIC);
  });
  after(async () => f.close());

  const cases: Array<[string, Record<string, unknown>, number, RegExp]> = [
    [
      'an unknown field',
      { ...FIC, name: 'typo', subjet: 'x' },
      2,
      /--parameters: unknown field 'subjet' \(allowed: name, issuer/,
    ],
    ['a wrong type', { ...FIC, name: 'typed', issuer: 42 }, 2, /Invalid value for 'issuer'/],
    [
      'audiences not an array',
      { ...FIC, name: 'aud', audiences: 'api://AzureADTokenExchange' },
      2,
      /'audiences': must be an array/,
    ],
    ['an oversized subject', { ...FIC, name: 'long', subject: 's'.repeat(601) }, 2, /'subject'.*600/],
    [
      'an oversized description',
      { ...FIC, name: 'desc', description: 'd'.repeat(601) },
      2,
      /'description': must be at most 600 characters/,
    ],
    ['an invalid name', { ...FIC, name: 'bad name!' }, 2, /'name': 'bad name!' must be 3-120 characters/],
    ['a name starting with -', { ...FIC, name: '-lead' }, 2, /'name'/],
    ['neither subject nor expression', { name: 'nosub', issuer: FIC.issuer }, 2, /subject/],
    [
      'different content under an existing name',
      { ...FIC, subject: 'repo:contoso/app:ref:refs/heads/dev', description: 'x' },
      4,
      /federated credential 'main' already exists on application .* with a different subject, description; delete it first/,
    ],
    [
      'the same issuer and subject under another name',
      { ...FIC, name: 'copy' },
      2,
      /already exists on this application \(as 'main'\)/,
    ],
  ];
  for (const [what, parameters, code, message] of cases) {
    test(`federated-credential create with ${what} → exit ${code}`, async () => {
      const result = await failure(graphCreateFederatedCredential(f.api, appId, parameters));
      assert.match(result.message, message);
      assert.equal(result.code, code, result.message);
      assert.deepEqual(await credentialNames(), ['main']);
    });
  }

  test('a 21st credential under the default limit (20) → exit 2; still 20', async () => {
    for (let i = 2; i <= 20; i++) {
      await graphCreateFederatedCredential(f.api, appId, {
        ...FIC,
        name: `cred-${i}`,
        subject: `repo:contoso/app:environment:e${i}`,
      });
    }
    assert.equal((await credentialNames()).length, 20);
    const result = await failure(
      graphCreateFederatedCredential(f.api, appId, {
        ...FIC,
        name: 'cred-21',
        subject: 'repo:contoso/app:environment:e21',
      }),
    );
    assert.equal(result.code, 2);
    assert.match(result.message, /already has 20 federated identity credentials, the configured maximum/);
    assert.equal((await credentialNames()).length, 20);
    // The same content as an existing one is still fine at the limit (idempotent).
    await graphCreateFederatedCredential(f.api, appId, FIC);
  });

  test('a malformed --parameters file names the file → exit 2', async () => {
    const path = await f.file('broken.json', '{"name": "x", ');
    const result = await failure(readJsonParameter(`@${path}`));
    assert.equal(result.code, 2);
    assert.match(result.message, new RegExp(`--parameters: ${path} is not valid JSON`));
    const missing = await failure(readJsonParameter('@/nonexistent/fic.json'));
    assert.match(missing.message, /--parameters: cannot read \/nonexistent\/fic.json: ENOENT/);
  });

  test('permission add with a role Graph does not have → exit 2; nothing requested', async () => {
    const result = await failure(
      graphAddPermission(f.api, {
        id: appId,
        api: GRAPH_APP_ID,
        apiPermissions: [
          'df021288-bdef-4463-88db-98f22de89214=Role',
          '11111111-1111-1111-1111-111111111111=Role',
        ],
      }),
    );
    assert.equal(result.code, 2);
    assert.match(
      result.message,
      /'11111111-1111-1111-1111-111111111111' is not an application role of Microsoft Graph/,
    );
    assert.deepEqual(await graphListPermissions(f.api, appId), []);
    for (const [entry, message] of [
      ['df021288-bdef-4463-88db-98f22de89214', /must look like <permission id>=Role/],
      ['df021288-bdef-4463-88db-98f22de89214=Scope', /delegated permission/],
    ] as const) {
      const bad = await failure(
        graphAddPermission(f.api, { id: appId, api: GRAPH_APP_ID, apiPermissions: [entry] }),
      );
      assert.equal(bad.code, 2);
      assert.match(bad.message, message);
    }
  });

  test('unknown ids → exit 3 naming them', async () => {
    const result = await failure(
      graphListFederatedCredentials(f.api, '00000000-0000-0000-0000-00000000abcd'),
    );
    assert.equal(result.code, 3);
    assert.match(result.message, /application '00000000-0000-0000-0000-00000000abcd' does not exist/);
  });

  test('rest: a body that is not JSON, a foreign host, a bad method → exit 2 before any request', async () => {
    const before = (await graphListApplications(f.api)).length;
    for (const [options, message] of [
      [
        { method: 'post', uri: '/applications', body: '{displayName:' },
        /--body: the inline value is not valid JSON/,
      ],
      [
        { method: 'post', uri: 'https://example.com/v1.0/applications', body: '{}' },
        /https:\/\/example.com is not the credless Graph API/,
      ],
      [{ method: 'fetch', uri: '/applications' }, /--method: 'fetch' is not one of/],
      [
        { method: 'get', uri: '/applications', headers: ['Authorization=Bearer x'] },
        /--headers: Authorization is set from the session/,
      ],
    ] as Array<[RestOptions, RegExp]>) {
      const result = await failure(rest(f.api, options));
      assert.equal(result.code, 2, result.message);
      assert.match(result.message, message);
    }
    assert.equal((await graphListApplications(f.api)).length, before);
  });

  test("rest: Graph's own 400 for an unknown property → exit 2 with Graph's message", async () => {
    const uri = `https://graph.microsoft.com/v1.0/applications(appId='${appId}')/federatedIdentityCredentials`;
    const result = await failure(
      rest(f.api, { method: 'post', uri, body: JSON.stringify({ ...FIC, name: 'x1', color: 'red' }) }),
    );
    assert.equal(result.code, 2);
    assert.match(
      result.message,
      /Property 'color' does not exist on type 'microsoft.graph.federatedIdentityCredential'/,
    );
    assert.equal((await credentialNames()).includes('x1'), false);
  });

  test('login: a secret, a missing flag, a malformed token, a token no credential accepts', async () => {
    const base = {
      authority: f.credless.url,
      dataDir: f.credless.dataDir,
      configDir: `${f.dir}/login-bad`,
      env: {},
    };
    const sp = { ...base, servicePrincipal: true, username: appId, tenant: f.credless.tenantId };
    const missing = await failure(login({ ...sp }));
    assert.equal(missing.code, 2);
    assert.match(missing.message, /--service-principal needs --federated-token/);
    const malformed = await failure(login({ ...sp, federatedToken: 'not-a-jwt' }));
    assert.equal(malformed.code, 2);
    assert.match(malformed.message, /--federated-token: not a JWT/);
    const refused = await failure(
      login({ ...sp, federatedToken: await f.federatedToken('repo:someone/else:ref:refs/heads/main') }),
    );
    assert.equal(refused.code, 1);
    assert.match(
      refused.message,
      /^login failed: AADSTS700211: No matching federated identity record found for presented assertion issuer/,
    );
  });
});

describe('session expiry', () => {
  let f: AzFixture;
  before(async () => {
    f = await startAzFixture();
  });
  after(async () => f.close());

  test("an expired local administrator token is renewed silently; a federated login's is not", async () => {
    const { readSession, writeSession } = await import('../../src/session/session-store.ts');
    const { openGraphApi } = await import('../../src/session/graph-api.ts');
    const location = { configDir: f.configDir };
    const stored = await readSession(location);
    assert.ok(stored);
    const past = new Date(Date.now() - 1000).toISOString();
    await writeSession({ ...stored, accessToken: 'expired', expiresOn: past }, location);
    const api = await openGraphApi(location);
    const organization = await api?.call<{ value: unknown[] }>('GET', '/organization');
    assert.equal(organization?.value.length, 1);
    const renewed = await readSession(location);
    assert.notEqual(renewed?.accessToken, 'expired');
    assert.ok(Date.parse(String(renewed?.expiresOn)) > Date.now());

    await writeSession(
      { ...stored, kind: 'service-principal', accessToken: 'expired', expiresOn: past },
      location,
    );
    const federated = await openGraphApi(location);
    const result = await failure(federated?.call('GET', '/organization') ?? Promise.resolve());
    assert.equal(result.code, 1);
    assert.match(
      result.message,
      /the session of .* expired at .*; log in again with a fresh federated token/,
    );
  });
});
