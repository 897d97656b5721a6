import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { createAccessTokenSigner, type SignOn } from '../../src/keys/access-token-signer.ts';
import type { ActiveSigningKey } from '../../src/keys/signing-key-manager.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const active: ActiveSigningKey = { kid: 'kid-1', x5t: 'x5t-1', privateKey };
const keys = { getActiveSigningKey: async () => active };
const claims = { aud: 'https://graph.microsoft.com', sub: 'workload', roles: ['Reader'] };

describe('access token signer', () => {
  for (const signOn of ['thread-pool', 'event-loop'] as const satisfies readonly SignOn[]) {
    test(`${signOn}: an RS256 token that verifies with the key's public half, x5t only when asked`, async () => {
      const signer = createAccessTokenSigner(keys, { signOn });
      const v1 = await signer.sign('tenant', claims, { includeX5t: true });
      const v2 = await signer.sign('tenant', claims, { includeX5t: false });
      assert.deepEqual(decodeProtectedHeader(v1), { typ: 'JWT', alg: 'RS256', x5t: 'x5t-1', kid: 'kid-1' });
      assert.deepEqual(decodeProtectedHeader(v2), { typ: 'JWT', alg: 'RS256', kid: 'kid-1' });
      for (const token of [v1, v2]) {
        const { payload } = await jwtVerify(token, publicKey, { algorithms: ['RS256'] });
        assert.deepEqual(payload, claims);
      }
    });
  }

  test('event-loop: the signature is made in the same turn, with no hop through the thread pool', async () => {
    const signer = createAccessTokenSigner(keys, { signOn: 'event-loop' });
    let immediateRan = false;
    const immediate = new Promise<void>((resolve) =>
      setImmediate(() => {
        immediateRan = true;
        resolve();
      }),
    );
    const token = await signer.sign('tenant', claims, { includeX5t: false });
    // Only microtasks ran: a pool round trip would need at least one more turn of the event loop.
    assert.equal(immediateRan, false);
    assert.equal(token.split('.').length, 3);
    await immediate;
  });

  test('thread-pool is the default (one process: the event loop keeps parsing while the pool signs)', async () => {
    const signer = createAccessTokenSigner(keys);
    const token = await signer.sign('tenant', claims, { includeX5t: false });
    await jwtVerify(token, publicKey, { algorithms: ['RS256'] });
  });
});
