/**
 * Signs access tokens with the tenant's active key: RS256, `typ: JWT`, `kid`, and `x5t` for v1 as Entra
 * does. The key manager keeps the decrypted key in memory, so signing reads nothing from disk.
 *
 * Why node:crypto and not jose's SignJWT here: jose 6 signs through WebCrypto, whose per-call set-up
 * on the main thread cost more than a third of an exchange's main-thread time in profiles. The compact
 * serialization of a fixed RS256 header is trivial; the RSA signature itself comes from OpenSSL, and
 * every test verifies these tokens with jose.
 *
 * Where the signature is computed (`signOn`):
 * - 'thread-pool' (one process): `crypto.sign` with a callback, on libuv's pool, so one event loop
 *   keeps parsing requests while the other cores sign.
 * - 'event-loop' (a worker of `credless up --workers`): `crypto.sign` inline. N workers already keep
 *   N cores busy, so handing each signature to a pool thread only adds a thread hop and two context
 *   switches per request, and the pool threads compete with the other workers' event loops
 *   (bench:workers: 2 workers went from 1.02x to 1.10x of 1 worker, context switches per request 1.7 -> 1.0).
 * @module
 */
import { Buffer } from 'node:buffer';
import { type KeyObject, sign } from 'node:crypto';
import { promisify } from 'node:util';
import type { AccessTokenSigner } from '@credless/core';
import type { ActiveSigningKey, SigningKeyManager } from './signing-key-manager.ts';

const signOnThreadPool = promisify(sign);
const encodeJson = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

interface PreparedKey {
  privateKey: KeyObject;
  /** Encoded protected headers: with x5t (v1 tokens) and without (v2 tokens). */
  headerWithX5t: string;
  headerWithoutX5t: string;
}

function prepare(key: ActiveSigningKey): PreparedKey {
  return {
    privateKey: key.privateKey,
    headerWithX5t: encodeJson({ typ: 'JWT', alg: 'RS256', x5t: key.x5t, kid: key.kid }),
    headerWithoutX5t: encodeJson({ typ: 'JWT', alg: 'RS256', kid: key.kid }),
  };
}

/** Where the RSA signature runs (the module's comment says when each is right). */
export type SignOn = 'thread-pool' | 'event-loop';

export function createAccessTokenSigner(
  keys: Pick<SigningKeyManager, 'getActiveSigningKey'>,
  { signOn = 'thread-pool' }: { signOn?: SignOn } = {},
): AccessTokenSigner {
  const signature = (input: Buffer, key: KeyObject) =>
    signOn === 'event-loop' ? sign('sha256', input, key) : signOnThreadPool('sha256', input, key);
  // Keyed by the manager's key object, so a rotation (a new object) prepares the new key once.
  const prepared = new WeakMap<ActiveSigningKey, PreparedKey>();
  return {
    async sign(tenantId, claims, { includeX5t }) {
      const key = await keys.getActiveSigningKey(tenantId);
      let ready = prepared.get(key);
      if (!ready) {
        ready = prepare(key);
        prepared.set(key, ready);
      }
      const signingInput = `${includeX5t ? ready.headerWithX5t : ready.headerWithoutX5t}.${encodeJson(claims)}`;
      const signed = await signature(Buffer.from(signingInput), ready.privateKey);
      return `${signingInput}.${signed.toString('base64url')}`;
    },
  };
}
