/**
 * The token exchange's issuer-policy checks, run for an explanation: the same functions in the same
 * order as the exchange (applyIssuerPolicy's allowlist decision, then checkClaims' per-issuer
 * lifetime), reported instead of thrown, so a dry run refuses what the token endpoint refuses and
 * says which step does. Pure.
 * @module
 */
import { ERROR_CATALOGUE, type ErrorCode } from '../errors/catalogue.ts';
import { CredlessError } from '../errors/credless-error.ts';
import {
  checkAssertionLifetime,
  decideAssertionIssuer,
  type IssuerPolicyDecision,
} from '../issuer-policy/policy.ts';
import type { IssuerPolicyMode, TenantIssuerPolicy } from '../issuer-policy/types.ts';

/** The policy checks in the exchange's order, each with the TOKEN_EXCHANGE_STEPS step that runs it. */
export const EXPLAINED_POLICY_CHECKS = [
  { check: 'trusted_issuer', step: 'applyIssuerPolicy' },
  { check: 'assertion_lifetime', step: 'checkClaims' },
] as const;

type PolicyCheck = (typeof EXPLAINED_POLICY_CHECKS)[number];

export interface PolicyCheckResult {
  check: PolicyCheck['check'];
  /** The exchange step that runs this check. */
  step: PolicyCheck['step'];
  /** `audit`: passes only because the policy is in audit mode (the sign-in record flags it). */
  status: 'pass' | 'audit' | 'refused' | 'not_applicable';
  summary: string;
  /** What the token endpoint would answer when this check refuses. */
  refusal?: { code: ErrorCode; aadsts: number; message: string };
}

export interface IssuerPolicyExplanation {
  /** The tenant's policy mode; `off` when the tenant has none. */
  mode: IssuerPolicyMode;
  /** The checks that ran, in order; the exchange stops at the first refusal, and so does this list. */
  checks: PolicyCheckResult[];
  /** The first refusing check, when one refuses. */
  refusedBy: PolicyCheckResult | null;
  /** Clock skew the exchange uses for this issuer's time claims: the issuer's own, else the server's. */
  clockSkewSeconds: number;
}

export interface IssuerPolicyExplainInput {
  policy: TenantIssuerPolicy | undefined;
  /** The token's decoded payload (verified or not). */
  payload: Readonly<Record<string, unknown>>;
  nowSeconds: number;
  /** The server's clock skew, used unless the issuer's settings give one. */
  clockSkewSeconds: number;
}

function refused(check: PolicyCheck, error: unknown): PolicyCheckResult {
  if (!(error instanceof CredlessError)) throw error;
  const spec = ERROR_CATALOGUE[error.code];
  return {
    ...check,
    status: 'refused',
    summary: error.message,
    refusal: { code: error.code, aadsts: spec.kind === 'sts' ? spec.aadsts : 0, message: error.message },
  };
}

export function explainIssuerPolicy(input: IssuerPolicyExplainInput): IssuerPolicyExplanation {
  const [issuerCheck, lifetimeCheck] = EXPLAINED_POLICY_CHECKS;
  const mode = input.policy?.mode ?? 'off';
  const iss = input.payload['iss'];
  const result = (checks: PolicyCheckResult[], skew = input.clockSkewSeconds): IssuerPolicyExplanation => ({
    mode,
    checks,
    refusedBy: checks.find((entry) => entry.status === 'refused') ?? null,
    clockSkewSeconds: skew,
  });
  if (typeof iss !== 'string' || iss.length === 0) {
    return result([{ ...issuerCheck, status: 'not_applicable', summary: 'the token names no issuer' }]);
  }

  let decision: IssuerPolicyDecision;
  try {
    decision = decideAssertionIssuer(input.policy, iss);
  } catch (error) {
    return result([refused(issuerCheck, error)]);
  }
  const issuerResult: PolicyCheckResult = decision.trusted
    ? { ...issuerCheck, status: 'pass', summary: "the issuer is on the tenant's trusted-issuer list" }
    : decision.audit
      ? {
          ...issuerCheck,
          status: 'audit',
          summary:
            "the issuer is not on the trusted-issuer list; accepted because the policy mode is 'audit'",
        }
      : { ...issuerCheck, status: 'pass', summary: "the tenant's issuer policy is off: any issuer" };

  const settings = decision.trusted;
  const skew = settings?.clockSkewSeconds ?? input.clockSkewSeconds;
  const max = settings?.maxAssertionLifetimeSeconds;
  if (max == null) {
    const summary = 'no maximum assertion lifetime is set for this issuer';
    return result([issuerResult, { ...lifetimeCheck, status: 'not_applicable', summary }], skew);
  }
  try {
    checkAssertionLifetime({ ...input.payload }, input.nowSeconds, max);
  } catch (error) {
    return result([issuerResult, refused(lifetimeCheck, error)], skew);
  }
  const summary = `the assertion's lifetime is within the issuer's maximum of ${max} s`;
  return result([issuerResult, { ...lifetimeCheck, status: 'pass', summary }], skew);
}
