import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CredlessError } from '@credless/core';
import { type StartTestOidcIssuerOptions, startTestOidcIssuer, type TestOidcIssuer } from '@credless/testkit';
import { jwtVerify } from 'jose';
import { fetchCappedJson, IssuerFetchError } from '../../src/issuers/fetch-capped-json.ts';
import {
  ISSUER_KEYS_UNAVAILABLE,
  IssuerKeyCache,
  type IssuerKeyCacheOptions,
} from '../../src/issuers/issuer-key-cache.ts';

const MINUTE = 60_000;
const COOLDOWN = 30_000;

/** `detail` is matched against the cause (what the log gets); the other names against the params. */
const credlessError =
  (code: string, { detail, ...params }: Record<string, unknown> = {}) =>
  (error: unknown) => {
    assert.ok(error instanceof CredlessError, `expected CredlessError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (detail !== undefined) {
      assert.ok(error.cause instanceof IssuerFetchError, 'the detail travels as the cause');
      if (detail instanceof RegExp) assert.match(error.cause.reason, detail);
      else assert.equal(error.cause.reason, detail);
    }
    for (const [name, value] of Object.entries(params)) {
      if (value instanceof RegExp) assert.match(String(error.params[name]), value);
      else assert.equal(error.params[name], value);
    }
    return true;
  };

describe('IssuerKeyCache', { timeout: 60_000 }, () => {
  const started: TestOidcIssuer[] = [];
  after(async () => {
    for (const issuer of started) await issuer.close();
  });

  /** A fresh issuer plus a cache that trusts it, with a hand-driven clock. */
  async function setup(
    issuerOptions: StartTestOidcIssuerOptions = {},
    cacheOptions: Partial<IssuerKeyCacheOptions> = {},
  ) {
    const issuer = await startTestOidcIssuer(issuerOptions);
    started.push(issuer);
    const clock = { now: 1_800_000_000_000 };
    const cache = new IssuerKeyCache({
      fetchOptions: { dispatcher: issuer.dispatcher, timeoutMs: 2000 },
      isIssuerAllowed: async (candidate) => candidate === issuer.issuer,
      now: () => clock.now,
      ...cacheOptions,
    });
    return { issuer, cache, clock };
  }

  async function verifies(cache: IssuerKeyCache, issuer: TestOidcIssuer, token: string, alg: string) {
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as {
      kid?: string;
    };
    const key = await cache.getVerificationKey(issuer.issuer, header.kid, alg);
    const { payload } = await jwtVerify(token, key, { issuer: issuer.issuer, algorithms: [alg] });
    return payload;
  }

  for (const keyAlg of ['RS256', 'ES256', 'PS256'] as const) {
    test(`verifies a ${keyAlg} token and serves repeats from the cache`, async () => {
      const { issuer, cache } = await setup({ keyAlg, path: '/', kidStyle: 'kubernetes' });
      const token = await issuer.issueToken({
        sub: 'system:serviceaccount:ns:sa',
        aud: 'api://AzureADTokenExchange',
      });
      assert.equal((await verifies(cache, issuer, token, keyAlg)).sub, 'system:serviceaccount:ns:sa');
      assert.equal(issuer.requests.length, 2);
      const first = await cache.getVerificationKey(issuer.issuer, issuer.currentKid, keyAlg);
      assert.equal(await cache.getVerificationKey(issuer.issuer, issuer.currentKid, keyAlg), first);
      assert.equal(issuer.requests.length, 2, 'a fresh entry needs no network');
    });
  }

  test('an issuer no credential names is never fetched', async () => {
    const { issuer } = await setup();
    const cache = new IssuerKeyCache({
      fetchOptions: { dispatcher: issuer.dispatcher },
      isIssuerAllowed: async () => false,
    });
    await assert.rejects(
      cache.getVerificationKey(issuer.issuer, issuer.currentKid, 'RS256'),
      credlessError('issuer_no_match', { issuer: issuer.issuer }),
    );
    assert.equal(issuer.requests.length, 0);
    assert.equal(cache.status(issuer.issuer), undefined);
  });

  test('without a dispatcher, a loopback issuer is refused before any request', async () => {
    const { issuer } = await setup();
    const cache = new IssuerKeyCache({ fetchOptions: {}, isIssuerAllowed: async () => true });
    await assert.rejects(
      cache.getVerificationKey(issuer.issuer, issuer.currentKid, 'RS256'),
      credlessError('external_oidc_failed', {
        reason: ISSUER_KEYS_UNAVAILABLE,
        detail: /^discovery: request failed \(ADDRESS_BLOCKED: /,
      }),
    );
    assert.equal(issuer.requests.length, 0);
  });

  test('concurrent first requests share one fetch', async () => {
    const { issuer, cache } = await setup();
    const keys = await Promise.all(
      Array.from({ length: 20 }, () => cache.getVerificationKey(issuer.issuer, issuer.currentKid, 'RS256')),
    );
    assert.equal(new Set(keys).size, 1);
    assert.equal(issuer.requests.length, 2);
  });

  test('an unknown kid causes at most one refetch per cooldown, even with 20 concurrent callers', async () => {
    const { issuer, cache, clock } = await setup();
    await cache.getVerificationKey(issuer.issuer, issuer.currentKid, 'RS256');
    const unknownKidBurst = () =>
      Promise.all(
        Array.from({ length: 20 }, () =>
          assert.rejects(
            cache.getVerificationKey(issuer.issuer, 'no-such-kid', 'RS256'),
            credlessError('signing_key_not_found', { kid: 'no-such-kid', issuer: issuer.issuer }),
          ),
        ),
      );
    await unknownKidBurst();
    assert.equal(issuer.requests.length, 2, 'still within the cooldown of the first fetch');
    clock.now += COOLDOWN;
    await unknownKidBurst();
    assert.equal(issuer.requests.length, 4, 'one discovery + one JWKS refetch');
    clock.now += COOLDOWN - 1;
    await unknownKidBurst();
    assert.equal(issuer.requests.length, 4);
  });

  test('after rotation a token with the new kid verifies via a refetch', async () => {
    const { issuer, cache, clock } = await setup({ keyAlg: 'ES256' });
    const oldToken = await issuer.issueToken({ sub: 'old' });
    await verifies(cache, issuer, oldToken, 'ES256');
    await issuer.rotateKeys();
    const newToken = await issuer.issueToken({ sub: 'new' });
    clock.now += COOLDOWN;
    assert.equal((await verifies(cache, issuer, newToken, 'ES256')).sub, 'new');
    assert.equal(issuer.requests.length, 4);
    // The old key is no longer published, so its tokens stop verifying.
    await assert.rejects(verifies(cache, issuer, oldToken, 'ES256'), credlessError('signing_key_not_found'));
  });

  test('concurrent callers with the rotated kid wait for one shared refetch', async () => {
    const { issuer, cache, clock } = await setup();
    await cache.getVerificationKey(issuer.issuer, issuer.currentKid, 'RS256');
    await issuer.rotateKeys({ keepOld: true });
    const token = await issuer.issueToken({ sub: 'rotated' });
    clock.now += COOLDOWN;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => verifies(cache, issuer, token, 'RS256')),
    );
    assert.deepEqual(new Set(results.map((payload) => payload.sub)), new Set(['rotated']));
    assert.equal(issuer.requests.length, 4);
  });

  test('stale keys are refetched after maxAge', async () => {
    const { issuer, cache, clock } = await setup();
    await cache.getVerificationKey(issuer.issuer, issuer.currentKid, 'RS256');
    clock.now += 10 * MINUTE - 1;
    await cache.getVerificationKey(issuer.issuer, issuer.currentKid, 'RS256');
    assert.equal(issuer.requests.length, 2);
    clock.now += 1;
    await cache.getVerificationKey(issuer.issuer, issuer.currentKid, 'RS256');
    assert.equal(issuer.requests.length, 4);
    assert.equal(cache.status(issuer.issuer)?.fetchedAt, clock.now);
  });

  test('a failed refresh keeps the last good keys until lastGoodMaxAge', async () => {
    const { issuer, cache, clock } = await setup();
    const token = await issuer.issueToken({ sub: 'workload' });
    await verifies(cache, issuer, token, 'RS256');
    const fetchedAt = clock.now;

    issuer.setFault('status500');
    clock.now += 11 * MINUTE;
    assert.equal((await verifies(cache, issuer, token, 'RS256')).sub, 'workload');
    assert.equal(issuer.requests.length, 4, 'the refresh was attempted');
    assert.deepEqual(cache.status(issuer.issuer), {
      fetchedAt,
      lastError: 'jwks: unexpected HTTP status 500',
      lastErrorAt: clock.now,
    });

    // A failing unknown-kid refetch does not evict the good keys either.
    clock.now += COOLDOWN;
    await assert.rejects(
      cache.getVerificationKey(issuer.issuer, 'rotated?', 'RS256'),
      credlessError('signing_key_not_found'),
    );
    assert.equal((await verifies(cache, issuer, token, 'RS256')).sub, 'workload');

    clock.now = fetchedAt + 24 * 60 * MINUTE;
    await assert.rejects(
      verifies(cache, issuer, token, 'RS256'),
      credlessError('external_oidc_failed', {
        issuer: issuer.issuer,
        reason: ISSUER_KEYS_UNAVAILABLE,
        detail: /HTTP status 500.*too old/,
      }),
    );

    issuer.setFault(null);
    clock.now += COOLDOWN;
    assert.equal((await verifies(cache, issuer, token, 'RS256')).sub, 'workload');
    assert.equal(cache.status(issuer.issuer)?.fetchedAt, clock.now);
  });

  test('an initial failure is external_oidc_failed and is not retried within the cooldown', async () => {
    const { issuer, cache, clock } = await setup();
    issuer.setFault('notJson');
    const failed = credlessError('external_oidc_failed', {
      issuer: issuer.issuer,
      reason: ISSUER_KEYS_UNAVAILABLE,
      detail: 'jwks: response is not JSON',
    });
    await assert.rejects(cache.getVerificationKey(issuer.issuer, issuer.currentKid, 'RS256'), failed);
    await assert.rejects(cache.getVerificationKey(issuer.issuer, issuer.currentKid, 'RS256'), failed);
    assert.equal(issuer.requests.length, 2);
    issuer.setFault(null);
    clock.now += COOLDOWN;
    await cache.getVerificationKey(issuer.issuer, issuer.currentKid, 'RS256');
    assert.equal(issuer.requests.length, 4);
  });

  test('a hanging issuer fails at the deadline', async () => {
    const { issuer } = await setup();
    const cache = new IssuerKeyCache({
      fetchOptions: { dispatcher: issuer.dispatcher, timeoutMs: 300 },
      isIssuerAllowed: async () => true,
    });
    issuer.setFault('hang', { on: 'discovery' });
    await assert.rejects(
      cache.getVerificationKey(issuer.issuer, issuer.currentKid, 'RS256'),
      credlessError('external_oidc_failed', {
        reason: ISSUER_KEYS_UNAVAILABLE,
        detail: 'discovery: timed out after 300 ms',
      }),
    );
  });

  test('refuses algorithms outside the allow-list without fetching', async () => {
    const { issuer, cache } = await setup();
    for (const alg of ['none', 'HS256', 'EdDSA', 'rs256', '']) {
      await assert.rejects(
        cache.getVerificationKey(issuer.issuer, issuer.currentKid, alg),
        credlessError('assertion_signature_invalid'),
        alg,
      );
    }
    assert.equal(issuer.requests.length, 0);
  });

  test('refuses an algorithm that does not fit the key type, curve or pinned alg', async () => {
    const rsa = await setup({ keyAlg: 'RS256' });
    for (const alg of ['ES256', 'ES384', 'ES512', 'PS256']) {
      await assert.rejects(
        rsa.cache.getVerificationKey(rsa.issuer.issuer, rsa.issuer.currentKid, alg),
        credlessError('assertion_signature_invalid', { reason: /cannot verify/ }),
        alg,
      );
    }
    const ec = await setup({ keyAlg: 'ES256' });
    for (const alg of ['RS256', 'PS256', 'ES384', 'ES512']) {
      await assert.rejects(
        ec.cache.getVerificationKey(ec.issuer.issuer, ec.issuer.currentKid, alg),
        credlessError('assertion_signature_invalid'),
        alg,
      );
    }
  });

  test('an RSA key without a pinned alg serves both RS and PS', async () => {
    const { issuer, cache } = await setup({ keyAlg: 'PS256' });
    const jwks = (await fetchCappedJson(issuer.jwksUri, {
      dispatcher: issuer.dispatcher,
      timeoutMs: 2000,
      maxBytes: 65536,
    })) as { keys: Array<Record<string, unknown>> };
    issuer.setOverrides({ jwks: { keys: jwks.keys.map(({ alg: _alg, ...key }) => key) } });
    const token = await issuer.issueToken({ sub: 'ps' });
    assert.equal((await verifies(cache, issuer, token, 'PS256')).sub, 'ps');
    await cache.getVerificationKey(issuer.issuer, issuer.currentKid, 'RS512');
  });

  test('a token without kid needs exactly one compatible key', async () => {
    const { issuer, cache, clock } = await setup();
    const token = await issuer.issueToken({ sub: 'no-kid' }, { header: { kid: undefined } });
    assert.equal((await verifies(cache, issuer, token, 'RS256')).sub, 'no-kid');

    await issuer.rotateKeys({ keepOld: true });
    clock.now += 10 * MINUTE;
    await assert.rejects(
      verifies(
        cache,
        issuer,
        await issuer.issueToken({ sub: 'no-kid' }, { header: { kid: undefined } }),
        'RS256',
      ),
      credlessError('assertion_signature_invalid', { reason: /no kid/ }),
    );
  });

  test('keys are looked up per issuer: the same kid at another issuer is another key', async () => {
    const a = await setup({ keyAlg: 'ES256' });
    const b = await startTestOidcIssuer({
      keyAlg: 'ES256',
      certificateAuthority: a.issuer.certificateAuthority,
    });
    started.push(b);
    const bJwks = (await fetchCappedJson(b.jwksUri, {
      dispatcher: b.dispatcher,
      timeoutMs: 2000,
      maxBytes: 65536,
    })) as {
      keys: Array<Record<string, unknown>>;
    };
    // B publishes its own key under A's kid.
    b.setOverrides({ jwks: { keys: bJwks.keys.map((key) => ({ ...key, kid: a.issuer.currentKid })) } });
    const cache = new IssuerKeyCache({
      fetchOptions: { dispatcher: a.issuer.dispatcher },
      isIssuerAllowed: async () => true,
      now: () => a.clock.now,
    });
    const tokenFromA = await a.issuer.issueToken({ sub: 'a' });
    const keyFromB = await cache.getVerificationKey(b.issuer, a.issuer.currentKid, 'ES256');
    await assert.rejects(jwtVerify(tokenFromA, keyFromB));
    const keyFromA = await cache.getVerificationKey(a.issuer.issuer, a.issuer.currentKid, 'ES256');
    assert.equal((await jwtVerify(tokenFromA, keyFromA)).payload.sub, 'a');
  });
});
