/**
 * Claims and URLs of credless's emulated issuers: local clusters' service-account tokens and the
 * GitHub Actions OIDC issuer.
 * @module
 */
export type {
  GitHubActionsJob,
  GitHubActionsTokenInput,
  GitHubSubjectFormat,
} from './github-actions-claims.ts';
export {
  buildGitHubActionsClaims,
  checkGitHubActionsJob,
  defaultGitHubAudience,
  GITHUB_ACTIONS_NOT_BEFORE_SKEW_SECONDS,
  GITHUB_ACTIONS_TOKEN_LIFETIME_SECONDS,
  githubActionsSubject,
  githubRefType,
} from './github-actions-claims.ts';
export {
  clusterIssuerUrl,
  GITHUB_ACTIONS_ISSUER_PATH,
  githubActionsIssuerUrl,
  isOwnTokenServiceIssuer,
  parseClusterIssuerUrl,
} from './issuer-urls.ts';
export type { ServiceAccountTokenInput } from './service-account-token.ts';
export {
  buildServiceAccountTokenClaims,
  checkServiceAccountTokenInput,
  SERVICE_ACCOUNT_TOKEN_DEFAULT_SECONDS,
  SERVICE_ACCOUNT_TOKEN_MAX_SECONDS,
  SERVICE_ACCOUNT_TOKEN_MIN_SECONDS,
  serviceAccountSubject,
} from './service-account-token.ts';
