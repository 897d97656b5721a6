/**
 * @credless/core: the pure heart of credless (no I/O). Directory types and rules, the error catalogue,
 * assertion checks, credential matching and access-token claims.
 * @module
 */

export * from './claims-expression/index.ts';
export type { NormalizedFederatedIdentityCredential } from './directory/federated-credential-rules.ts';
export {
  DEFAULT_FIC_LIMIT_PER_APP,
  FIC_FIELD_MAX_LENGTH,
  normalizeFederatedIdentityCredential,
  validateFicName,
  validateIssuerUrl,
} from './directory/federated-credential-rules.ts';
export type { KeyCredential, KeyCredentialInput } from './directory/key-credentials.ts';
export { findKeyCredential, normalizeKeyCredential } from './directory/key-credentials.ts';
export type {
  AccessTokenVersion,
  Application,
  AppRole,
  AppRoleAssignment,
  FederatedIdentityCredential,
  FederatedIdentityCredentialInput,
  RequiredResourceAccess,
  ResourceAccess,
  ServicePrincipal,
  Tenant,
} from './directory/types.ts';
export {
  AKS_SERVER_APP_ID,
  DEFAULT_FEDERATION_AUDIENCE,
  GRAPH_APP_ID,
  GRAPH_APP_ROLES,
  GRAPH_DISPLAY_NAME,
  GRAPH_RESOURCE_URI,
} from './directory/well-known.ts';
export * from './errors/index.ts';
export * from './explain/index.ts';
export * from './issuer-policy/index.ts';
// Emulated issuers (local clusters, GitHub Actions): claims builders and issuer URLs.
export * from './local-issuers/index.ts';
// Azure RBAC role assignments (cluster access as AKS with --enable-azure-rbac).
export * from './rbac/index.ts';
export type { AccessTokenClaimsInput, AuthorityUrls } from './token/access-token-claims.ts';
export { authorityUrls, buildAccessTokenClaims } from './token/access-token-claims.ts';
export type { AssertionIdentity } from './token/assertion-claims.ts';
export {
  checkAssertionTimes,
  DEFAULT_CLOCK_SKEW_SECONDS,
  formatEntraInstant,
  readAssertionIdentity,
} from './token/assertion-claims.ts';
export type { AssertionAlgorithm, PeekedAssertion } from './token/assertion-structure.ts';
export {
  ASSERTION_ALGORITHMS,
  DEFAULT_MAX_ASSERTION_LENGTH,
  peekAssertion,
} from './token/assertion-structure.ts';
export { matchFederatedCredential } from './token/credential-match.ts';
export type {
  ExchangeContext,
  ExchangeOutcome,
  IssuedAccessToken,
  TokenExchangeInput,
} from './token/exchange.ts';
export { exchangeClientAssertion, TOKEN_EXCHANGE_STEPS } from './token/exchange.ts';
export type {
  AccessTokenSigner,
  AssertionCredentials,
  DirectoryPrincipal,
  ExchangePorts,
  ExchangeSettings,
  IssuerKeys,
  TokenDirectory,
} from './token/exchange-ports.ts';
export type { ClientCredentialsRequest, EndpointVersion } from './token/token-request.ts';
export {
  JWT_BEARER_ASSERTION_TYPE,
  parseClientCredentialsRequest,
  resourceFromScope,
} from './token/token-request.ts';
