/**
 * Signs access tokens with the tenant's active key: RS256, `typ: JWT`, `kid`, and `x5t` for v1 as Entra
 * does. The key manager keeps the decrypted key in memory, so signing reads nothing from disk.
 *
 * Why node:crypto and not jose's SignJWT here: jose 6 signs through WebCrypto, whose per-call set-up
 * on the main thread cost more than a third of an exchange's main-thread time in profiles. The compact
 * serialization of a fixed RS256 header is trivial; the RSA signature itself still comes from OpenSSL
 * on the libuv thread pool (`crypto.sign` with a callback), and every test verifies these tokens with jose.
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

export function createAccessTokenSigner(
  keys: Pick<SigningKeyManager, 'getActiveSigningKey'>,
): AccessTokenSigner {
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
      const signature = await signOnThreadPool('sha256', Buffer.from(signingInput), ready.privateKey);
      return `${signingInput}.${signature.toString('base64url')}`;
    },
  };
}
