/**
 * Explanations: why a token matches an application's federated identity credentials, or which ones
 * it nearly matched and how each field differs. Pure; used by the sign-in log on failed exchanges and
 * by the dry run (`credless explain`, POST /{tenant}/explain).
 * @module
 */
export {
  compareValues,
  EXPLANATION_STRING_MAX_LENGTH,
  shown,
  type ValueComparison,
} from './compare.ts';
export {
  type CredentialDiff,
  diffCredential,
  type FieldDiff,
  type FieldStatus,
  type TokenFacts,
} from './credential-diff.ts';
export { checkTokenSignature, type DecodedToken, decodeTokenForExplanation } from './decode.ts';
export {
  DEFAULT_NEAREST_MISSES,
  type ExplainedToken,
  type ExplainInput,
  type Explanation,
  explainToken,
  MAX_EXPLAINED_CREDENTIALS,
} from './explain.ts';
export {
  EXPLAINED_POLICY_CHECKS,
  explainIssuerPolicy,
  type IssuerPolicyExplainInput,
  type IssuerPolicyExplanation,
  type PolicyCheckResult,
} from './issuer-policy-steps.ts';
export { explainTimes, type TimeExplanation, type TimeStatus } from './time.ts';
