import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type AccessTokenClaimsInput,
  authorityUrls,
  buildAccessTokenClaims,
} from '../../src/token/access-token-claims.ts';

const TENANT = 'aaaaaaaa-0000-0000-0000-000000000001';
const BASE = 'https://localhost:8443';
const CLIENT = {
  appId: 'bbbbbbbb-0000-0000-0000-000000000002',
  displayName: 'payments-worker',
  servicePrincipalId: 'cccccccc-0000-0000-0000-000000000003',
};

function input(overrides: Partial<AccessTokenClaimsInput> = {}): AccessTokenClaimsInput {
  return {
    version: 1,
    baseUrl: BASE,
    tenantId: TENANT,
    audience: 'https://graph.microsoft.com',
    client: CLIENT,
    roles: ['User.Read.All', 'Group.Read.All'],
    issuedAt: 1_780_000_000,
    lifetimeSeconds: 3600,
    uti: 'uti-123',
    ...overrides,
  };
}

describe('authorityUrls', () => {
  test('v1 issuer ends with a slash, v2 with /v2.0', () => {
    assert.deepEqual(authorityUrls(BASE, TENANT), {
      v1Issuer: `${BASE}/${TENANT}/`,
      v2Issuer: `${BASE}/${TENANT}/v2.0`,
    });
  });
});

describe('buildAccessTokenClaims', () => {
  test('v1 claim set, exactly', () => {
    const claims = buildAccessTokenClaims(input());
    assert.deepEqual(claims, {
      aud: 'https://graph.microsoft.com',
      iss: `${BASE}/${TENANT}/`,
      iat: 1_780_000_000,
      nbf: 1_780_000_000,
      exp: 1_780_003_600,
      app_displayname: 'payments-worker',
      appid: CLIENT.appId,
      appidacr: '2',
      idp: `${BASE}/${TENANT}/`,
      idtyp: 'app',
      oid: CLIENT.servicePrincipalId,
      sub: CLIENT.servicePrincipalId,
      roles: ['User.Read.All', 'Group.Read.All'],
      tid: TENANT,
      uti: 'uti-123',
      ver: '1.0',
    });
    // Entra's order, so tokens read the same when decoded side by side.
    assert.deepEqual(Object.keys(claims), [
      'aud',
      'iss',
      'iat',
      'nbf',
      'exp',
      'app_displayname',
      'appid',
      'appidacr',
      'idp',
      'idtyp',
      'oid',
      'sub',
      'roles',
      'tid',
      'uti',
      'ver',
    ]);
  });

  test('v2 claim set, exactly', () => {
    const claims = buildAccessTokenClaims(
      input({ version: 2, audience: 'dddddddd-0000-0000-0000-000000000004', lifetimeSeconds: 5400 }),
    );
    assert.deepEqual(claims, {
      aud: 'dddddddd-0000-0000-0000-000000000004',
      iss: `${BASE}/${TENANT}/v2.0`,
      iat: 1_780_000_000,
      nbf: 1_780_000_000,
      exp: 1_780_005_400,
      azp: CLIENT.appId,
      azpacr: '2',
      idtyp: 'app',
      oid: CLIENT.servicePrincipalId,
      sub: CLIENT.servicePrincipalId,
      roles: ['User.Read.All', 'Group.Read.All'],
      tid: TENANT,
      uti: 'uti-123',
      ver: '2.0',
    });
    assert.deepEqual(Object.keys(claims), [
      'aud',
      'iss',
      'iat',
      'nbf',
      'exp',
      'azp',
      'azpacr',
      'idtyp',
      'oid',
      'sub',
      'roles',
      'tid',
      'uti',
      'ver',
    ]);
  });

  for (const version of [1, 2] as const) {
    test(`v${version}: roles is omitted, not empty, when no role is held`, () => {
      const claims = buildAccessTokenClaims(input({ version, roles: [] }));
      assert.equal('roles' in claims, false);
    });

    test(`v${version}: no user or secret-ish claims`, () => {
      const claims = buildAccessTokenClaims(input({ version }));
      for (const absent of ['scp', 'upn', 'name', 'email', 'preferred_username', 'nonce', 'acr']) {
        assert.equal(absent in claims, false, absent);
      }
    });
  }

  test('roles are copied, not shared with the input', () => {
    const roles = ['A'];
    const claims = buildAccessTokenClaims(input({ roles }));
    roles.push('B');
    assert.deepEqual(claims['roles'], ['A']);
  });
});
