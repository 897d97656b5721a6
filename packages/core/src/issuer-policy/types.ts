/**
 * Per-tenant issuer policy: which external issuers a tenant trusts, and per-issuer limits.
 * The mode decides what happens to issuers NOT on the list; the per-issuer settings of a listed issuer
 * apply in every mode (so a cluster's pinned keys work without turning the allowlist on).
 * @module
 */

/** `off`: any issuer; `audit`: unlisted issuers work but are flagged; `enforce`: unlisted issuers are refused. */
export type IssuerPolicyMode = 'off' | 'audit' | 'enforce';

export const ISSUER_POLICY_MODES: readonly IssuerPolicyMode[] = ['off', 'audit', 'enforce'];

/** Bounds on the per-issuer settings (seconds). */
export const ISSUER_SETTING_LIMITS = Object.freeze({
  maxAssertionLifetimeSeconds: { min: 1, max: 7 * 24 * 3600 },
  clockSkewSeconds: { min: 0, max: 600 },
});

/** A public JWKS document as uploaded (validated by the store: public RSA/EC keys only). */
export interface PinnedJwks {
  keys: Array<Record<string, unknown>>;
}

export interface TrustedIssuer {
  issuer: string;
  /** Longest accepted assertion lifetime (exp − iat, or exp − now without iat); null = no limit. */
  maxAssertionLifetimeSeconds: number | null;
  /** Clock skew for this issuer's time claims; null = the server's setting. */
  clockSkewSeconds: number | null;
  /** When set, the only keys that verify this issuer's assertions; its metadata is never fetched. */
  pinnedJwks: PinnedJwks | null;
  /** When the pinned set was last uploaded (epoch ms); null without one. */
  pinnedJwksUpdatedAt: number | null;
}

export interface TenantIssuerPolicy {
  tenantId: string;
  mode: IssuerPolicyMode;
  /** Default on: credentials for multi-tenant issuers (GitHub, gitlab.com, HCP Terraform) must pin an owner. */
  sharedIssuerGuard: boolean;
  trustedIssuers: TrustedIssuer[];
}

/** The policy a tenant has before anyone configured one. */
export const defaultIssuerPolicy = (tenantId: string): TenantIssuerPolicy => ({
  tenantId,
  mode: 'off',
  sharedIssuerGuard: true,
  trustedIssuers: [],
});
