/**
 * The opt-in access-token reuse window (issue #16, the rollout herd): which exchanges count as
 * identical, and whether a token issued earlier may answer one. Pure; the cache that holds the tokens
 * is an adapter in the server (`AccessTokenReuse`). Reuse never skips verification: the exchange runs
 * every step first, and only the signing of a fresh token is saved.
 * @module
 */
import type { IssuedAccessToken } from './issued-access-token.ts';

/** Everything that shapes the token's claims for one federated exchange. */
export interface TokenReuseParts {
  tenantId: string;
  clientAppId: string;
  /** The resource as requested (v1 tokens carry it as the audience). */
  resource: string;
  /** The resolved resource application (v2 tokens carry its appId). */
  resourceAppId: string;
  credentialId: string;
  issuer: string;
  subject: string;
  roles: readonly string[];
}

/** Same key = identical request: same client, resource, credential, issuer, subject and roles (in any order). */
export function tokenReuseKey(parts: TokenReuseParts): string {
  return JSON.stringify([
    parts.tenantId,
    parts.clientAppId,
    parts.resource,
    parts.resourceAppId,
    parts.credentialId,
    parts.issuer,
    parts.subject,
    [...parts.roles].sort(),
  ]);
}

export interface TokenReusePolicy {
  /** A token is offered again for this long after it was issued. */
  windowSeconds: number;
  /** ...and only while at least this much of its lifetime remains. */
  minRemainingSeconds: number;
}

/** Whether `issued` may answer an identical request at `nowSeconds`. */
export function isReusable(issued: IssuedAccessToken, nowSeconds: number, policy: TokenReusePolicy): boolean {
  const age = nowSeconds - issued.notBefore;
  return (
    age >= 0 && age < policy.windowSeconds && issued.expiresOn - nowSeconds >= policy.minRemainingSeconds
  );
}

/** The same token as answered later: `expires_in` counts down from the original expiry. */
export function asReissued(issued: IssuedAccessToken, nowSeconds: number): IssuedAccessToken {
  return { ...issued, expiresIn: issued.expiresOn - nowSeconds };
}
