/**
 * The shapes the console reads from credless's APIs (packages/server/src/graph/*, graph/routes/*,
 * http/routes/explain.ts, console/…): only the fields it shows.
 * @module
 */

export interface Session {
  id: string;
  principal: { appId: string; displayName: string; objectId: string };
  tenantId: string;
  roles: string[];
  createdAt: string;
  expiresAt: string;
  csrfToken: string;
}

export interface SessionSummary {
  id: string;
  principal: { appId: string; displayName: string; objectId: string };
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string;
  current: boolean;
}

export interface Organization {
  id: string;
  displayName: string;
  verifiedDomains?: Array<{ name: string; isDefault: boolean }>;
}

export interface AppRole {
  id: string;
  value: string;
  displayName: string;
  description?: string;
  allowedMemberTypes: string[];
  isEnabled: boolean;
}

export interface RequiredResourceAccess {
  resourceAppId: string;
  resourceAccess: Array<{ id: string; type: 'Role' | 'Scope' }>;
}

export interface KeyCredential {
  keyId: string;
  displayName?: string | null;
  type?: string;
  usage?: string;
  startDateTime?: string | null;
  endDateTime?: string | null;
  customKeyIdentifier?: string | null;
}

export interface PasswordCredential {
  keyId: string;
  displayName?: string | null;
  hint?: string | null;
  startDateTime?: string | null;
  endDateTime?: string | null;
}

export interface Application {
  id: string;
  appId: string;
  displayName: string;
  createdDateTime: string;
  identifierUris: string[];
  appRoles: AppRole[];
  requiredResourceAccess: RequiredResourceAccess[];
  keyCredentials: KeyCredential[];
  passwordCredentials: PasswordCredential[];
}

export interface FederatedCredential {
  id: string;
  name: string;
  issuer: string;
  subject: string | null;
  audiences: string[];
  description: string | null;
  claimsMatchingExpression: { value: string; languageVersion: number } | null;
}

export interface ServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  accountEnabled: boolean;
  appRoleAssignmentRequired: boolean;
  appRoles: AppRole[];
  servicePrincipalNames: string[];
  createdDateTime: string;
}

export interface AppRoleAssignment {
  id: string;
  appRoleId: string;
  principalId: string;
  principalDisplayName: string | null;
  principalType?: string;
  resourceId: string;
  resourceDisplayName: string | null;
  createdDateTime: string;
}

export interface Group {
  id: string;
  displayName: string;
  mailNickname?: string;
  description?: string | null;
}

export interface DirectoryMember {
  id: string;
  displayName?: string;
  appId?: string;
  '@odata.type'?: string;
}

export interface FieldDiff {
  field: 'issuer' | 'subject' | 'audience' | 'expression' | 'clause';
  status: string;
  ok: boolean;
  expected: string | null;
  actual: string | null;
  foundIn?: string;
  index?: number;
  claim?: string;
  op?: string;
  summary: string;
}

export interface CredentialDiff {
  id: string;
  name: string;
  kind: 'subject' | 'expression';
  matches: boolean;
  score: number;
  fields: FieldDiff[];
  summary: string;
}

export interface Explanation {
  verdict: 'match' | 'no_match';
  summary: string;
  matchedCredential: { id: string; name: string } | null;
  token: { issuer: string | null; subject: string | null; audiences: string[]; problems: string[] };
  time: { status: string; summary: string };
  nearestMisses: CredentialDiff[];
  credentialsCompared: number;
  truncated: boolean;
  assertionVerified?: boolean;
}

export interface PolicyCheck {
  status: 'pass' | 'audit' | 'refused' | 'not_applicable';
  summary: string;
  refusal?: { code: string; aadsts: number; message: string };
}

export interface DryRunReport {
  verdict: 'match' | 'no_match';
  application: { id: string; appId: string; displayName: string };
  signature: { status: 'verified' | 'not_verified' | 'invalid'; reason?: string };
  structureProblem: string | null;
  issuerPolicy: { mode: string; checks: PolicyCheck[]; refusedBy: PolicyCheck | null };
  explanation: Explanation;
}

export interface SignIn {
  id: string;
  createdDateTime: string;
  appId: string;
  correlationId: string;
  status: { errorCode: number; failureReason: string | null; additionalDetails: string | null };
  applicationId: string | null;
  credentialName: string | null;
  credentialId: string | null;
  issuer: string | null;
  subject: string | null;
  audience: string | null;
  resource: string | null;
  result: 'success' | 'failure';
  errorCode: string | null;
  failedStep: string | null;
  traceId: string;
  latencyMs: number;
  policyAudit?: string | null;
  explanation?: Explanation | null;
  roles?: string[] | null;
  failureDetail?: string | null;
}

export interface TrustedIssuer {
  issuer: string;
  maxAssertionLifetimeSeconds: number | null;
  clockSkewSeconds: number | null;
  pinnedJwks: { kids: string[]; updatedAt: string | null } | null;
}

export interface IssuerPolicy {
  mode: 'off' | 'audit' | 'enforce';
  sharedIssuerGuard: boolean;
  trustedIssuers: TrustedIssuer[];
}

export interface TenantView {
  id: string;
  defaultDomain: string;
  displayName: string;
  createdDateTime: string;
  clientSecretPolicy: { mode: string; maxLifetimeSeconds: number };
}

/** Microsoft Graph's application id (a built-in resource in every credless tenant). */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
