/**
 * @credless/testkit: real (not mocked) collaborators for credless tests.
 * @module
 */
export { startTestOidcIssuer } from './test-oidc-issuer.ts';
export type {
  IssueTokenOptions,
  StartTestOidcIssuerOptions,
  TestIssuerFault,
  TestIssuerFaultOptions,
  TestIssuerKeyAlg,
  TestIssuerRequest,
  TestOidcIssuer,
} from './test-oidc-issuer.ts';
