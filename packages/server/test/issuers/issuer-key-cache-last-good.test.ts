/**
 * Last-good keys across every kind of refresh failure (timeout, oversize body, bad JSON, error status):
 * the keys stay in use until lastGoodMaxAgeMs, and the failure is recorded in the issuer's status.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CredlessError } from '@credless/core';
import { startTestOidcIssuer, type TestIssuerFault, type TestOidcIssuer } from '@credless/testkit';
import { IssuerKeyCache } from '../../src/issuers/issuer-key-cache.ts';

const MINUTE = 60_000;
const LAST_GOOD_MAX_AGE = 60 * MINUTE;

describe('IssuerKeyCache: last good keys on refresh failure', { timeout: 60_000 }, () => {
  const started: TestOidcIssuer[] = [];
  after(async () => {
    for (const issuer of started) await issuer.close();
  });

  const faults: Array<[TestIssuerFault, 'jwks' | 'discovery', RegExp]> = [
    ['hang', 'discovery', /^discovery: timed out after 300 ms$/],
    ['hugeBody', 'jwks', /^jwks: response body exceeds 65536 bytes$/],
    ['notJson', 'jwks', /^jwks: response is not JSON$/],
    ['status500', 'discovery', /^discovery: unexpected HTTP status 500$/],
  ];
  for (const [fault, on, reason] of faults) {
    test(`${fault} on ${on}: keys stay in use, the failure is recorded, then they expire`, async () => {
      const issuer = await startTestOidcIssuer();
      started.push(issuer);
      const clock = { now: 1_800_000_000_000 };
      const fetches: Array<{ ok: boolean; reason?: string }> = [];
      const cache = new IssuerKeyCache({
        fetchOptions: { dispatcher: issuer.dispatcher, timeoutMs: 300, maxBytes: 64 * 1024 },
        isIssuerAllowed: async () => true,
        now: () => clock.now,
        lastGoodMaxAgeMs: LAST_GOOD_MAX_AGE,
        onFetch: (event) => fetches.push({ ok: event.ok, ...(event.reason ? { reason: event.reason } : {}) }),
      });
      const good = await cache.getVerificationKey(issuer.issuer, issuer.currentKid, 'RS256');
      const fetchedAt = clock.now;

      issuer.setFault(fault, { on, hugeBodyBytes: 1024 * 1024 });
      clock.now += 11 * MINUTE; // past maxAge: a refresh is due and fails
      assert.equal(await cache.getVerificationKey(issuer.issuer, issuer.currentKid, 'RS256'), good);
      const status = cache.status(issuer.issuer);
      assert.equal(status?.fetchedAt, fetchedAt, 'the keys in use are still the last good ones');
      assert.match(status?.lastError ?? '', reason);
      assert.equal(status?.lastErrorAt, clock.now);
      assert.deepEqual(
        fetches.map((event) => event.ok),
        [true, false],
        'the failure was reported to the fetch observer (metrics)',
      );

      clock.now = fetchedAt + LAST_GOOD_MAX_AGE;
      await assert.rejects(
        cache.getVerificationKey(issuer.issuer, issuer.currentKid, 'RS256'),
        (error: unknown) =>
          error instanceof CredlessError &&
          error.code === 'external_oidc_failed' &&
          /too old to use/.test(String((error.cause as Error | undefined)?.message)),
      );
    });
  }
});
