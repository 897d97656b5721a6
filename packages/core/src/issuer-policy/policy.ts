/**
 * Applying a tenant's issuer policy: on credential creation (allowlist in enforce mode, the
 * shared-issuer guard unless switched off) and on exchange (allowlist decision, per-issuer lifetime).
 * @module
 */
import { CredlessError } from '../errors/index.ts';
import { formatEntraInstant } from '../token/assertion-claims.ts';
import { enforceSharedIssuerGuard, type SharedIssuerGuardInput } from './shared-issuer-guard.ts';
import type { TenantIssuerPolicy, TrustedIssuer } from './types.ts';

/** Issuers compare exactly, as credentials do. */
export function findTrustedIssuer(
  policy: Pick<TenantIssuerPolicy, 'trustedIssuers'> | undefined,
  issuer: string,
): TrustedIssuer | undefined {
  return policy?.trustedIssuers.find((entry) => entry.issuer === issuer);
}

/** Throws when the tenant's policy refuses a credential: an unlisted issuer in enforce mode, or an unpinned shared issuer. */
export function checkCredentialAgainstIssuerPolicy(
  policy: TenantIssuerPolicy,
  credential: SharedIssuerGuardInput,
): void {
  if (policy.mode === 'enforce' && !findTrustedIssuer(policy, credential.issuer)) {
    throw new CredlessError('fic_issuer_not_trusted', { issuer: credential.issuer });
  }
  if (policy.sharedIssuerGuard) enforceSharedIssuerGuard(credential);
}

/** What the exchange learns from the policy about one assertion issuer. */
export interface IssuerPolicyDecision {
  /** The issuer's settings when it is on the list. */
  trusted?: TrustedIssuer;
  /** Set in audit mode for an unlisted issuer: the exchange proceeds and the sign-in record says so. */
  audit?: 'issuer_not_trusted';
}

/** Throws `assertion_issuer_untrusted` (before any key fetch) for an unlisted issuer in enforce mode. */
export function decideAssertionIssuer(
  policy: TenantIssuerPolicy | undefined,
  issuer: string,
): IssuerPolicyDecision {
  if (!policy) return {};
  const trusted = findTrustedIssuer(policy, issuer);
  if (trusted) return { trusted };
  if (policy.mode === 'enforce') throw new CredlessError('assertion_issuer_untrusted', { issuer });
  return policy.mode === 'audit' ? { audit: 'issuer_not_trusted' } : {};
}

/**
 * Refuses an assertion that lives longer than `maxSeconds`: exp − iat, or exp − now when iat is
 * absent. Claim types were checked by checkAssertionTimes already.
 */
export function checkAssertionLifetime(
  payload: Record<string, unknown>,
  nowSeconds: number,
  maxSeconds: number,
): void {
  const { exp, iat, nbf } = payload;
  if (typeof exp !== 'number') return;
  const start = typeof iat === 'number' ? iat : nowSeconds;
  const lifetime = exp - start;
  if (lifetime <= maxSeconds) return;
  const validFrom = typeof nbf === 'number' ? nbf : typeof iat === 'number' ? iat : undefined;
  throw new CredlessError('assertion_lifetime_exceeded', {
    now: formatEntraInstant(nowSeconds),
    validFrom: validFrom === undefined ? 'unspecified' : formatEntraInstant(validFrom),
    expiry: formatEntraInstant(exp),
    lifetime: Math.ceil(lifetime),
    max: maxSeconds,
  });
}
