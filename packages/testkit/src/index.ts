/**
 * @credless/testkit: real (not mocked) collaborators for credless tests.
 * @module
 */

export type {
  StartTestCredlessOptions,
  TestCredless,
  WorkloadScenario,
  WorkloadScenarioOptions,
} from './credless-harness.ts';
export { createWorkloadScenario, startTestCredless } from './credless-harness.ts';
export type {
  IssueTokenOptions,
  StartTestOidcIssuerOptions,
  TestIssuerFault,
  TestIssuerFaultOptions,
  TestIssuerKeyAlg,
  TestIssuerRequest,
  TestOidcIssuer,
} from './test-oidc-issuer.ts';
export { startTestOidcIssuer } from './test-oidc-issuer.ts';
export type { ThrowawayPostgres } from './throwaway-postgres.ts';
export { startThrowawayPostgres, throwawayPostgresUnavailableReason } from './throwaway-postgres.ts';
export type { ClientCredentialsFormOptions, TokenResponse } from './token-request.ts';
export { clientCredentialsForm, requestToken } from './token-request.ts';
