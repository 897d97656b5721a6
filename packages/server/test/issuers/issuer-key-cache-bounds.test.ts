import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CredlessError } from '@credless/core';
import { IssuerKeyCache } from '../../src/issuers/issuer-key-cache.ts';
import { createIssuerAgent } from '../../src/issuers/issuer-network-guard.ts';

// Issuers on a private range: the default (strict) agent refuses them before connecting, so each
// request makes an entry without any network traffic.
const issuerNumber = (n: number) => `https://10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}/issuer`;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapUsed = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

describe('IssuerKeyCache bounds', { timeout: 120_000 }, () => {
  const agent = createIssuerAgent();
  after(() => agent.close());

  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'resolved',
      (error: unknown) => (error instanceof CredlessError ? error.code : String(error)),
    );

  async function ask(cache: IssuerKeyCache, from: number, to: number) {
    for (let n = from; n < to; n++) {
      assert.equal(
        await codeOf(cache.getVerificationKey(issuerNumber(n), 'kid', 'RS256')),
        'external_oidc_failed',
      );
    }
  }

  test('entries and heap stay flat across 10,000 distinct issuers', async () => {
    const maxIssuers = 200;
    const cache = new IssuerKeyCache({
      fetchOptions: { dispatcher: agent, timeoutMs: 2000 },
      isIssuerAllowed: async () => true,
      maxIssuers,
    });
    await ask(cache, 0, 1000);
    const warm = heapUsed();
    await ask(cache, 1000, 10_000);
    const grown = heapUsed() - warm;
    assert.equal(cache.size, maxIssuers);
    assert.equal(cache.status(issuerNumber(9_999))?.lastError?.startsWith('discovery: request failed'), true);
    assert.equal(cache.status(issuerNumber(0)), undefined, 'the least recently used issuers were dropped');
    // 9,000 more issuers held unbounded would add several MB; a bounded cache adds only noise.
    assert.ok(grown < 1024 * 1024, `heap grew by ${grown} bytes`);
  });

  test('an issuer unused for the idle TTL is dropped; one in use stays', async () => {
    const clock = { now: 1_800_000_000_000 };
    const cache = new IssuerKeyCache({
      fetchOptions: { dispatcher: agent, timeoutMs: 2000 },
      isIssuerAllowed: async () => true,
      now: () => clock.now,
      idleTtlMs: 60_000,
    });
    await ask(cache, 0, 2);
    clock.now += 40_000;
    await ask(cache, 1, 2); // keeps issuer 1 fresh
    clock.now += 40_000;
    assert.equal(cache.status(issuerNumber(0)), undefined);
    assert.notEqual(cache.status(issuerNumber(1)), undefined);
  });

  test('an issuer no credential names any more is dropped when next asked for', async () => {
    const named = new Set([issuerNumber(0), issuerNumber(1)]);
    const cache = new IssuerKeyCache({
      fetchOptions: { dispatcher: agent, timeoutMs: 2000 },
      isIssuerAllowed: async (issuer) => named.has(issuer),
    });
    await ask(cache, 0, 2);
    assert.equal(cache.size, 2);
    named.delete(issuerNumber(0));
    assert.equal(await codeOf(cache.getVerificationKey(issuerNumber(0), 'kid', 'RS256')), 'issuer_no_match');
    assert.equal(cache.size, 1);
    assert.equal(cache.status(issuerNumber(0)), undefined);
  });
});
