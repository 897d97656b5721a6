import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { CredlessError, type ErrorCode } from '@credless/core';
import { exportJWK, generateKeyPair } from 'jose';
import { describeEachStore } from './store-suite.ts';

const START = Date.UTC(2026, 0, 1);
const GITHUB = 'https://token.actions.githubusercontent.com';
const CLUSTER = 'https://kubernetes.default.svc.cluster.local';

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, params: Record<string, unknown> = {}) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CredlessError, `expected CredlessError ${code}, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const [key, value] of Object.entries(params)) {
      if (value instanceof RegExp) assert.match(String(error.params[key]), value, `param ${key}`);
      else assert.equal(error.params[key], value, `param ${key}`);
    }
    return true;
  });
}

async function publicJwk(alg: 'RS256' | 'ES256', kid: string) {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return {
    public: { ...(await exportJWK(publicKey)), kid },
    private: { ...(await exportJWK(privateKey)), kid },
  };
}

await describeEachStore('issuer policies', (target) => {
  async function setup() {
    let now = START;
    const store = await target.openStore({ now: () => (now += 1000) });
    const tenant = await store.createTenant({ defaultDomain: 'contoso.test', displayName: 'Contoso' });
    const app = await store.createApplication(tenant.id, { displayName: 'deployer' });
    return { store, tenantId: tenant.id, appId: app.id };
  }

  test('a tenant starts with mode off, the guard on and no trusted issuers; the mode can change', async () => {
    const { store, tenantId } = await setup();
    assert.deepEqual(await store.getIssuerPolicy(tenantId), {
      tenantId,
      mode: 'off',
      sharedIssuerGuard: true,
      trustedIssuers: [],
    });
    const before = await store.getDirectoryVersion();
    const updated = await store.updateIssuerPolicy(tenantId, { mode: 'enforce' });
    assert.equal(updated.mode, 'enforce');
    assert.equal(updated.sharedIssuerGuard, true);
    assert.ok((await store.getDirectoryVersion()) > before, 'a policy write is a directory change');
    const optedOut = await store.updateIssuerPolicy(tenantId, { sharedIssuerGuard: false });
    assert.deepEqual([optedOut.mode, optedOut.sharedIssuerGuard], ['enforce', false]);
    assert.deepEqual(await store.getIssuerPolicy(tenantId), optedOut);
    await rejectsWith(store.updateIssuerPolicy(tenantId, { mode: 'strict' as never }), 'invalid_value', {
      field: 'mode',
    });
    await rejectsWith(store.updateIssuerPolicy('no-such-tenant', { mode: 'audit' }), 'not_found');
  });

  test('trusted issuers: add, change one setting keeping the others, remove', async () => {
    const { store, tenantId } = await setup();
    const added = await store.upsertTrustedIssuer(tenantId, {
      issuer: GITHUB,
      maxAssertionLifetimeSeconds: 600,
      clockSkewSeconds: 10,
    });
    assert.deepEqual(added, {
      issuer: GITHUB,
      maxAssertionLifetimeSeconds: 600,
      clockSkewSeconds: 10,
      pinnedJwks: null,
      pinnedJwksUpdatedAt: null,
    });
    const changed = await store.upsertTrustedIssuer(tenantId, { issuer: GITHUB, clockSkewSeconds: 0 });
    assert.deepEqual([changed.maxAssertionLifetimeSeconds, changed.clockSkewSeconds], [600, 0]);
    const cleared = await store.upsertTrustedIssuer(tenantId, {
      issuer: GITHUB,
      maxAssertionLifetimeSeconds: null,
    });
    assert.equal(cleared.maxAssertionLifetimeSeconds, null);
    assert.deepEqual((await store.getIssuerPolicy(tenantId)).trustedIssuers, [cleared]);

    await rejectsWith(
      store.upsertTrustedIssuer(tenantId, { issuer: 'http://plain.example' }),
      'invalid_value',
      {
        field: 'issuer',
      },
    );
    for (const [field, value] of [
      ['maxAssertionLifetimeSeconds', 0],
      ['maxAssertionLifetimeSeconds', 1.5],
      ['clockSkewSeconds', -1],
      ['clockSkewSeconds', 601],
    ] as const) {
      await rejectsWith(
        store.upsertTrustedIssuer(tenantId, { issuer: GITHUB, [field]: value }),
        'invalid_value',
        {
          field,
        },
      );
    }
    await store.deleteTrustedIssuer(tenantId, GITHUB);
    assert.deepEqual((await store.getIssuerPolicy(tenantId)).trustedIssuers, []);
    await rejectsWith(store.deleteTrustedIssuer(tenantId, GITHUB), 'not_found');
  });

  test('pinned JWKS: public RSA and EC keys are stored; a new upload replaces the set', async () => {
    const { store, tenantId } = await setup();
    const rsa = await publicJwk('RS256', 'rsa-1');
    const ec = await publicJwk('ES256', 'ec-1');
    const first = await store.upsertTrustedIssuer(tenantId, {
      issuer: CLUSTER,
      pinnedJwks: { keys: [rsa.public, ec.public] },
    });
    assert.deepEqual(
      first.pinnedJwks?.keys.map((key) => [key['kid'], key['kty']]),
      [
        ['rsa-1', 'RSA'],
        ['ec-1', 'EC'],
      ],
    );
    assert.ok(first.pinnedJwksUpdatedAt);
    const rotated = await publicJwk('RS256', 'rsa-2');
    const second = await store.upsertTrustedIssuer(tenantId, {
      issuer: CLUSTER,
      pinnedJwks: { keys: [rotated.public] },
    });
    assert.deepEqual(
      second.pinnedJwks?.keys.map((key) => key['kid']),
      ['rsa-2'],
    );
    assert.ok((second.pinnedJwksUpdatedAt ?? 0) > (first.pinnedJwksUpdatedAt ?? 0));
    // Changing another setting keeps the pinned set.
    const kept = await store.upsertTrustedIssuer(tenantId, { issuer: CLUSTER, clockSkewSeconds: 5 });
    assert.deepEqual(kept.pinnedJwks, second.pinnedJwks);
    const unpinned = await store.upsertTrustedIssuer(tenantId, { issuer: CLUSTER, pinnedJwks: null });
    assert.deepEqual([unpinned.pinnedJwks, unpinned.pinnedJwksUpdatedAt], [null, null]);
  });

  test('pinned JWKS: private members, symmetric keys, unusable keys and junk are refused', async () => {
    const { store, tenantId } = await setup();
    const rsa = await publicJwk('RS256', 'rsa-1');
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const cases: Array<[unknown, RegExp]> = [
      [{ keys: [rsa.private] }, /private key material/],
      [{ keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' }] }, /symmetric/],
      [{ keys: [rsa.public, { ...weak, kid: 'weak' }] }, /1 key\(s\) are unusable/],
      [{ keys: [] }, /no usable signing key/],
      ['not a jwks', /no keys array/],
    ];
    for (const [document, reason] of cases) {
      await rejectsWith(
        store.upsertTrustedIssuer(tenantId, { issuer: CLUSTER, pinnedJwks: document }),
        'invalid_value',
        {
          field: 'pinnedJwks',
          reason,
        },
      );
    }
    assert.deepEqual((await store.getIssuerPolicy(tenantId)).trustedIssuers, []);
  });

  test('credential creation: the shared-issuer guard is on by default and can be switched off', async () => {
    const { store, tenantId, appId } = await setup();
    await rejectsWith(
      store.createFederatedIdentityCredential(tenantId, appId, {
        name: 'any-repo',
        issuer: GITHUB,
        subject: 'repo:*',
      }),
      'fic_shared_issuer_unpinned',
      { issuer: GITHUB, hint: /repo:<owner>\// },
    );
    await rejectsWith(
      store.createFederatedIdentityCredential(tenantId, appId, {
        name: 'any-org',
        issuer: GITHUB,
        claimsMatchingExpression: { value: "claims['sub'] matches 'repo:*'", languageVersion: 1 },
      }),
      'fic_shared_issuer_unpinned',
    );
    await store.createFederatedIdentityCredential(tenantId, appId, {
      name: 'pinned',
      issuer: GITHUB,
      subject: 'repo:contoso/web:ref:refs/heads/main',
    });
    // Graph's PATCH cannot unpin it either.
    await rejectsWith(
      store.updateFederatedIdentityCredential(tenantId, appId, 'pinned', { subject: 'repo:*/web' }),
      'fic_shared_issuer_unpinned',
    );
    await store.updateIssuerPolicy(tenantId, { sharedIssuerGuard: false });
    await store.createFederatedIdentityCredential(tenantId, appId, {
      name: 'any-repo',
      issuer: GITHUB,
      subject: 'repo:*',
    });
  });

  test('credential creation: enforce refuses unlisted issuers, audit and off allow them', async () => {
    const { store, tenantId, appId } = await setup();
    await store.updateIssuerPolicy(tenantId, { mode: 'enforce' });
    await rejectsWith(
      store.createFederatedIdentityCredential(tenantId, appId, {
        name: 'cluster',
        issuer: CLUSTER,
        subject: 'system:serviceaccount:a:b',
      }),
      'fic_issuer_not_trusted',
      { issuer: CLUSTER },
    );
    await store.upsertTrustedIssuer(tenantId, { issuer: CLUSTER });
    await store.createFederatedIdentityCredential(tenantId, appId, {
      name: 'cluster',
      issuer: CLUSTER,
      subject: 'system:serviceaccount:a:b',
    });
    // Trusted or not, a shared issuer still needs an owner.
    await store.upsertTrustedIssuer(tenantId, { issuer: GITHUB });
    await rejectsWith(
      store.createFederatedIdentityCredential(tenantId, appId, {
        name: 'github',
        issuer: GITHUB,
        subject: 'repo:*',
      }),
      'fic_shared_issuer_unpinned',
    );
    for (const mode of ['audit', 'off'] as const) {
      await store.updateIssuerPolicy(tenantId, { mode });
      await store.createFederatedIdentityCredential(tenantId, appId, {
        name: `other-${mode}`,
        issuer: `https://${mode}.example.com`,
        subject: 'anything',
      });
    }
  });

  test('policy writes reach the change hook (the in-process cache invalidation)', async () => {
    const { store, tenantId } = await setup();
    const changes: string[] = [];
    store.onDirectoryChange((change) => {
      changes.push(change.aggregate);
    });
    await store.updateIssuerPolicy(tenantId, { mode: 'audit' });
    await store.upsertTrustedIssuer(tenantId, { issuer: CLUSTER });
    await store.deleteTrustedIssuer(tenantId, CLUSTER);
    await store.getIssuerPolicy(tenantId);
    assert.deepEqual(changes, ['issuerPolicies', 'issuerPolicies', 'issuerPolicies']);
  });
});
