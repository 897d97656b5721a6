/**
 * Per-tenant issuer policy: trusted-issuer allowlist (off/audit/enforce), per-issuer limits and
 * pinned keys (and the validation of any JWKS), and the shared-issuer guard.
 * @module
 */
export {
  type IssuerPublicKey,
  isAlgorithmCompatible,
  isSupportedAlgorithm,
  type JwksReading,
  MAX_JWKS_KEYS,
  type PublicJwk,
  readJwks,
} from './jwks.ts';
export {
  checkAssertionLifetime,
  checkCredentialAgainstIssuerPolicy,
  decideAssertionIssuer,
  findTrustedIssuer,
  type IssuerPolicyDecision,
} from './policy.ts';
export {
  checkSharedIssuerGuard,
  clausePinsOwner,
  enforceSharedIssuerGuard,
  SHARED_ISSUER_RULES,
  type SharedIssuerGuardInput,
  type SharedIssuerRule,
  type SharedIssuerVerdict,
  sharedIssuerRule,
  subjectPinsOwner,
} from './shared-issuer-guard.ts';
export {
  defaultIssuerPolicy,
  ISSUER_POLICY_MODES,
  ISSUER_SETTING_LIMITS,
  type IssuerPolicyMode,
  type PinnedJwks,
  type TenantIssuerPolicy,
  type TrustedIssuer,
} from './types.ts';
