/**
 * Directory objects, shaped like their Microsoft Graph counterparts (camelCase, Graph names) so that
 * the management API can serve them without a translation layer.
 * @module
 */
import type { ClientSecretPolicy, StoredPasswordCredential } from './client-secrets.ts';
import type { KeyCredential } from './key-credentials.ts';

export interface Tenant {
  /** GUID; also the organization id. */
  id: string;
  /** e.g. `contoso.credless.local`; a tenant is addressable by id or by this domain. */
  defaultDomain: string;
  /** The organization's display name (Graph `/organization` displayName). */
  displayName: string;
  createdDateTime: string;
  /** The tenant's client-secret policy when one was set (absent = DEFAULT_CLIENT_SECRET_POLICY). */
  clientSecretPolicy?: ClientSecretPolicy;
}

export interface AppRole {
  id: string;
  value: string;
  displayName: string;
  description: string;
  allowedMemberTypes: Array<'Application' | 'User'>;
  isEnabled: boolean;
  origin: 'Application';
}

export interface ResourceAccess {
  id: string;
  type: 'Role' | 'Scope';
}

export interface RequiredResourceAccess {
  resourceAppId: string;
  resourceAccess: ResourceAccess[];
}

export type AccessTokenVersion = 1 | 2;

export interface Application {
  /** Object id (GUID). */
  id: string;
  tenantId: string;
  /** Client id (GUID), unique within a tenant. */
  appId: string;
  displayName: string;
  identifierUris: string[];
  appRoles: AppRole[];
  requiredResourceAccess: RequiredResourceAccess[];
  /** null means v1, as in Entra. */
  accessTokenAcceptedVersion: AccessTokenVersion | null;
  /** Built-in resource applications (the Graph-compatible API) are not listed by the management API. */
  builtIn: boolean;
  createdDateTime: string;
  /** Certificate credentials (public certificates); absent or empty for federated-only applications. */
  keyCredentials?: KeyCredential[];
  /** Client secrets (hashed); absent or empty for applications without any. */
  passwordCredentials?: StoredPasswordCredential[];
}

export interface ServicePrincipal {
  /** Object id (GUID); `oid` and `sub` of tokens issued to this principal. */
  id: string;
  tenantId: string;
  appId: string;
  /** Object id of the application this principal instantiates. */
  applicationId: string;
  displayName: string;
  accountEnabled: boolean;
  appRoleAssignmentRequired: boolean;
  createdDateTime: string;
}

export interface AppRoleAssignment {
  id: string;
  tenantId: string;
  /** Service principal that holds the role. */
  principalId: string;
  principalType: 'ServicePrincipal';
  /** Resource service principal that defines the role. */
  resourceId: string;
  appRoleId: string;
  createdDateTime: string;
}

export interface FederatedIdentityCredential {
  id: string;
  tenantId: string;
  /** Object id of the owning application. */
  applicationId: string;
  name: string;
  issuer: string;
  /** Exact subject; null when the credential matches by `claimsMatchingExpression` instead. */
  subject: string | null;
  /** Entra's flexible credential expression; null for a subject credential (exactly one is set). */
  claimsMatchingExpression: ClaimsMatchingExpression | null;
  /** Exactly one entry, as Graph requires. */
  audiences: [string];
  description: string | null;
  createdDateTime: string;
}

/** Graph's federatedIdentityExpression. */
export interface ClaimsMatchingExpression {
  value: string;
  languageVersion: 1;
}

/** What a caller supplies to create a federated identity credential (Graph's request body). */
export interface FederatedIdentityCredentialInput {
  name: string;
  issuer: string;
  /** Either this or `claimsMatchingExpression`, never both. */
  subject?: string | null;
  claimsMatchingExpression?: { value: string; languageVersion: number } | null;
  audiences?: string[];
  description?: string | null;
}
