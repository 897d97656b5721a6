import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startTestOidcIssuer, type TestOidcIssuer } from '@credless/testkit';
import { IssuerFetchError } from '../../src/issuers/fetch-capped-json.ts';
import {
  discoveryUrl,
  fetchIssuerKeySet,
  MAX_JWKS_KEYS,
  parseJwks,
} from '../../src/issuers/issuer-metadata.ts';

const fetchError = (reason: RegExp) => (error: unknown) => {
  assert.ok(error instanceof IssuerFetchError, `expected IssuerFetchError, got ${String(error)}`);
  assert.match(error.reason, reason);
  return true;
};

const rsaJwk = (modulusLength = 2048, publicExponent = 65537) =>
  generateKeyPairSync('rsa', { modulusLength, publicExponent }).publicKey.export({ format: 'jwk' });
const ecJwk = (namedCurve = 'P-256') =>
  generateKeyPairSync('ec', { namedCurve }).publicKey.export({ format: 'jwk' });
const goodRsa = { ...rsaJwk(), kid: 'good-rsa', use: 'sig' };

describe('discoveryUrl', () => {
  test('appends the well-known path without doubling a trailing slash', () => {
    assert.equal(discoveryUrl('https://a.example'), 'https://a.example/.well-known/openid-configuration');
    assert.equal(discoveryUrl('https://a.example/'), 'https://a.example/.well-known/openid-configuration');
    assert.equal(
      discoveryUrl('https://a.example/t/x/'),
      'https://a.example/t/x/.well-known/openid-configuration',
    );
  });
});

describe('parseJwks', () => {
  test('keeps usable RSA and EC keys with public members only', () => {
    const { keys, skippedKeys } = parseJwks({
      keys: [goodRsa, { ...ecJwk('P-384'), kid: 'ec', alg: 'ES384' }],
    });
    assert.equal(skippedKeys, 0);
    assert.deepEqual(
      keys.map((key) => [key.kid, key.kty, key.crv, key.alg]),
      [
        ['good-rsa', 'RSA', undefined, undefined],
        ['ec', 'EC', 'P-384', 'ES384'],
      ],
    );
    assert.deepEqual(Object.keys(keys[0]?.jwk ?? {}).sort(), ['e', 'kty', 'n']);
  });

  test('skips unusable keys but keeps the rest', () => {
    const offCurve = ecJwk();
    const unusable = [
      { ...rsaJwk(1024), kid: 'small' },
      { ...rsaJwk(2048, 3), kid: 'e3' },
      { ...goodRsa, kid: 'e1', e: 'AQ' },
      { ...goodRsa, kid: 'enc', use: 'enc' },
      { ...goodRsa, kid: undefined },
      { ...goodRsa, kid: '' },
      { ...goodRsa, kid: 'rsa-with-es256', alg: 'ES256' },
      { ...goodRsa, kid: 'hs-alg', alg: 'HS256' },
      { ...goodRsa, kid: 'encrypt-only', key_ops: ['encrypt'] },
      { ...ecJwk('secp256k1'), kid: 'k1' },
      { ...offCurve, y: offCurve.x, kid: 'off-curve' },
      { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'okp' },
      { kty: 'RSA', n: 'not base64url!', e: 'AQAB', kid: 'garbage' },
    ];
    const { keys, skippedKeys } = parseJwks({ keys: [...unusable, goodRsa] });
    assert.deepEqual(
      keys.map((key) => key.kid),
      ['good-rsa'],
    );
    assert.equal(skippedKeys, unusable.length);
  });

  test('a set without any usable key is an error', () => {
    assert.throws(() => parseJwks({ keys: [] }), fetchError(/no usable signing key/));
    assert.throws(() => parseJwks({ keys: [{ ...rsaJwk(1024), kid: 'small' }] }), fetchError(/no usable/));
  });

  test('rejects the whole set when any key carries private or symmetric material', () => {
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) {
      assert.throws(
        () => parseJwks({ keys: [goodRsa, { ...goodRsa, kid: 'leak', [member]: 'AQAB' }] }),
        fetchError(/private key material/),
        member,
      );
    }
    assert.throws(
      () => parseJwks({ keys: [goodRsa, { kty: 'oct', kid: 'hmac' }] }),
      fetchError(/symmetric key/),
    );
  });

  test(`accepts ${MAX_JWKS_KEYS} keys and rejects one more`, () => {
    const many = (count: number) => ({
      keys: Array.from({ length: count }, (_, i) => ({ ...goodRsa, kid: `k${i}` })),
    });
    assert.equal(parseJwks(many(MAX_JWKS_KEYS)).keys.length, MAX_JWKS_KEYS);
    assert.throws(() => parseJwks(many(MAX_JWKS_KEYS + 1)), fetchError(/more than 100 keys/));
  });

  test('rejects documents of the wrong shape', () => {
    for (const document of [null, [], 'keys', { keys: {} }, { keys: [1] }]) {
      assert.throws(() => parseJwks(document), IssuerFetchError);
    }
  });
});

describe('fetchIssuerKeySet over HTTPS', { timeout: 30_000 }, () => {
  const issuers: TestOidcIssuer[] = [];
  let plain: TestOidcIssuer;
  const fetchOptions = (issuer: TestOidcIssuer, maxBytes = 256 * 1024) => ({
    dispatcher: issuer.dispatcher,
    timeoutMs: 5000,
    maxBytes,
  });

  before(async () => {
    plain = await startTestOidcIssuer();
    issuers.push(plain);
  });
  after(async () => {
    for (const issuer of issuers) await issuer.close();
  });

  for (const path of ['', '/', '/tenant/abc/']) {
    test(`discovers the keys of an issuer with path '${path}'`, async () => {
      const issuer = await startTestOidcIssuer({ path, keyAlg: 'ES256', kidStyle: 'kubernetes' });
      issuers.push(issuer);
      const keySet = await fetchIssuerKeySet(issuer.issuer, fetchOptions(issuer));
      assert.equal(keySet.jwksUri, issuer.jwksUri);
      assert.deepEqual(
        keySet.keys.map((key) => key.kid),
        [issuer.currentKid],
      );
      assert.deepEqual(
        issuer.requests.map((request) => request.path),
        [new URL(issuer.discoveryUrl).pathname, new URL(issuer.jwksUri).pathname],
      );
    });
  }

  test('refuses a discovery document naming the issuer with or without a trailing slash', async () => {
    const slashed = await startTestOidcIssuer({ path: '/' });
    issuers.push(slashed);
    plain.setOverrides({ discovery: { issuer: `${plain.issuer}/` } });
    slashed.setOverrides({ discovery: { issuer: slashed.issuer.slice(0, -1) } });
    try {
      for (const issuer of [plain, slashed]) {
        await assert.rejects(
          fetchIssuerKeySet(issuer.issuer, fetchOptions(issuer)),
          fetchError(/^discovery: .*different issuer/),
        );
      }
    } finally {
      plain.setOverrides(null);
      slashed.setOverrides(null);
    }
  });

  test('refuses an http jwks_uri without requesting it', async () => {
    plain.setOverrides({ discovery: { jwks_uri: plain.jwksUri.replace('https:', 'http:') } });
    const before = plain.requests.length;
    try {
      await assert.rejects(
        fetchIssuerKeySet(plain.issuer, fetchOptions(plain)),
        fetchError(/jwks_uri is not https/),
      );
      assert.equal(plain.requests.length, before + 1);
    } finally {
      plain.setOverrides(null);
    }
  });

  test('refuses a non-https issuer without any request', async () => {
    const before = plain.requests.length;
    await assert.rejects(
      fetchIssuerKeySet(plain.issuer.replace('https:', 'http:'), fetchOptions(plain)),
      fetchError(/not an https URL/),
    );
    assert.equal(plain.requests.length, before);
  });

  test('refuses a JWKS that leaks the private key', async () => {
    plain.setFault('privateKeyInJwks');
    try {
      await assert.rejects(
        fetchIssuerKeySet(plain.issuer, fetchOptions(plain)),
        fetchError(/^jwks: .*private key/),
      );
    } finally {
      plain.setFault(null);
    }
  });

  test('refuses a JWKS with 10k keys, by size and by count', async () => {
    const jwks = { keys: Array.from({ length: 10_000 }, (_, i) => ({ ...goodRsa, kid: `k${i}` })) };
    plain.setOverrides({ jwks });
    try {
      await assert.rejects(
        fetchIssuerKeySet(plain.issuer, fetchOptions(plain)),
        fetchError(/^jwks: .*exceeds/),
      );
      await assert.rejects(
        fetchIssuerKeySet(plain.issuer, fetchOptions(plain, 64 * 1024 * 1024)),
        fetchError(/^jwks: .*more than 100 keys/),
      );
    } finally {
      plain.setOverrides(null);
    }
  });

  test('names the failing step', async () => {
    plain.setFault('status500', { on: 'discovery' });
    try {
      await assert.rejects(
        fetchIssuerKeySet(plain.issuer, fetchOptions(plain)),
        fetchError(/^discovery: .*500/),
      );
    } finally {
      plain.setFault(null);
    }
  });
});
