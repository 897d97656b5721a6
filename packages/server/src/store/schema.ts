/**
 * Kysely table types of the directory database. Columns are snake_case; timestamps are epoch
 * milliseconds (bigint in PostgreSQL, read back as numbers); booleans are integers 0/1 on both
 * dialects; JSON-valued fields are text.
 * @module
 */

export interface TenantsTable {
  id: string;
  /** Stored lowercased; looked up lowercased. */
  default_domain: string;
  display_name: string;
  created_at: number;
  /** JSON ClientSecretPolicy; null = the default (migration 0012). Optional on insert. */
  client_secret_policy?: string | null;
}

export interface ApplicationsTable {
  id: string;
  tenant_id: string;
  app_id: string;
  display_name: string;
  /** JSON array of strings; mirrored in application_identifier_uris for lookups. */
  identifier_uris: string;
  /** JSON array of AppRole. */
  app_roles: string;
  /** JSON array of RequiredResourceAccess. */
  required_resource_access: string;
  access_token_accepted_version: number | null;
  built_in: number;
  created_at: number;
  /** JSON array of KeyCredential (public certificates; migration 0007). Optional on insert. */
  key_credentials?: string;
  /** JSON array of StoredPasswordCredential (hashed client secrets; migration 0012). Optional on insert. */
  password_credentials?: string;
}

/** One row per identifier URI, so that resolving a resource is an indexed lookup. */
export interface ApplicationIdentifierUrisTable {
  tenant_id: string;
  uri: string;
  application_id: string;
}

export interface ServicePrincipalsTable {
  id: string;
  tenant_id: string;
  app_id: string;
  application_id: string;
  display_name: string;
  account_enabled: number;
  app_role_assignment_required: number;
  created_at: number;
}

export interface AppRoleAssignmentsTable {
  id: string;
  tenant_id: string;
  principal_id: string;
  resource_id: string;
  app_role_id: string;
  created_at: number;
}

export interface FederatedIdentityCredentialsTable {
  id: string;
  tenant_id: string;
  application_id: string;
  name: string;
  issuer: string;
  /** Null for an expression credential (migration 0002). */
  subject: string | null;
  /** The expression text (languageVersion 1); null for a subject credential. */
  claims_matching_expression: string | null;
  /** Graph's `audiences` always holds exactly one value. */
  audience: string;
  description: string | null;
  created_at: number;
}

/** A single row (id = 1) whose version every write increments. */
export interface DirectoryVersionTable {
  id: number;
  version: number;
}

export interface SigningKeysTable {
  tenant_id: string;
  kid: string;
  /** JSON of the public JWK. */
  public_jwk: string;
  certificate: string;
  x5t: string;
  encrypted_private_key: string;
  created_at: number;
  activate_at: number;
  retire_at: number;
  expire_at: number;
}

/** Groups (migration 0007). */
export interface GroupsTable {
  id: string;
  tenant_id: string;
  display_name: string;
  mail_nickname: string;
  mail_enabled: number;
  security_enabled: number;
  description: string | null;
  created_at: number;
}

/** A directory object (service principal or group) in a group (migration 0007). */
export interface GroupMembersTable {
  group_id: string;
  tenant_id: string;
  member_id: string;
  created_at: number;
}

/** A delegated permission grant (Graph oauth2PermissionGrant; migration 0012). */
export interface OAuth2PermissionGrantsTable {
  id: string;
  tenant_id: string;
  client_id: string;
  resource_id: string;
  consent_type: string;
  principal_id: string | null;
  scope: string;
  created_at: number;
}

export interface DatabaseSchema {
  tenants: TenantsTable;
  applications: ApplicationsTable;
  application_identifier_uris: ApplicationIdentifierUrisTable;
  service_principals: ServicePrincipalsTable;
  app_role_assignments: AppRoleAssignmentsTable;
  federated_identity_credentials: FederatedIdentityCredentialsTable;
  directory_version: DirectoryVersionTable;
  signing_keys: SigningKeysTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  oauth2_permission_grants: OAuth2PermissionGrantsTable;
}

export type SqlDialectName = 'sqlite' | 'postgres';
