/**
 * @credless/core: the pure heart of credless (no I/O). Directory types and rules, the error catalogue,
 * assertion checks, credential matching and access-token claims.
 * @module
 */

export type {
  ClaimsClause,
  ClaimsClauseResult,
  ClaimsExpression,
  ClaimsExpressionResult,
  ClaimsOperator,
} from './claims-expression/index.ts';
export {
  CLAIMS_EXPRESSION_LANGUAGE_VERSION,
  CLAIMS_EXPRESSION_LIMITS,
  evaluateClaimsExpression,
  matchesGlob,
  parseClaimsExpression,
} from './claims-expression/index.ts';
export type {
  ClientSecretMode,
  ClientSecretPolicy,
  StoredPasswordCredential,
} from './directory/client-secrets.ts';
export {
  CLIENT_SECRET_MODES,
  DEFAULT_CLIENT_SECRET_POLICY,
  publicPasswordCredential,
} from './directory/client-secrets.ts';
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
  MANAGEMENT_APP_ID,
  MANAGEMENT_DISPLAY_NAME,
  MANAGEMENT_RESOURCE_URIS,
  PORTAL_APP_ID,
  PORTAL_DISPLAY_NAME,
} from './directory/well-known.ts';
export type {
  AdmissionErrorSpec,
  DirectoryErrorSpec,
  ErrorCode,
  ErrorParams,
  ExitCode,
  OperatorErrorSpec,
  RequestIds,
  StsErrorCode,
  StsErrorSpec,
} from './errors/index.ts';
export {
  CredlessError,
  ERROR_CATALOGUE,
  EXIT,
  exitCodeFor,
  exitCodeForStatus,
  exitCodeOf,
  isCredlessError,
  isErrorCode,
  toStsError,
} from './errors/index.ts';
export type {
  CredentialDiff,
  DecodedToken,
  ExplainedToken,
  ExplainInput,
  Explanation,
  FieldDiff,
  FieldStatus,
  IssuerPolicyExplainInput,
  IssuerPolicyExplanation,
  PolicyCheckResult,
  TimeExplanation,
  TimeStatus,
  TokenFacts,
  ValueComparison,
} from './explain/index.ts';
export {
  checkTokenSignature,
  compareValues,
  DEFAULT_NEAREST_MISSES,
  decodeTokenForExplanation,
  diffCredential,
  EXPLAINED_POLICY_CHECKS,
  EXPLANATION_STRING_MAX_LENGTH,
  explainIssuerPolicy,
  explainTimes,
  explainToken,
  MAX_EXPLAINED_CREDENTIALS,
  shown,
} from './explain/index.ts';
export type {
  IssuerPolicyDecision,
  IssuerPolicyMode,
  IssuerPublicKey,
  JwksReading,
  PinnedJwks,
  PublicJwk,
  SharedIssuerGuardInput,
  SharedIssuerRule,
  SharedIssuerVerdict,
  TenantIssuerPolicy,
  TrustedIssuer,
} from './issuer-policy/index.ts';
export {
  checkAssertionLifetime,
  checkCredentialAgainstIssuerPolicy,
  checkSharedIssuerGuard,
  clausePinsOwner,
  decideAssertionIssuer,
  defaultIssuerPolicy,
  enforceSharedIssuerGuard,
  findTrustedIssuer,
  ISSUER_POLICY_MODES,
  ISSUER_SETTING_LIMITS,
  isAlgorithmCompatible,
  isSupportedAlgorithm,
  MAX_JWKS_KEYS,
  readJwks,
  SHARED_ISSUER_RULES,
  sharedIssuerRule,
  subjectPinsOwner,
} from './issuer-policy/index.ts';
// Emulated issuers (local clusters, GitHub Actions): claims builders and issuer URLs.
export type {
  GitHubActionsJob,
  GitHubActionsTokenInput,
  GitHubSubjectFormat,
  ServiceAccountTokenInput,
} from './local-issuers/index.ts';
export {
  buildGitHubActionsClaims,
  buildServiceAccountTokenClaims,
  checkGitHubActionsJob,
  checkServiceAccountTokenInput,
  clusterIssuerUrl,
  defaultGitHubAudience,
  GITHUB_ACTIONS_ISSUER_PATH,
  GITHUB_ACTIONS_NOT_BEFORE_SKEW_SECONDS,
  GITHUB_ACTIONS_TOKEN_LIFETIME_SECONDS,
  githubActionsIssuerUrl,
  githubActionsSubject,
  githubRefType,
  isOwnTokenServiceIssuer,
  parseClusterIssuerUrl,
  SERVICE_ACCOUNT_TOKEN_DEFAULT_SECONDS,
  SERVICE_ACCOUNT_TOKEN_MAX_SECONDS,
  SERVICE_ACCOUNT_TOKEN_MIN_SECONDS,
  serviceAccountSubject,
} from './local-issuers/index.ts';
// Azure RBAC role assignments (cluster access as AKS with --enable-azure-rbac).
export type {
  ClusterAccessDecision,
  ClusterDataActions,
  ClusterRequest,
  KubeVerb,
  RoleAssignmentGrant,
  RoleDefinition,
} from './rbac/index.ts';
export {
  BUILT_IN_ROLE_DEFINITIONS,
  checkClusterAccess,
  findRoleDefinition,
  KUBE_READ_VERBS,
  normalizeScope,
  roleDefinitionResourceId,
  scopeCovers,
  scopeSubscription,
} from './rbac/index.ts';
export { caTrustHint, isCertificateVerificationError, LOCAL_CA_FILE } from './tls/ca-trust-hint.ts';
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
  AccessTokenReuse,
  AccessTokenSigner,
  AssertionCredentials,
  ClientSecretVerifier,
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
export type { TokenReuseParts, TokenReusePolicy } from './token/token-reuse.ts';
export { asReissued, isReusable, tokenReuseKey } from './token/token-reuse.ts';
