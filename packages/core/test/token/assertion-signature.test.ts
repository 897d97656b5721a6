import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { describe, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { keyMismatch, verifyAssertionSignature } from '../../src/token/assertion-signature.ts';
import { ASSERTION_ALGORITHMS, type AssertionAlgorithm } from '../../src/token/assertion-structure.ts';

const claims = {
  iss: 'https://issuer.example',
  sub: 'workload',
  aud: 'api://AzureADTokenExchange',
  exp: 2_000_000_000,
};
type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
const keyPairs = new Map<AssertionAlgorithm, KeyPair>();
async function keyPairFor(alg: AssertionAlgorithm): Promise<KeyPair> {
  let pair = keyPairs.get(alg);
  if (!pair) {
    pair = await generateKeyPair(alg, { extractable: true });
    keyPairs.set(alg, pair);
  }
  return pair;
}
const signWith = (alg: AssertionAlgorithm, pair: KeyPair) =>
  new SignJWT(claims).setProtectedHeader({ alg, kid: 'k1' }).sign(pair.privateKey);

describe('verifyAssertionSignature agrees with jose for every allowed algorithm', () => {
  for (const alg of ASSERTION_ALGORITHMS) {
    test(`${alg}: valid signature verifies; tampered payload and another key do not`, async () => {
      const pair = await keyPairFor(alg);
      const token = await signWith(alg, pair);
      assert.equal(await verifyAssertionSignature(token, alg, pair.publicKey), true);
      const [h, , s] = token.split('.');
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'attacker' })).toString('base64url')}.${s}`;
      assert.equal(await verifyAssertionSignature(tampered, alg, pair.publicKey), false);
      const other = await generateKeyPair(alg, { extractable: true });
      assert.equal(await verifyAssertionSignature(token, alg, other.publicKey), false);
    });
  }
});

describe('a key is only used with the algorithm family it fits', () => {
  const cases: Array<[string, AssertionAlgorithm, AssertionAlgorithm, RegExp]> = [
    ['EC P-256 key for RS256', 'RS256', 'ES256', /cannot verify RS256/],
    ['RSA key for ES256', 'ES256', 'RS256', /cannot verify ES256/],
    ['P-384 key for ES256', 'ES256', 'ES384', /needs a prime256v1 key/],
    ['P-256 key for ES512', 'ES512', 'ES256', /needs a secp521r1 key/],
  ];
  for (const [name, alg, keyAlg, reason] of cases) {
    test(name, async () => {
      const pair = await keyPairFor(keyAlg);
      assert.match(keyMismatch(alg, pair.publicKey) ?? '', reason);
      const token = await signWith(keyAlg, pair);
      assert.equal(await verifyAssertionSignature(token, alg, pair.publicKey), false);
    });
  }

  test('a private key is refused as a verification key', async () => {
    const pair = await keyPairFor('RS256');
    assert.match(keyMismatch('RS256', pair.privateKey) ?? '', /not a public key/);
  });

  test('RS256 and PS256 are not interchangeable on the same RSA key', async () => {
    const pair = await keyPairFor('RS256');
    const token = await signWith('RS256', pair);
    const [h, p, s] = token.split('.');
    const relabelled = `${Buffer.from(JSON.stringify({ alg: 'PS256', kid: 'k1' })).toString('base64url')}.${p}.${s}`;
    assert.equal(keyMismatch('PS256', pair.publicKey), undefined);
    assert.equal(await verifyAssertionSignature(relabelled, 'PS256', pair.publicKey), false);
    assert.equal(await verifyAssertionSignature(`${h}.${p}.${s}`, 'RS256', pair.publicKey), true);
  });
});

describe('malformed ECDSA signatures are refused (psychic signatures, CVE-2022-21449)', () => {
  const variants: Array<[string, (pairSigned: string) => Buffer]> = [
    ['r = s = 0', () => Buffer.alloc(64, 0)],
    [
      'r = s = n (the group order)',
      () => {
        const n = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');
        return Buffer.concat([n, n]);
      },
    ],
    ['r = 0, s = 1', () => Buffer.concat([Buffer.alloc(32, 0), Buffer.from(`${'00'.repeat(31)}01`, 'hex')])],
    ['63 bytes (truncated)', (signed) => Buffer.from(signed, 'base64url').subarray(0, 63)],
    [
      'DER instead of r‖s',
      (signed) => {
        void signed;
        return Buffer.alloc(70, 0x30);
      },
    ],
    ['empty', () => Buffer.alloc(0)],
  ];
  for (const [name, makeSignature] of variants) {
    test(name, async () => {
      const pair = await keyPairFor('ES256');
      const token = await signWith('ES256', pair);
      const [h, p, s] = token.split('.') as [string, string, string];
      const forged = `${h}.${p}.${makeSignature(s).toString('base64url')}`;
      assert.equal(await verifyAssertionSignature(forged, 'ES256', pair.publicKey), false);
    });
  }

  test('a DER-encoded ECDSA signature over the right input is still refused', async () => {
    const pair = await keyPairFor('ES256');
    const token = await signWith('ES256', pair);
    const [h, p] = token.split('.') as [string, string];
    const privateKey = createPrivateKey({ key: await exportJWK(pair.privateKey), format: 'jwk' });
    const der = nodeSign('sha256', Buffer.from(`${h}.${p}`), privateKey);
    assert.equal(
      await verifyAssertionSignature(`${h}.${p}.${der.toString('base64url')}`, 'ES256', pair.publicKey),
      false,
    );
  });
});
