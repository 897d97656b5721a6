/**
 * The directory store port: everything credless persists. One implementation (Kysely) serves both
 * embedded SQLite and PostgreSQL. Writes are transactional and bump the directory version so that
 * in-memory caches (here and in other processes) know to reload.
 * @module
 */
import type {
  AccessTokenVersion,
  Application,
  AppRole,
  AppRoleAssignment,
  AssertionCredentials,
  FederatedIdentityCredential,
  FederatedIdentityCredentialInput,
  KeyCredential,
  KeyCredentialInput,
  RequiredResourceAccess,
  ServicePrincipal,
  Tenant,
} from '@credless/core';
import type { ClusterRecord, EmulatedIssuerKey } from './clusters.ts';
import type { ExplanationCredentials } from './explain-credentials.ts';
import type { CreateGroupInput, Group, GroupMember, UpdateGroupInput } from './groups.ts';
import type { IssuerPolicyPatch, TrustedIssuerInput } from './issuer-policies.ts';
import type { CreateOAuth2PermissionGrantInput, OAuth2PermissionGrant } from './oauth2-permission-grants.ts';
import type {
  CreateRoleAssignmentInput,
  RoleAssignmentFilter,
  RoleAssignmentRecord,
} from './role-assignments.ts';
import type { UpdateServicePrincipalInput } from './service-principals.ts';
import type { SignInLogQuery, SignInLogRecord } from './sign-in-logs.ts';
import type { InsertSigningKeyOptions, SigningKeyRecord } from './signing-key-record.ts';

export type { ClusterRecord, EmulatedIssuerKey } from './clusters.ts';
export type { CreateGroupInput, Group, GroupMember, UpdateGroupInput } from './groups.ts';
export type { IssuerPolicyPatch, TrustedIssuerInput } from './issuer-policies.ts';
export type {
  ConsentType,
  CreateOAuth2PermissionGrantInput,
  OAuth2PermissionGrant,
} from './oauth2-permission-grants.ts';
export type {
  CreateRoleAssignmentInput,
  RoleAssignmentFilter,
  RoleAssignmentRecord,
  RolePrincipalType,
} from './role-assignments.ts';
export type { UpdateServicePrincipalInput } from './service-principals.ts';
export type { SignInLogQuery, SignInLogRecord } from './sign-in-logs.ts';
export type { InsertSigningKeyOptions, SigningKeyRecord } from './signing-key-record.ts';

export interface CreateTenantInput {
  id?: string;
  defaultDomain: string;
  displayName: string;
}

export interface CreateApplicationInput {
  displayName: string;
  appId?: string;
  identifierUris?: string[];
  appRoles?: AppRole[];
  requiredResourceAccess?: RequiredResourceAccess[];
  accessTokenAcceptedVersion?: AccessTokenVersion | null;
  builtIn?: boolean;
  /**
   * Certificate credentials (public certificates). On update the list replaces the stored one; an entry
   * naming a stored keyId without a `key` keeps that stored certificate (Graph GETs omit the key).
   */
  keyCredentials?: Array<KeyCredentialInput | (Partial<KeyCredential> & { keyId: string })>;
}

export type UpdateApplicationInput = Partial<Omit<CreateApplicationInput, 'appId' | 'builtIn'>>;

export interface CreateServicePrincipalInput {
  appId: string;
  accountEnabled?: boolean;
  appRoleAssignmentRequired?: boolean;
}

export interface CreateAppRoleAssignmentInput {
  principalId: string;
  resourceId: string;
  appRoleId: string;
}

export interface DirectoryStore {
  /** Applies pending migrations; safe to call on every start and from several processes. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /** Monotonic counter bumped by every directory write (any process). */
  getDirectoryVersion(): Promise<number>;

  createTenant(input: CreateTenantInput): Promise<Tenant>;
  /** By GUID id or default domain (domain compared case-insensitively, as DNS is). */
  findTenant(idOrDomain: string): Promise<Tenant | undefined>;
  listTenants(): Promise<Tenant[]>;
  updateTenant(tenantId: string, patch: { displayName?: string }): Promise<Tenant>;

  createApplication(tenantId: string, input: CreateApplicationInput): Promise<Application>;
  getApplication(tenantId: string, objectId: string): Promise<Application | undefined>;
  getApplicationByAppId(tenantId: string, appId: string): Promise<Application | undefined>;
  /** Resolves a resource identifier: an appId or one of the identifierUris (exact). */
  findApplicationByIdentifier(tenantId: string, identifier: string): Promise<Application | undefined>;
  listApplications(tenantId: string, options?: { includeBuiltIn?: boolean }): Promise<Application[]>;
  updateApplication(tenantId: string, objectId: string, patch: UpdateApplicationInput): Promise<Application>;
  /** Deletes the application, its service principal, credentials and role assignments. */
  deleteApplication(tenantId: string, objectId: string): Promise<void>;
  /** Client secrets (migration 0012): only their hashes are ever given to the store. */
  createPasswordCredential(
    tenantId: string,
    objectId: string,
    credential: import('@credless/core').StoredPasswordCredential,
  ): Promise<void>;
  /** not_found when the application holds no secret with this keyId. */
  deletePasswordCredential(tenantId: string, objectId: string, keyId: string): Promise<void>;
  /** The tenant's client secret policy; null returns it to the default (audit, one day). */
  updateClientSecretPolicy(
    tenantId: string,
    policy: import('@credless/core').ClientSecretPolicy | null,
  ): Promise<void>;

  /** Delegated permission grants (migration 0012): stored and shown, no effect on app-only tokens. */
  createOAuth2PermissionGrant(
    tenantId: string,
    input: CreateOAuth2PermissionGrantInput,
  ): Promise<OAuth2PermissionGrant>;
  listOAuth2PermissionGrants(tenantId: string): Promise<OAuth2PermissionGrant[]>;
  getOAuth2PermissionGrant(tenantId: string, id: string): Promise<OAuth2PermissionGrant | undefined>;
  updateOAuth2PermissionGrantScope(
    tenantId: string,
    id: string,
    scope: string,
  ): Promise<OAuth2PermissionGrant>;
  deleteOAuth2PermissionGrant(tenantId: string, id: string): Promise<void>;

  createServicePrincipal(tenantId: string, input: CreateServicePrincipalInput): Promise<ServicePrincipal>;
  getServicePrincipal(tenantId: string, objectId: string): Promise<ServicePrincipal | undefined>;
  getServicePrincipalByAppId(tenantId: string, appId: string): Promise<ServicePrincipal | undefined>;
  listServicePrincipals(tenantId: string): Promise<ServicePrincipal[]>;
  deleteServicePrincipal(tenantId: string, objectId: string): Promise<void>;
  updateServicePrincipal(
    tenantId: string,
    objectId: string,
    patch: UpdateServicePrincipalInput,
  ): Promise<ServicePrincipal>;

  /** Idempotent: the same (principal, resource, role) returns the existing assignment. */
  createAppRoleAssignment(tenantId: string, input: CreateAppRoleAssignmentInput): Promise<AppRoleAssignment>;
  listAppRoleAssignmentsByPrincipal(tenantId: string, principalId: string): Promise<AppRoleAssignment[]>;
  listAppRoleAssignmentsByResource(tenantId: string, resourceId: string): Promise<AppRoleAssignment[]>;
  deleteAppRoleAssignment(tenantId: string, assignmentId: string): Promise<void>;

  /**
   * Validates with Graph's rules, enforces (issuer, subject) uniqueness per app and the per-app limit
   * (`limit`, undefined = the store's configured default, null = unlimited).
   */
  createFederatedIdentityCredential(
    tenantId: string,
    applicationId: string,
    input: FederatedIdentityCredentialInput,
    options?: { limit?: number | null },
  ): Promise<FederatedIdentityCredential>;
  listFederatedIdentityCredentials(
    tenantId: string,
    applicationId: string,
  ): Promise<FederatedIdentityCredential[]>;
  getFederatedIdentityCredential(
    tenantId: string,
    applicationId: string,
    idOrName: string,
  ): Promise<FederatedIdentityCredential | undefined>;
  /** Credentials of one application naming this issuer exactly (all of them: not for the token path). */
  findFederatedIdentityCredentialsByIssuer(
    tenantId: string,
    applicationId: string,
    issuer: string,
  ): Promise<FederatedIdentityCredential[]>;
  /** Token-path probe, indexed: does any credential of this application name the issuer? */
  hasFederatedIdentityCredentialForIssuer(
    tenantId: string,
    applicationId: string,
    issuer: string,
  ): Promise<boolean>;
  /** Token-path lookup, indexed: exact-subject and expression credentials for one verified assertion. */
  findFederatedIdentityCredentialsForAssertion(
    tenantId: string,
    applicationId: string,
    issuer: string,
    subject: string,
  ): Promise<AssertionCredentials>;
  /** Failure-path probe: a subject credential whose subject differs from `subject` only in case. */
  hasFederatedIdentityCredentialSubjectIgnoringCase(
    tenantId: string,
    applicationId: string,
    issuer: string,
    subject: string,
  ): Promise<boolean>;
  /**
   * Failure-path and dry-run lookup (explanations): at most `limit` credentials of the application,
   * the ones most relevant to the token's issuer and subject first; never on the token path.
   */
  listFederatedIdentityCredentialsForExplanation(
    tenantId: string,
    applicationId: string,
    hint: { issuer?: string | undefined; subject?: string | undefined },
    limit: number,
  ): Promise<ExplanationCredentials>;
  /** True when any credential in any tenant names this issuer (guards which issuers may be fetched). */
  isKnownIssuer(issuer: string): Promise<boolean>;
  deleteFederatedIdentityCredential(tenantId: string, applicationId: string, idOrName: string): Promise<void>;
  /** Graph's PATCH: changes issuer, subject or expression, audiences, description (the name is immutable). */
  updateFederatedIdentityCredential(
    tenantId: string,
    applicationId: string,
    idOrName: string,
    patch: Partial<Omit<FederatedIdentityCredentialInput, 'name'>>,
  ): Promise<FederatedIdentityCredential>;

  createGroup(tenantId: string, input: CreateGroupInput): Promise<Group>;
  /** Graph's PATCH: displayName, mailNickname, description, mailEnabled, securityEnabled. */
  updateGroup(tenantId: string, groupId: string, patch: UpdateGroupInput): Promise<Group>;
  getGroup(tenantId: string, groupId: string): Promise<Group | undefined>;
  listGroups(tenantId: string): Promise<Group[]>;
  deleteGroup(tenantId: string, groupId: string): Promise<void>;
  /** Adds a service principal or group of the tenant; an existing member is `group_member_exists`. */
  createGroupMember(tenantId: string, groupId: string, memberId: string): Promise<void>;
  deleteGroupMember(tenantId: string, groupId: string, memberId: string): Promise<void>;
  listGroupMembers(tenantId: string, groupId: string): Promise<GroupMember[]>;
  /** Ids of the groups these objects are direct members of (Graph's memberOf, one level). */
  listGroupIdsOfMembers(tenantId: string, memberIds: readonly string[]): Promise<string[]>;

  /** The tenant's issuer policy; the default (mode off, shared-issuer guard on, no issuers) when unset. */
  getIssuerPolicy(tenantId: string): Promise<import('@credless/core').TenantIssuerPolicy>;
  updateIssuerPolicy(
    tenantId: string,
    patch: IssuerPolicyPatch,
  ): Promise<import('@credless/core').TenantIssuerPolicy>;
  /** Trusts an issuer or changes its settings; a pinned JWKS given here replaces the stored one. */
  upsertTrustedIssuer(
    tenantId: string,
    input: TrustedIssuerInput,
  ): Promise<import('@credless/core').TrustedIssuer>;
  deleteTrustedIssuer(tenantId: string, issuer: string): Promise<void>;

  /** Local clusters (migration 0008). Creating an existing one returns it (features only switched on). */
  createCluster(record: ClusterRecord): Promise<{ cluster: ClusterRecord; created: boolean }>;
  /** Resource group and name compare case-insensitively, as in ARM. */
  getCluster(tenantId: string, resourceGroup: string, name: string): Promise<ClusterRecord | undefined>;
  listClusters(tenantId: string, resourceGroup?: string): Promise<ClusterRecord[]>;
  /** Any tenant: the issuer URL is unique. */
  findClusterByIssuer(issuerUrl: string): Promise<ClusterRecord | undefined>;
  deleteCluster(tenantId: string, resourceGroup: string, name: string): Promise<void>;
  /** Signing keys of the other emulated issuers (e.g. 'github-actions'); insert keeps the first one stored. */
  getEmulatedIssuerKey(issuerName: string): Promise<EmulatedIssuerKey | undefined>;
  insertEmulatedIssuerKey(issuerName: string, key: EmulatedIssuerKey): Promise<EmulatedIssuerKey>;

  /** Azure RBAC role assignments (migration 0010). Creating an existing one returns it. */
  createRoleAssignment(
    tenantId: string,
    input: CreateRoleAssignmentInput,
  ): Promise<{ assignment: RoleAssignmentRecord; created: boolean }>;
  listRoleAssignments(tenantId: string, filter?: RoleAssignmentFilter): Promise<RoleAssignmentRecord[]>;
  /** By ARM id; not_found when there is none. */
  deleteRoleAssignment(tenantId: string, id: string): Promise<void>;
  /** Port of a local cluster's Kubernetes API listener (recorded by the running server). */
  getClusterApiPort(clusterId: string): Promise<number | undefined>;
  setClusterApiPort(clusterId: string, port: number): Promise<void>;

  insertSigningKey(record: SigningKeyRecord, options?: InsertSigningKeyOptions): Promise<void>;
  listSigningKeys(tenantId: string): Promise<SigningKeyRecord[]>;
  deleteSigningKey(tenantId: string, kid: string): Promise<void>;

  /** Sign-in logs: not directory changes, so these never bump the directory version. */
  insertSignInLogs(records: readonly SignInLogRecord[]): Promise<void>;
  /** Newest first; limit defaults to 100, at most 1000. */
  querySignInLogs(query: SignInLogQuery): Promise<SignInLogRecord[]>;
  /** Purges records created before `before` (every tenant); returns how many were deleted. */
  deleteSignInLogsBefore(before: Date): Promise<number>;
}
