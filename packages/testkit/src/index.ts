/**
 * @credless/testkit: real (not mocked) collaborators for credless tests.
 * @module
 */

export type { AdminGraphClient, AdminGraphClientOptions, GraphResponse } from './admin-graph-client.ts';
export { createAdminGraphClient } from './admin-graph-client.ts';
export type { ArmAnswer } from './arm-client.ts';
export { ARM_HOST, adminArmToken, armInject, MANAGEMENT_SCOPE, storeRoleAssignment } from './arm-client.ts';
export type {
  StartTestCredlessOptions,
  TestCredless,
  WorkloadScenario,
  WorkloadScenarioOptions,
} from './credless-harness.ts';
export { createWorkloadScenario, startTestCredless } from './credless-harness.ts';
export type { DirectoryTarget } from './directory-objects.ts';
export {
  addFederatedCredential,
  applicationOf,
  grantAppRole,
  graphRoleId,
  removeFederatedCredential,
  servicePrincipalOf,
} from './directory-objects.ts';
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
export type { StartTestStackOptions, TestStack } from './test-stack.ts';
export { startTestStack } from './test-stack.ts';
export type { ThrowawayPostgres } from './throwaway-postgres.ts';
export { startThrowawayPostgres, throwawayPostgresUnavailableReason } from './throwaway-postgres.ts';
export type { ClientCredentialsFormOptions, TokenResponse } from './token-request.ts';
export { clientCredentialsForm, requestToken } from './token-request.ts';
