import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CredlessError, type IssuerKeys, type PinnedJwks } from '@credless/core';
import { exportJWK, generateKeyPair } from 'jose';
import { PinnedIssuerKeys } from '../../src/issuers/pinned-issuer-keys.ts';

const CLUSTER = 'https://kubernetes.default.svc.cluster.local';

async function keyPair(alg: 'RS256' | 'ES256', kid: string) {
  const { publicKey } = await generateKeyPair(alg, { extractable: true });
  return { publicKey, jwk: { ...(await exportJWK(publicKey)), kid } };
}

const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return undefined;
  } catch (error) {
    assert.ok(error instanceof CredlessError, String(error));
    return error.code;
  }
};

describe('PinnedIssuerKeys', () => {
  async function setup() {
    const rsa = await keyPair('RS256', 'rsa-1');
    const ec = await keyPair('ES256', 'ec-1');
    // Two tenants may pin different keys under one issuer URL (every cluster's default issuer is the same).
    const pinned: Record<string, PinnedJwks | undefined> = {
      'tenant-a': { keys: [rsa.jwk, ec.jwk] },
    };
    const fallbackCalls: Array<{ issuer: string; tenantId: string | undefined }> = [];
    const fallback: IssuerKeys = {
      getVerificationKey: async (issuer, _kid, _alg, context) => {
        fallbackCalls.push({ issuer, tenantId: context?.tenantId });
        throw new CredlessError('external_oidc_failed', { issuer, reason: 'fetched' });
      },
    };
    const keys = new PinnedIssuerKeys({
      fallback,
      pinnedJwks: async (tenantId, issuer) => (issuer === CLUSTER ? pinned[tenantId] : undefined),
    });
    return { keys, pinned, fallbackCalls, rsa, ec };
  }

  test('a pinned tenant gets its pinned key; others go to the fetching fallback', async () => {
    const { keys, fallbackCalls, rsa } = await setup();
    const key = await keys.getVerificationKey(CLUSTER, 'rsa-1', 'RS256', { tenantId: 'tenant-a' });
    assert.deepEqual(await exportJWK(key), await exportJWK(rsa.publicKey));
    assert.deepEqual(fallbackCalls, []);
    assert.equal(
      await codeOf(keys.getVerificationKey(CLUSTER, 'rsa-1', 'RS256', { tenantId: 'tenant-b' })),
      'external_oidc_failed',
    );
    assert.equal(await codeOf(keys.getVerificationKey(CLUSTER, 'rsa-1', 'RS256')), 'external_oidc_failed');
    assert.deepEqual(fallbackCalls, [
      { issuer: CLUSTER, tenantId: 'tenant-b' },
      { issuer: CLUSTER, tenantId: undefined },
    ]);
  });

  test('unknown kids, misfit algorithms and ambiguous kid-less tokens are refused without a fetch', async () => {
    const { keys, fallbackCalls } = await setup();
    const tenant = { tenantId: 'tenant-a' };
    const cases: Array<[string | undefined, string, string]> = [
      ['rotated-away', 'RS256', 'signing_key_not_found'],
      ['rsa-1', 'ES256', 'assertion_signature_invalid'],
      ['ec-1', 'RS256', 'assertion_signature_invalid'],
      ['rsa-1', 'HS256', 'assertion_signature_invalid'],
      [undefined, 'ES384', 'assertion_signature_invalid'],
    ];
    for (const [kid, alg, code] of cases) {
      assert.equal(await codeOf(keys.getVerificationKey(CLUSTER, kid, alg, tenant)), code, `${kid} ${alg}`);
    }
    // Without a kid, exactly one compatible key is fine; two are ambiguous.
    assert.ok(await keys.getVerificationKey(CLUSTER, undefined, 'ES256', tenant));
    const twoRsa = [(await keyPair('RS256', 'rsa-1')).jwk, (await keyPair('RS256', 'rsa-2')).jwk];
    const ambiguous = new PinnedIssuerKeys({
      fallback: keys,
      pinnedJwks: async () => ({ keys: twoRsa }),
    });
    assert.equal(
      await codeOf(ambiguous.getVerificationKey(CLUSTER, undefined, 'RS256', tenant)),
      'assertion_signature_invalid',
    );
    assert.deepEqual(fallbackCalls, []);
  });

  test('a new pinned set (a rotation upload) replaces the old one', async () => {
    const { keys, pinned } = await setup();
    const tenant = { tenantId: 'tenant-a' };
    const first = await keys.getVerificationKey(CLUSTER, 'rsa-1', 'RS256', tenant);
    assert.equal(await keys.getVerificationKey(CLUSTER, 'rsa-1', 'RS256', tenant), first, 'imported once');
    const next = await keyPair('RS256', 'rsa-2');
    pinned['tenant-a'] = { keys: [next.jwk] };
    assert.equal(
      await codeOf(keys.getVerificationKey(CLUSTER, 'rsa-1', 'RS256', tenant)),
      'signing_key_not_found',
    );
    assert.ok(await keys.getVerificationKey(CLUSTER, 'rsa-2', 'RS256', tenant));
  });

  test('a stored set that no longer validates (hand-edited row) fails closed', async () => {
    const { keys, pinned, rsa } = await setup();
    pinned['tenant-a'] = { keys: [{ ...rsa.jwk, d: 'c2VjcmV0' }] };
    assert.equal(
      await codeOf(keys.getVerificationKey(CLUSTER, 'rsa-1', 'RS256', { tenantId: 'tenant-a' })),
      'external_oidc_failed',
    );
  });
});
