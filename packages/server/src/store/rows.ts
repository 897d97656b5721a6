/**
 * Conversions between database rows and directory objects. Rows hold epoch milliseconds, 0/1 integers
 * and JSON text; objects hold ISO strings, booleans and arrays.
 * @module
 */
import type {
  AccessTokenVersion,
  Application,
  AppRoleAssignment,
  FederatedIdentityCredential,
  ServicePrincipal,
  Tenant,
} from '@credless/core';
import type {
  ApplicationsTable,
  AppRoleAssignmentsTable,
  FederatedIdentityCredentialsTable,
  ServicePrincipalsTable,
  SigningKeysTable,
  TenantsTable,
} from './schema.ts';
import type { SigningKeyRecord } from './signing-key-record.ts';

/** PostgreSQL bigint may arrive as a string if a parser was not installed; accept both. */
export const toMillis = (value: number | string | bigint): number => Number(value);
export const isoString = (millis: number | string | bigint): string =>
  new Date(toMillis(millis)).toISOString();
export const toFlag = (value: boolean): number => (value ? 1 : 0);
const fromFlag = (value: number | string): boolean => Number(value) === 1;

export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

export const tenantFromRow = (row: TenantsTable): Tenant => ({
  id: row.id,
  defaultDomain: row.default_domain,
  displayName: row.display_name,
  createdDateTime: isoString(row.created_at),
  ...(row.client_secret_policy ? { clientSecretPolicy: parseJson(row.client_secret_policy) } : {}),
});

export const applicationFromRow = (row: ApplicationsTable): Application => ({
  id: row.id,
  tenantId: row.tenant_id,
  appId: row.app_id,
  displayName: row.display_name,
  identifierUris: parseJson(row.identifier_uris),
  appRoles: parseJson(row.app_roles),
  requiredResourceAccess: parseJson(row.required_resource_access),
  accessTokenAcceptedVersion:
    row.access_token_accepted_version === null
      ? null
      : (Number(row.access_token_accepted_version) as AccessTokenVersion),
  builtIn: fromFlag(row.built_in),
  createdDateTime: isoString(row.created_at),
  keyCredentials: parseJson(row.key_credentials ?? '[]'),
  // Only when there are any: most applications never hold a secret.
  ...(row.password_credentials && row.password_credentials !== '[]'
    ? { passwordCredentials: parseJson(row.password_credentials) }
    : {}),
});

export const servicePrincipalFromRow = (row: ServicePrincipalsTable): ServicePrincipal => ({
  id: row.id,
  tenantId: row.tenant_id,
  appId: row.app_id,
  applicationId: row.application_id,
  displayName: row.display_name,
  accountEnabled: fromFlag(row.account_enabled),
  appRoleAssignmentRequired: fromFlag(row.app_role_assignment_required),
  createdDateTime: isoString(row.created_at),
});

export const appRoleAssignmentFromRow = (row: AppRoleAssignmentsTable): AppRoleAssignment => ({
  id: row.id,
  tenantId: row.tenant_id,
  principalId: row.principal_id,
  principalType: 'ServicePrincipal',
  resourceId: row.resource_id,
  appRoleId: row.app_role_id,
  createdDateTime: isoString(row.created_at),
});

export const federatedCredentialFromRow = (
  row: FederatedIdentityCredentialsTable,
): FederatedIdentityCredential => ({
  id: row.id,
  tenantId: row.tenant_id,
  applicationId: row.application_id,
  name: row.name,
  issuer: row.issuer,
  subject: row.subject,
  claimsMatchingExpression:
    row.claims_matching_expression === null
      ? null
      : { value: row.claims_matching_expression, languageVersion: 1 },
  audiences: [row.audience],
  description: row.description,
  createdDateTime: isoString(row.created_at),
});

export const signingKeyFromRow = (row: SigningKeysTable): SigningKeyRecord => ({
  kid: row.kid,
  tenantId: row.tenant_id,
  publicJwk: parseJson(row.public_jwk),
  certificate: row.certificate,
  x5t: row.x5t,
  encryptedPrivateKey: row.encrypted_private_key,
  createdAt: new Date(toMillis(row.created_at)),
  activateAt: new Date(toMillis(row.activate_at)),
  retireAt: new Date(toMillis(row.retire_at)),
  expireAt: new Date(toMillis(row.expire_at)),
});

export const signingKeyToRow = (record: SigningKeyRecord): SigningKeysTable => ({
  tenant_id: record.tenantId,
  kid: record.kid,
  public_jwk: JSON.stringify({ kty: record.publicJwk.kty, n: record.publicJwk.n, e: record.publicJwk.e }),
  certificate: record.certificate,
  x5t: record.x5t,
  encrypted_private_key: record.encryptedPrivateKey,
  created_at: record.createdAt.getTime(),
  activate_at: record.activateAt.getTime(),
  retire_at: record.retireAt.getTime(),
  expire_at: record.expireAt.getTime(),
});
