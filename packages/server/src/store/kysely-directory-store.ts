/**
 * The directory store on Kysely: one implementation for embedded SQLite and PostgreSQL, composed of one
 * repository per aggregate over one store context each. Every directory write runs through the one
 * write runner (directory-writes.ts), whose post-commit hook the token path's cache and, on PostgreSQL,
 * the replicas' change feed (NOTIFY) listen to.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_FIC_LIMIT_PER_APP } from '@credless/core';
import { appRoleAssignmentsRepository } from './app-role-assignments.ts';
import { applicationsRepository } from './applications.ts';
import { notifyDirectoryChange } from './change-feed.ts';
import { clustersRepository } from './clusters.ts';
import { consoleSessionsRepository } from './console-sessions.ts';
import { type OpenDatabaseOptions, openDatabase } from './database.ts';
import type { DirectoryStore } from './directory-store.ts';
import { DirectoryWrites } from './directory-writes.ts';
import { federatedCredentialsRepository } from './federated-credentials.ts';
import { groupsRepository } from './groups.ts';
import { issuerPoliciesRepository } from './issuer-policies.ts';
import { migrateToLatest } from './migrations/index.ts';
import { oauth2PermissionGrantsRepository } from './oauth2-permission-grants.ts';
import { passwordCredentialsRepository } from './password-credentials.ts';
import { resourceGroupsRepository } from './resource-groups.ts';
import { roleAssignmentsRepository } from './role-assignments.ts';
import * as rows from './rows.ts';
import type { SqlDialectName } from './schema.ts';
import { servicePrincipalsRepository } from './service-principals.ts';
import { signInLogsRepository } from './sign-in-logs.ts';
import { signingKeysRepository } from './signing-keys.ts';
import type { Db } from './store-context.ts';
import { tenantsRepository } from './tenants.ts';

export interface KyselyDirectoryStoreOptions {
  db: Db;
  dialect: SqlDialectName;
  /** Default per-application limit on federated credentials; null = unlimited. */
  ficLimitPerApp?: number | null;
  now?: () => number;
  newId?: () => string;
  /** A change listener failed after a committed write (e.g. NOTIFY while the database went away). */
  onChangeListenerError?: (error: unknown) => void;
}

/** The repositories by name, for callers (and tests) that want one aggregate's view. */
export type NamedRepositories = ReturnType<typeof createRepositories>;

export interface KyselyDirectoryStore extends DirectoryStore {
  readonly repositories: NamedRepositories;
}

function createRepositories(writes: DirectoryWrites, db: Db, options: KyselyDirectoryStoreOptions) {
  const ficLimit = options.ficLimitPerApp === undefined ? DEFAULT_FIC_LIMIT_PER_APP : options.ficLimitPerApp;
  const context = (aggregate: Parameters<DirectoryWrites['contextFor']>[0]) => writes.contextFor(aggregate);
  return {
    tenants: tenantsRepository(context('tenants')),
    applications: applicationsRepository(context('applications')),
    passwordCredentials: passwordCredentialsRepository(context('passwordCredentials')),
    federatedCredentials: federatedCredentialsRepository(context('federatedCredentials'), ficLimit),
    servicePrincipals: servicePrincipalsRepository(context('servicePrincipals')),
    appRoleAssignments: appRoleAssignmentsRepository(context('appRoleAssignments')),
    oauth2PermissionGrants: oauth2PermissionGrantsRepository(context('oauth2PermissionGrants')),
    groups: groupsRepository(context('groups')),
    issuerPolicies: issuerPoliciesRepository(context('issuerPolicies')),
    signingKeys: signingKeysRepository(context('signingKeys')),
    clusters: clustersRepository(context('clusters')),
    roleAssignments: roleAssignmentsRepository(context('roleAssignments')),
    resourceGroups: resourceGroupsRepository(context('resourceGroups')),
    // Not a directory aggregate: built without a write runner at all.
    signInLogs: signInLogsRepository(db, options.dialect),
    // The web console's codes and sessions: not directory changes either.
    consoleSessions: consoleSessionsRepository(db),
  };
}

/** One object with every method of every repository (so the compiler checks none is missing). */
type AllMethods = UnionToIntersection<NamedRepositories[keyof NamedRepositories]>;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;

/** The union of the repositories' methods; two repositories naming the same method is a bug. */
function flatten(repositories: NamedRepositories): AllMethods {
  const flat: Record<string, unknown> = {};
  for (const [name, repository] of Object.entries(repositories)) {
    for (const [method, implementation] of Object.entries(repository)) {
      if (method in flat) throw new Error(`store method ${method} of ${name} is defined twice`);
      flat[method] = implementation;
    }
  }
  return flat as unknown as AllMethods;
}

/** A store over an open database; call `migrate()` before use, `close()` at the end. */
export function createKyselyDirectoryStore(options: KyselyDirectoryStoreOptions): KyselyDirectoryStore {
  const { db, dialect } = options;
  const writes = new DirectoryWrites(db, {
    now: options.now ?? Date.now,
    newId: options.newId ?? randomUUID,
    ...(options.onChangeListenerError ? { onListenerError: options.onChangeListenerError } : {}),
  });
  // Other processes sharing the database hear of the commit; their version poll covers a lost one.
  if (dialect === 'postgres') writes.onDirectoryChange(() => notifyDirectoryChange(db));
  const repositories = createRepositories(writes, db, options);
  return {
    ...flatten(repositories),
    repositories,
    onDirectoryChange: (listener) => writes.onDirectoryChange(listener),
    migrate: () => migrateToLatest(db, dialect),
    close: () => db.destroy(),
    async getDirectoryVersion() {
      const row = await db
        .selectFrom('directory_version')
        .select('version')
        .where('id', '=', 1)
        .executeTakeFirst();
      return row === undefined ? 0 : rows.toMillis(row.version);
    },
  };
}

export interface OpenDirectoryStoreOptions extends OpenDatabaseOptions {
  ficLimitPerApp?: number | null;
  now?: () => number;
  onChangeListenerError?: (error: unknown) => void;
}

/** Opens the database and returns a store over it; call `migrate()` before use, `close()` at the end. */
export async function openDirectoryStore(options: OpenDirectoryStoreOptions): Promise<KyselyDirectoryStore> {
  const { db, dialect } = await openDatabase(options);
  return createKyselyDirectoryStore({
    db,
    dialect,
    ...(options.ficLimitPerApp !== undefined ? { ficLimitPerApp: options.ficLimitPerApp } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
    ...(options.onChangeListenerError ? { onChangeListenerError: options.onChangeListenerError } : {}),
  });
}
