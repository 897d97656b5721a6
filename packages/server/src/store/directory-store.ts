/**
 * The directory store port: everything credless persists, as one repository per aggregate over one
 * store context (kysely-directory-store.ts composes them). Directory writes are transactional, bump the
 * directory version and, once committed, reach every `onDirectoryChange` listener (the token path's
 * cache, the replicas' change feed). Consumers that need less should depend on the repository they use.
 * @module
 */
import type { AppRoleAssignmentsRepository } from './app-role-assignments.ts';
import type { ApplicationsRepository } from './applications.ts';
import type { ClustersRepository } from './clusters.ts';
import type { ConsoleSessionsRepository } from './console-sessions.ts';
import type { DirectoryChangeSource } from './directory-writes.ts';
import type { FederatedCredentialsRepository } from './federated-credentials.ts';
import type { GroupsRepository } from './groups.ts';
import type { IssuerPoliciesRepository } from './issuer-policies.ts';
import type { OAuth2PermissionGrantsRepository } from './oauth2-permission-grants.ts';
import type { PasswordCredentialsRepository } from './password-credentials.ts';
import type { ResourceGroupsRepository } from './resource-groups.ts';
import type { RoleAssignmentsRepository } from './role-assignments.ts';
import type { ServicePrincipalsRepository } from './service-principals.ts';
import type { SignInLogsRepository } from './sign-in-logs.ts';
import type { SigningKeysRepository } from './signing-keys.ts';
import type { TenantsRepository } from './tenants.ts';

export type { AppRoleAssignmentsRepository, CreateAppRoleAssignmentInput } from './app-role-assignments.ts';
export type {
  ApplicationsRepository,
  CreateApplicationInput,
  UpdateApplicationInput,
} from './applications.ts';
export type { ClusterRecord, ClustersRepository, EmulatedIssuerKey } from './clusters.ts';
export type {
  ConsoleSessionRecord,
  ConsoleSessionsRepository,
  ConsoleSignInCodeRecord,
} from './console-sessions.ts';
export type {
  DirectoryAggregate,
  DirectoryChange,
  DirectoryChangeListener,
  DirectoryChangeSource,
} from './directory-writes.ts';
export type { FederatedCredentialsRepository } from './federated-credentials.ts';
export type {
  CreateGroupInput,
  Group,
  GroupMember,
  GroupsRepository,
  UpdateGroupInput,
} from './groups.ts';
export type { IssuerPoliciesRepository, IssuerPolicyPatch, TrustedIssuerInput } from './issuer-policies.ts';
export type {
  ConsentType,
  CreateOAuth2PermissionGrantInput,
  OAuth2PermissionGrant,
  OAuth2PermissionGrantsRepository,
} from './oauth2-permission-grants.ts';
export type { PasswordCredentialsRepository } from './password-credentials.ts';
export type {
  PutResourceGroupInput,
  ResourceGroupRecord,
  ResourceGroupsRepository,
} from './resource-groups.ts';
export type {
  CreateRoleAssignmentInput,
  RoleAssignmentFilter,
  RoleAssignmentRecord,
  RoleAssignmentsRepository,
  RolePrincipalType,
} from './role-assignments.ts';
export type {
  CreateServicePrincipalInput,
  ServicePrincipalsRepository,
  UpdateServicePrincipalInput,
} from './service-principals.ts';
export type { SignInLogQuery, SignInLogRecord, SignInLogsRepository } from './sign-in-logs.ts';
export type { InsertSigningKeyOptions, SigningKeyRecord } from './signing-key-record.ts';
export type { SigningKeysRepository } from './signing-keys.ts';
export type { CreateTenantInput, TenantsRepository } from './tenants.ts';

/** Every repository of the store, one per aggregate; the store's methods are their union. */
export interface DirectoryRepositories
  extends TenantsRepository,
    ApplicationsRepository,
    PasswordCredentialsRepository,
    OAuth2PermissionGrantsRepository,
    ServicePrincipalsRepository,
    AppRoleAssignmentsRepository,
    FederatedCredentialsRepository,
    GroupsRepository,
    IssuerPoliciesRepository,
    ClustersRepository,
    RoleAssignmentsRepository,
    ResourceGroupsRepository,
    SigningKeysRepository,
    SignInLogsRepository,
    ConsoleSessionsRepository {}

export interface DirectoryStore extends DirectoryRepositories, DirectoryChangeSource {
  /** Applies pending migrations; safe to call on every start and from several processes. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Monotonic counter bumped by every directory write (any process). */
  getDirectoryVersion(): Promise<number>;
}
