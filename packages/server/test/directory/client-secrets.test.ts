/**
 * Client secret hashing and the token path's verifier: scrypt hashes with a per-secret salt; a verified
 * secret is remembered only while the application still holds that same, current credential.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Application, StoredPasswordCredential } from '@credless/core';
import {
  CachedClientSecretVerifier,
  generateClientSecret,
  hashClientSecret,
  verifyClientSecretHash,
} from '../../src/directory/client-secrets.ts';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const HOUR = 3_600_000;

async function credential(
  secret: string,
  keyId: string,
  end = NOW + HOUR,
): Promise<StoredPasswordCredential> {
  return {
    keyId,
    displayName: null,
    hint: secret.slice(0, 3),
    startDateTime: new Date(NOW - HOUR).toISOString(),
    endDateTime: new Date(end).toISOString(),
    secretHash: await hashClientSecret(secret),
  };
}

const application = (passwordCredentials: StoredPasswordCredential[]) =>
  ({ id: 'app-object-id', passwordCredentials }) as unknown as Application;

describe('client secret hashes', () => {
  test('a secret verifies against its own hash only; salts differ', async () => {
    const { secretText, hint } = generateClientSecret();
    assert.equal(secretText.length, 40);
    assert.equal(hint, secretText.slice(0, 3));
    const first = await hashClientSecret(secretText);
    const second = await hashClientSecret(secretText);
    assert.notEqual(first, second, 'a fresh salt per hash');
    assert.match(first, /^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    assert.ok(!first.includes(secretText));
    assert.equal(await verifyClientSecretHash(secretText, first), true);
    assert.equal(await verifyClientSecretHash(`${secretText}x`, first), false);
    for (const malformed of ['', 'bcrypt$x', 'scrypt$16384$8$1$c2FsdA$c2hvcnQ']) {
      assert.equal(await verifyClientSecretHash(secretText, malformed), false, malformed);
    }
  });
});

describe('CachedClientSecretVerifier', () => {
  test('finds the matching current credential among several', async () => {
    const verifier = new CachedClientSecretVerifier();
    const app = application([await credential('abcOne', 'k1'), await credential('xyzTwo', 'k2')]);
    assert.equal((await verifier.verify(app, 'xyzTwo', NOW))?.keyId, 'k2');
    assert.equal(await verifier.verify(app, 'xyzThree', NOW), undefined);
  });

  test('an expired or removed credential no longer verifies, even once remembered', async () => {
    const verifier = new CachedClientSecretVerifier();
    const current = await credential('abcOne', 'k1');
    assert.equal((await verifier.verify(application([current]), 'abcOne', NOW))?.keyId, 'k1');
    assert.equal(
      await verifier.verify(application([current]), 'abcOne', NOW + 2 * HOUR),
      undefined,
      'expired',
    );
    assert.equal(await verifier.verify(application([]), 'abcOne', NOW), undefined, 'removed');
    // Same keyId, new secret (a replaced credential): the remembered one does not carry over.
    const replaced = { ...(await credential('abcNew', 'k1')) };
    assert.equal(await verifier.verify(application([replaced]), 'abcOne', NOW), undefined);
    assert.equal((await verifier.verify(application([replaced]), 'abcNew', NOW))?.keyId, 'k1');
  });

  test('a remembered secret is answered without scrypt', async () => {
    const verifier = new CachedClientSecretVerifier();
    const stored = await credential('abcOne', 'k1');
    const app = application([stored]);
    await verifier.verify(app, 'abcOne', NOW);
    const started = performance.now();
    for (let i = 0; i < 200; i++) assert.ok(await verifier.verify(app, 'abcOne', NOW));
    // 200 scrypt runs would take seconds; remembered answers take well under one.
    assert.ok(performance.now() - started < 1000);
  });
});
