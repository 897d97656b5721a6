/**
 * Signs access tokens with the tenant's active key (RS256, `typ: JWT`, `kid`, and `x5t` for v1 as Entra
 * does). The key manager keeps the decrypted key in memory, so signing reads nothing from disk.
 * @module
 */
import type { AccessTokenSigner } from '@credless/core';
import { SignJWT } from 'jose';
import type { SigningKeyManager } from './signing-key-manager.ts';

export function createAccessTokenSigner(
  keys: Pick<SigningKeyManager, 'getActiveSigningKey'>,
): AccessTokenSigner {
  return {
    async sign(tenantId, claims, { includeX5t }) {
      const key = await keys.getActiveSigningKey(tenantId);
      const header = includeX5t
        ? { alg: 'RS256', typ: 'JWT', x5t: key.x5t, kid: key.kid }
        : { alg: 'RS256', typ: 'JWT', kid: key.kid };
      return new SignJWT(claims).setProtectedHeader(header).sign(key.privateKey);
    },
  };
}
