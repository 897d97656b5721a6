import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { asReissued, isReusable, tokenReuseKey } from '../../src/index.ts';

const parts = {
  tenantId: 't',
  clientAppId: 'client',
  resource: 'https://graph.microsoft.com',
  resourceAppId: '00000003-0000-0000-c000-000000000000',
  credentialId: 'fic-1',
  issuer: 'https://issuer.example',
  subject: 'system:serviceaccount:a:b',
  roles: ['User.Read.All', 'Group.Read.All'],
};
const issued = {
  accessToken: 'token',
  tokenVersion: 1 as const,
  expiresIn: 3600,
  expiresOn: 1000 + 3600,
  notBefore: 1000,
  resource: 'https://graph.microsoft.com',
};
const policy = { windowSeconds: 5, minRemainingSeconds: 1800 };

describe('token reuse', () => {
  test('identical requests share a key whatever the order of their roles', () => {
    assert.equal(tokenReuseKey(parts), tokenReuseKey({ ...parts, roles: [...parts.roles].reverse() }));
  });

  test('any difference in client, resource, credential, issuer, subject or roles changes the key', () => {
    const variants = [
      { clientAppId: 'other' },
      { resource: 'api://other' },
      { resourceAppId: 'other' },
      { credentialId: 'fic-2' },
      { issuer: 'https://other.example' },
      { subject: 'system:serviceaccount:a:c' },
      { roles: ['User.Read.All'] },
      { tenantId: 'u' },
    ];
    for (const variant of variants)
      assert.notEqual(tokenReuseKey({ ...parts, ...variant }), tokenReuseKey(parts), JSON.stringify(variant));
  });

  test('reusable only inside the window and above the remaining-lifetime floor', () => {
    assert.equal(isReusable(issued, 1000, policy), true);
    assert.equal(isReusable(issued, 1004, policy), true);
    assert.equal(isReusable(issued, 1005, policy), false, 'the window has ended');
    assert.equal(isReusable(issued, 999, policy), false, 'a clock that went back');
    const shortLived = { ...issued, expiresOn: 1000 + 1802 };
    assert.equal(isReusable(shortLived, 1002, policy), true);
    assert.equal(isReusable(shortLived, 1003, policy), false, 'less than the floor left');
  });

  test('a reused token counts its lifetime down from the original expiry', () => {
    assert.equal(asReissued(issued, 1003).expiresIn, 3597);
    assert.equal(asReissued(issued, 1003).accessToken, 'token');
  });
});
