/**
 * The directory store on Kysely: one implementation for embedded SQLite and PostgreSQL. Every write
 * is one transaction that first bumps the directory version; that row lock serializes writers on
 * PostgreSQL (SQLite's BEGIN IMMEDIATE already does), so the existence and uniqueness checks inside
 * a write see every committed write. Unique indexes back the checks up.
 * @module
 */
import { randomUUID } from 'node:crypto';
import {
  type Application,
  type AppRoleAssignment,
  type AssertionCredentials,
  DEFAULT_FIC_LIMIT_PER_APP,
  type FederatedIdentityCredential,
  type FederatedIdentityCredentialInput,
  type ServicePrincipal,
  type Tenant,
} from '@credless/core';
import * as assignments from './app-role-assignments.ts';
import * as applications from './applications.ts';
import { TENANT_RESOURCE_APPLICATIONS } from './built-in-applications.ts';
import { notifyDirectoryChange } from './change-feed.ts';
import * as clusters from './clusters.ts';
import { type OpenDatabaseOptions, openDatabase } from './database.ts';
import type {
  CreateApplicationInput,
  CreateAppRoleAssignmentInput,
  CreateServicePrincipalInput,
  CreateTenantInput,
  DirectoryStore,
  InsertSigningKeyOptions,
  SigningKeyRecord,
  UpdateApplicationInput,
} from './directory-store.ts';
import {
  type ExplanationCredentials,
  findFederatedIdentityCredentialsForExplanation,
} from './explain-credentials.ts';
import * as credentials from './federated-credentials.ts';
import * as groups from './groups.ts';
import * as rules from './input-rules.ts';
import * as issuerPolicies from './issuer-policies.ts';
import { migrateToLatest } from './migrations/index.ts';
import * as grants from './oauth2-permission-grants.ts';
import * as passwords from './password-credentials.ts';
import * as roleAssignments from './role-assignments.ts';
import * as rows from './rows.ts';
import type { SqlDialectName } from './schema.ts';
import * as servicePrincipals from './service-principals.ts';
import * as signInLogs from './sign-in-logs.ts';
import * as signingKeys from './signing-keys.ts';
import { isUniqueViolation } from './sql-errors.ts';
import {
  applicationRow,
  type Db,
  duplicate,
  notFound,
  principalRow,
  requireTenant,
  type StoreContext,
} from './store-context.ts';

export interface KyselyDirectoryStoreOptions {
  db: Db;
  dialect: SqlDialectName;
  /** Default per-application limit on federated credentials; null = unlimited. */
  ficLimitPerApp?: number | null;
  now?: () => number;
  newId?: () => string;
}

export class KyselyDirectoryStore implements DirectoryStore {
  readonly #db: Db;
  readonly #dialect: SqlDialectName;
  readonly #ficLimit: number | null;
  readonly #now: () => number;
  readonly #newId: () => string;
  readonly #context: StoreContext;

  constructor(options: KyselyDirectoryStoreOptions) {
    this.#db = options.db;
    this.#dialect = options.dialect;
    this.#ficLimit =
      options.ficLimitPerApp === undefined ? DEFAULT_FIC_LIMIT_PER_APP : options.ficLimitPerApp;
    this.#now = options.now ?? Date.now;
    this.#newId = options.newId ?? randomUUID;
    this.#context = {
      db: this.#db,
      write: (work) => this.#write(work),
      now: () => this.#now(),
      newId: () => this.#newId(),
    };
  }

  async migrate(): Promise<void> {
    await migrateToLatest(this.#db, this.#dialect);
  }

  async close(): Promise<void> {
    await this.#db.destroy();
  }

  async getDirectoryVersion(): Promise<number> {
    const row = await this.#db
      .selectFrom('directory_version')
      .select('version')
      .where('id', '=', 1)
      .executeTakeFirst();
    return row === undefined ? 0 : rows.toMillis(row.version);
  }

  /**
   * Runs a write in a transaction that bumps the directory version first. A unique violation means a
   * concurrent writer slipped past the checks (not expected, given the lock); the write is run once
   * more so that its checks report the conflict with the proper error.
   */
  async #write<T>(work: (trx: Db) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#db.transaction().execute(async (trx) => {
          await trx
            .updateTable('directory_version')
            .set((eb) => ({ version: eb('version', '+', 1) }))
            .where('id', '=', 1)
            .execute();
          // Delivered at commit, so other replicas never hear of a write before it is visible.
          if (this.#dialect === 'postgres') await notifyDirectoryChange(trx);
          return work(trx);
        });
      } catch (error) {
        if (attempt >= 2 || !isUniqueViolation(error)) throw error;
      }
    }
  }

  // ---- tenants

  async createTenant(input: CreateTenantInput): Promise<Tenant> {
    const id = input.id === undefined ? this.#newId() : rules.normalizeTenantId(input.id);
    const defaultDomain = rules.normalizeDomain(input.defaultDomain);
    const displayName = rules.checkDisplayName(input.displayName);
    return this.#write(async (trx) => {
      const clash = await trx
        .selectFrom('tenants')
        .select(['id', 'default_domain'])
        .where((eb) => eb.or([eb('id', '=', id), eb('default_domain', '=', defaultDomain)]))
        .executeTakeFirst();
      if (clash?.id === id) throw duplicate('Tenant', 'id', id);
      if (clash !== undefined) throw duplicate('Tenant', 'defaultDomain', defaultDomain);
      const row = { id, default_domain: defaultDomain, display_name: displayName, created_at: this.#now() };
      await trx.insertInto('tenants').values(row).execute();
      for (const builtIn of TENANT_RESOURCE_APPLICATIONS) {
        const app = await applications.insertApplication(this.#context, trx, id, builtIn);
        await this.#insertServicePrincipal(trx, app, {});
      }
      return rows.tenantFromRow(row);
    });
  }

  async findTenant(idOrDomain: string): Promise<Tenant | undefined> {
    const key = idOrDomain.trim().toLowerCase();
    const row = await this.#db
      .selectFrom('tenants')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', key), eb('default_domain', '=', key)]))
      .executeTakeFirst();
    return row && rows.tenantFromRow(row);
  }

  async listTenants(): Promise<Tenant[]> {
    const found = await this.#db
      .selectFrom('tenants')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return found.map(rows.tenantFromRow);
  }

  async updateTenant(tenantId: string, patch: { displayName?: string }): Promise<Tenant> {
    const displayName =
      patch.displayName === undefined ? undefined : rules.checkDisplayName(patch.displayName);
    return this.#write(async (trx) => {
      await requireTenant(trx, tenantId);
      if (displayName !== undefined) {
        await trx
          .updateTable('tenants')
          .set({ display_name: displayName })
          .where('id', '=', tenantId)
          .execute();
      }
      const row = await trx
        .selectFrom('tenants')
        .selectAll()
        .where('id', '=', tenantId)
        .executeTakeFirstOrThrow();
      return rows.tenantFromRow(row);
    });
  }

  // ---- applications

  async createApplication(tenantId: string, input: CreateApplicationInput): Promise<Application> {
    return this.#write(async (trx) => {
      await requireTenant(trx, tenantId);
      return applications.insertApplication(this.#context, trx, tenantId, input);
    });
  }

  async getApplication(tenantId: string, objectId: string): Promise<Application | undefined> {
    const row = await applicationRow(this.#db, tenantId, 'id', objectId);
    return row && rows.applicationFromRow(row);
  }

  async getApplicationByAppId(tenantId: string, appId: string): Promise<Application | undefined> {
    const row = await applicationRow(this.#db, tenantId, 'app_id', appId);
    return row && rows.applicationFromRow(row);
  }

  findApplicationByIdentifier(tenantId: string, identifier: string): Promise<Application | undefined> {
    return applications.findApplicationByIdentifier(this.#db, tenantId, identifier);
  }

  listApplications(tenantId: string, options: { includeBuiltIn?: boolean } = {}): Promise<Application[]> {
    return applications.listApplications(this.#db, tenantId, options.includeBuiltIn === true);
  }

  updateApplication(tenantId: string, objectId: string, patch: UpdateApplicationInput): Promise<Application> {
    return applications.updateApplication(this.#context, tenantId, objectId, patch);
  }

  deleteApplication(tenantId: string, objectId: string): Promise<void> {
    return applications.deleteApplication(this.#context, tenantId, objectId);
  }

  // ---- client secrets and delegated permission grants (migration 0012)

  createPasswordCredential(
    tenantId: string,
    objectId: string,
    credential: import('@credless/core').StoredPasswordCredential,
  ): Promise<void> {
    return passwords.createPasswordCredential(this.#context, tenantId, objectId, credential);
  }

  deletePasswordCredential(tenantId: string, objectId: string, keyId: string): Promise<void> {
    return passwords.deletePasswordCredential(this.#context, tenantId, objectId, keyId);
  }

  updateClientSecretPolicy(tenantId: string, policy: import('@credless/core').ClientSecretPolicy | null) {
    return passwords.updateClientSecretPolicy(this.#context, tenantId, policy);
  }

  createOAuth2PermissionGrant(tenantId: string, input: grants.CreateOAuth2PermissionGrantInput) {
    return grants.createOAuth2PermissionGrant(this.#context, tenantId, input);
  }

  listOAuth2PermissionGrants(tenantId: string) {
    return grants.listOAuth2PermissionGrants(this.#db, tenantId);
  }

  getOAuth2PermissionGrant(tenantId: string, id: string) {
    return grants.getOAuth2PermissionGrant(this.#db, tenantId, id);
  }

  updateOAuth2PermissionGrantScope(tenantId: string, id: string, scope: string) {
    return grants.updateOAuth2PermissionGrantScope(this.#context, tenantId, id, scope);
  }

  deleteOAuth2PermissionGrant(tenantId: string, id: string): Promise<void> {
    return grants.deleteOAuth2PermissionGrant(this.#context, tenantId, id);
  }

  // ---- service principals

  async createServicePrincipal(
    tenantId: string,
    input: CreateServicePrincipalInput,
  ): Promise<ServicePrincipal> {
    return this.#write(async (trx) => {
      const app = await applicationRow(trx, tenantId, 'app_id', input.appId);
      if (app === undefined) throw notFound(input.appId);
      return this.#insertServicePrincipal(trx, rows.applicationFromRow(app), input);
    });
  }

  async #insertServicePrincipal(
    trx: Db,
    app: Application,
    input: Omit<CreateServicePrincipalInput, 'appId'>,
  ): Promise<ServicePrincipal> {
    const existing = await principalRow(trx, app.tenantId, 'app_id', app.appId);
    if (existing !== undefined) throw duplicate('ServicePrincipal', 'appId', app.appId);
    const row = {
      id: this.#newId(),
      tenant_id: app.tenantId,
      app_id: app.appId,
      application_id: app.id,
      display_name: app.displayName,
      account_enabled: rows.toFlag(input.accountEnabled ?? true),
      app_role_assignment_required: rows.toFlag(input.appRoleAssignmentRequired ?? false),
      created_at: this.#now(),
    };
    await trx.insertInto('service_principals').values(row).execute();
    return rows.servicePrincipalFromRow(row);
  }

  async getServicePrincipal(tenantId: string, objectId: string): Promise<ServicePrincipal | undefined> {
    const row = await principalRow(this.#db, tenantId, 'id', objectId);
    return row && rows.servicePrincipalFromRow(row);
  }

  async getServicePrincipalByAppId(tenantId: string, appId: string): Promise<ServicePrincipal | undefined> {
    const row = await principalRow(this.#db, tenantId, 'app_id', appId);
    return row && rows.servicePrincipalFromRow(row);
  }

  async listServicePrincipals(tenantId: string): Promise<ServicePrincipal[]> {
    const found = await this.#db
      .selectFrom('service_principals')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return found.map(rows.servicePrincipalFromRow);
  }

  async deleteServicePrincipal(tenantId: string, objectId: string): Promise<void> {
    await this.#write(async (trx) => {
      if ((await principalRow(trx, tenantId, 'id', objectId)) === undefined) throw notFound(objectId);
      await assignments.deletePrincipalRows(trx, objectId);
    });
  }

  updateServicePrincipal(
    tenantId: string,
    objectId: string,
    patch: servicePrincipals.UpdateServicePrincipalInput,
  ): Promise<ServicePrincipal> {
    return servicePrincipals.updateServicePrincipal(this.#context, tenantId, objectId, patch);
  }

  // ---- app role assignments

  createAppRoleAssignment(tenantId: string, input: CreateAppRoleAssignmentInput): Promise<AppRoleAssignment> {
    return assignments.createAppRoleAssignment(this.#context, tenantId, input);
  }

  listAppRoleAssignmentsByPrincipal(tenantId: string, principalId: string): Promise<AppRoleAssignment[]> {
    return assignments.listAppRoleAssignments(this.#db, tenantId, 'principal_id', principalId);
  }

  listAppRoleAssignmentsByResource(tenantId: string, resourceId: string): Promise<AppRoleAssignment[]> {
    return assignments.listAppRoleAssignments(this.#db, tenantId, 'resource_id', resourceId);
  }

  deleteAppRoleAssignment(tenantId: string, assignmentId: string): Promise<void> {
    return assignments.deleteAppRoleAssignment(this.#context, tenantId, assignmentId);
  }

  // ---- federated identity credentials

  createFederatedIdentityCredential(
    tenantId: string,
    applicationId: string,
    input: FederatedIdentityCredentialInput,
    options: { limit?: number | null } = {},
  ): Promise<FederatedIdentityCredential> {
    const limit = options.limit === undefined ? this.#ficLimit : options.limit;
    return credentials.createFederatedIdentityCredential(
      this.#context,
      tenantId,
      applicationId,
      input,
      limit,
    );
  }

  listFederatedIdentityCredentials(
    tenantId: string,
    applicationId: string,
  ): Promise<FederatedIdentityCredential[]> {
    return credentials.listFederatedIdentityCredentials(this.#db, tenantId, applicationId);
  }

  getFederatedIdentityCredential(
    tenantId: string,
    applicationId: string,
    idOrName: string,
  ): Promise<FederatedIdentityCredential | undefined> {
    return credentials.getFederatedIdentityCredential(this.#db, tenantId, applicationId, idOrName);
  }

  findFederatedIdentityCredentialsByIssuer(
    tenantId: string,
    applicationId: string,
    issuer: string,
  ): Promise<FederatedIdentityCredential[]> {
    return credentials.findFederatedIdentityCredentialsByIssuer(this.#db, tenantId, applicationId, issuer);
  }

  hasFederatedIdentityCredentialForIssuer(
    tenantId: string,
    applicationId: string,
    issuer: string,
  ): Promise<boolean> {
    return credentials.hasCredentialForIssuer(this.#db, tenantId, applicationId, issuer);
  }

  findFederatedIdentityCredentialsForAssertion(
    tenantId: string,
    applicationId: string,
    issuer: string,
    subject: string,
  ): Promise<AssertionCredentials> {
    return credentials.findFederatedIdentityCredentialsForAssertion(
      this.#db,
      tenantId,
      applicationId,
      issuer,
      subject,
    );
  }

  hasFederatedIdentityCredentialSubjectIgnoringCase(
    tenantId: string,
    applicationId: string,
    issuer: string,
    subject: string,
  ): Promise<boolean> {
    return credentials.hasSubjectIgnoringCase(this.#db, tenantId, applicationId, issuer, subject);
  }

  isKnownIssuer(issuer: string): Promise<boolean> {
    return credentials.isKnownIssuer(this.#db, issuer);
  }

  listFederatedIdentityCredentialsForExplanation(
    tenantId: string,
    applicationId: string,
    hint: { issuer?: string | undefined; subject?: string | undefined },
    limit: number,
  ): Promise<ExplanationCredentials> {
    return findFederatedIdentityCredentialsForExplanation(this.#db, tenantId, applicationId, hint, limit);
  }

  deleteFederatedIdentityCredential(
    tenantId: string,
    applicationId: string,
    idOrName: string,
  ): Promise<void> {
    return credentials.deleteFederatedIdentityCredential(this.#context, tenantId, applicationId, idOrName);
  }

  updateFederatedIdentityCredential(
    tenantId: string,
    applicationId: string,
    idOrName: string,
    patch: Partial<Omit<FederatedIdentityCredentialInput, 'name'>>,
  ): Promise<FederatedIdentityCredential> {
    return credentials.updateFederatedIdentityCredential(
      this.#context,
      tenantId,
      applicationId,
      idOrName,
      patch,
    );
  }

  // ---- groups

  createGroup(tenantId: string, input: groups.CreateGroupInput): Promise<groups.Group> {
    return groups.createGroup(this.#context, tenantId, input);
  }

  updateGroup(tenantId: string, groupId: string, patch: groups.UpdateGroupInput): Promise<groups.Group> {
    return groups.updateGroup(this.#context, tenantId, groupId, patch);
  }

  getGroup(tenantId: string, groupId: string): Promise<groups.Group | undefined> {
    return groups.getGroup(this.#db, tenantId, groupId);
  }

  listGroups(tenantId: string): Promise<groups.Group[]> {
    return groups.listGroups(this.#db, tenantId);
  }

  deleteGroup(tenantId: string, groupId: string): Promise<void> {
    return groups.deleteGroup(this.#context, tenantId, groupId);
  }

  createGroupMember(tenantId: string, groupId: string, memberId: string): Promise<void> {
    return groups.createGroupMember(this.#context, tenantId, groupId, memberId);
  }

  deleteGroupMember(tenantId: string, groupId: string, memberId: string): Promise<void> {
    return groups.deleteGroupMember(this.#context, tenantId, groupId, memberId);
  }

  listGroupMembers(tenantId: string, groupId: string): Promise<groups.GroupMember[]> {
    return groups.listGroupMembers(this.#db, tenantId, groupId);
  }

  listGroupIdsOfMembers(tenantId: string, memberIds: readonly string[]): Promise<string[]> {
    return groups.listGroupIdsOfMembers(this.#db, tenantId, memberIds);
  }

  // ---- issuer policy

  getIssuerPolicy(tenantId: string) {
    return issuerPolicies.getIssuerPolicy(this.#db, tenantId);
  }

  updateIssuerPolicy(tenantId: string, patch: issuerPolicies.IssuerPolicyPatch) {
    return issuerPolicies.updateIssuerPolicy(this.#context, tenantId, patch);
  }

  upsertTrustedIssuer(tenantId: string, input: issuerPolicies.TrustedIssuerInput) {
    return issuerPolicies.upsertTrustedIssuer(this.#context, tenantId, input);
  }

  deleteTrustedIssuer(tenantId: string, issuer: string): Promise<void> {
    return issuerPolicies.deleteTrustedIssuer(this.#context, tenantId, issuer);
  }

  // ---- local clusters and emulated issuer keys (migration 0008)

  createCluster(record: clusters.ClusterRecord) {
    return clusters.createCluster(this.#context, record);
  }

  getCluster(tenantId: string, resourceGroup: string, name: string) {
    return clusters.getCluster(this.#db, tenantId, resourceGroup, name);
  }

  listClusters(tenantId: string, resourceGroup?: string) {
    return clusters.listClusters(this.#db, tenantId, resourceGroup);
  }

  findClusterByIssuer(issuerUrl: string) {
    return clusters.findClusterByIssuer(this.#db, issuerUrl);
  }

  deleteCluster(tenantId: string, resourceGroup: string, name: string): Promise<void> {
    return clusters.deleteCluster(this.#context, tenantId, resourceGroup, name);
  }

  getEmulatedIssuerKey(issuerName: string) {
    return clusters.getEmulatedIssuerKey(this.#db, issuerName);
  }

  insertEmulatedIssuerKey(issuerName: string, key: clusters.EmulatedIssuerKey) {
    return clusters.insertEmulatedIssuerKey(this.#context, issuerName, key);
  }

  // ---- Azure RBAC role assignments (migration 0010)

  createRoleAssignment(tenantId: string, input: roleAssignments.CreateRoleAssignmentInput) {
    return roleAssignments.createRoleAssignment(this.#context, tenantId, input);
  }

  listRoleAssignments(tenantId: string, filter?: roleAssignments.RoleAssignmentFilter) {
    return roleAssignments.listRoleAssignments(this.#db, tenantId, filter);
  }

  deleteRoleAssignment(tenantId: string, id: string): Promise<void> {
    return roleAssignments.deleteRoleAssignment(this.#context, tenantId, id);
  }

  getClusterApiPort(clusterId: string) {
    return roleAssignments.getClusterApiPort(this.#db, clusterId);
  }

  // Plain statement, not #write: where a listener runs is not a directory change.
  setClusterApiPort(clusterId: string, port: number): Promise<void> {
    return roleAssignments.setClusterApiPort(this.#db, clusterId, port, this.#now());
  }

  // ---- signing keys

  insertSigningKey(record: SigningKeyRecord, options?: InsertSigningKeyOptions): Promise<void> {
    return signingKeys.insertSigningKey(this.#context, record, options);
  }

  listSigningKeys(tenantId: string): Promise<SigningKeyRecord[]> {
    return signingKeys.listSigningKeys(this.#db, tenantId);
  }

  deleteSigningKey(tenantId: string, kid: string): Promise<void> {
    return signingKeys.deleteSigningKey(this.#context, tenantId, kid);
  }

  // ---- sign-in logs (plain statements, not #write: they are not directory changes)

  insertSignInLogs(records: readonly signInLogs.SignInLogRecord[]): Promise<void> {
    return signInLogs.insertSignInLogs(this.#db, this.#dialect, records);
  }

  querySignInLogs(query: signInLogs.SignInLogQuery): Promise<signInLogs.SignInLogRecord[]> {
    return signInLogs.querySignInLogs(this.#db, query);
  }

  deleteSignInLogsBefore(before: Date): Promise<number> {
    return signInLogs.deleteSignInLogsBefore(this.#db, before);
  }
}

export interface OpenDirectoryStoreOptions extends OpenDatabaseOptions {
  ficLimitPerApp?: number | null;
  now?: () => number;
}

/** Opens the database and returns a store over it; call `migrate()` before use, `close()` at the end. */
export async function openDirectoryStore(options: OpenDirectoryStoreOptions): Promise<KyselyDirectoryStore> {
  const { db, dialect } = await openDatabase(options);
  return new KyselyDirectoryStore({
    db,
    dialect,
    ...(options.ficLimitPerApp !== undefined ? { ficLimitPerApp: options.ficLimitPerApp } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
}
