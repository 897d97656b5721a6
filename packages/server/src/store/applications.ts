/**
 * Applications and their identifier URIs. The URIs live in the row (as JSON, for reading) and in a
 * side table with a unique (tenant, uri) key, so resolving a resource by URI is one indexed lookup and
 * a URI can belong to only one application per tenant.
 * @module
 */
import {
  type AccessTokenVersion,
  type Application,
  type AppRole,
  type KeyCredential,
  type KeyCredentialInput,
  normalizeKeyCredential,
  type RequiredResourceAccess,
} from '@credless/core';
import { deletePrincipalRows } from './app-role-assignments.ts';
import * as rules from './input-rules.ts';
import * as rows from './rows.ts';
import type { ApplicationsTable } from './schema.ts';
import {
  applicationRow,
  type Db,
  duplicate,
  invalid,
  notFound,
  requireTenant,
  type StoreContext,
} from './store-context.ts';

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

export interface ApplicationsRepository {
  createApplication(tenantId: string, input: CreateApplicationInput): Promise<Application>;
  getApplication(tenantId: string, objectId: string): Promise<Application | undefined>;
  getApplicationByAppId(tenantId: string, appId: string): Promise<Application | undefined>;
  /** Resolves a resource identifier: an appId or one of the identifierUris (exact). */
  findApplicationByIdentifier(tenantId: string, identifier: string): Promise<Application | undefined>;
  listApplications(tenantId: string, options?: { includeBuiltIn?: boolean }): Promise<Application[]>;
  updateApplication(tenantId: string, objectId: string, patch: UpdateApplicationInput): Promise<Application>;
  /** Deletes the application, its service principal, credentials and role assignments. */
  deleteApplication(tenantId: string, objectId: string): Promise<void>;
}

export function applicationsRepository(ctx: StoreContext): ApplicationsRepository {
  const byColumn = async (tenantId: string, column: 'id' | 'app_id', value: string) => {
    const row = await applicationRow(ctx.db, tenantId, column, value);
    return row && rows.applicationFromRow(row);
  };
  return {
    createApplication: (tenantId, input) =>
      ctx.write(async (trx) => {
        await requireTenant(trx, tenantId);
        return insertApplication(ctx, trx, tenantId, input);
      }),
    getApplication: (tenantId, objectId) => byColumn(tenantId, 'id', objectId),
    getApplicationByAppId: (tenantId, appId) => byColumn(tenantId, 'app_id', appId),
    findApplicationByIdentifier: (tenantId, identifier) =>
      findApplicationByIdentifier(ctx.db, tenantId, identifier),
    listApplications: (tenantId, options = {}) =>
      listApplications(ctx.db, tenantId, options.includeBuiltIn === true),
    updateApplication: (tenantId, objectId, patch) => updateApplication(ctx, tenantId, objectId, patch),
    deleteApplication: (tenantId, objectId) => deleteApplication(ctx, tenantId, objectId),
  };
}

/** Inserts an application inside the caller's write transaction (the tenant must exist). */
export async function insertApplication(
  ctx: StoreContext,
  trx: Db,
  tenantId: string,
  input: CreateApplicationInput,
): Promise<Application> {
  const identifierUris = rules.checkIdentifierUris(input.identifierUris ?? []);
  const row: ApplicationsTable = {
    id: ctx.newId(),
    tenant_id: tenantId,
    app_id: input.appId === undefined ? ctx.newId() : rules.checkAppId(input.appId),
    display_name: rules.checkDisplayName(input.displayName),
    identifier_uris: JSON.stringify(identifierUris),
    app_roles: JSON.stringify(rules.checkAppRoles(input.appRoles ?? [])),
    required_resource_access: JSON.stringify(
      rules.checkRequiredResourceAccess(input.requiredResourceAccess ?? []),
    ),
    access_token_accepted_version: rules.checkAccessTokenVersion(input.accessTokenAcceptedVersion),
    built_in: rows.toFlag(input.builtIn === true),
    created_at: ctx.now(),
    key_credentials: JSON.stringify(keyCredentials(ctx, input.keyCredentials ?? [], [])),
  };
  if (await applicationRow(trx, tenantId, 'app_id', row.app_id)) {
    throw duplicate('Application', 'appId', row.app_id);
  }
  await checkIdentifierUrisFree(trx, tenantId, identifierUris, undefined);
  await trx.insertInto('applications').values(row).execute();
  await insertIdentifierUris(trx, row, identifierUris);
  return rows.applicationFromRow(row);
}

/** Normalizes certificate credentials; a stored keyId given without a key keeps its certificate. */
function keyCredentials(
  ctx: StoreContext,
  input: NonNullable<CreateApplicationInput['keyCredentials']>,
  stored: readonly KeyCredential[],
): KeyCredential[] {
  if (!Array.isArray(input)) throw invalid('keyCredentials', 'must be an array');
  const result: KeyCredential[] = [];
  for (const entry of input) {
    const kept = typeof entry?.key !== 'string' ? stored.find((s) => s.keyId === entry?.keyId) : undefined;
    const credential =
      kept ?? normalizeKeyCredential(entry as Parameters<typeof normalizeKeyCredential>[0], ctx.newId);
    if (result.some((other) => other.keyId === credential.keyId)) {
      throw invalid('keyCredentials', `keyId ${credential.keyId} appears twice`);
    }
    result.push(credential);
  }
  return result;
}

async function checkIdentifierUrisFree(
  trx: Db,
  tenantId: string,
  uris: string[],
  ownerId: string | undefined,
) {
  if (uris.length === 0) return;
  const taken = await trx
    .selectFrom('application_identifier_uris')
    .select('uri')
    .where('tenant_id', '=', tenantId)
    .where('uri', 'in', uris)
    .$if(ownerId !== undefined, (qb) => qb.where('application_id', '!=', ownerId as string))
    .executeTakeFirst();
  if (taken !== undefined) throw duplicate('Application', 'identifierUris', taken.uri);
}

async function insertIdentifierUris(trx: Db, app: ApplicationsTable, uris: string[]): Promise<void> {
  if (uris.length === 0) return;
  await trx
    .insertInto('application_identifier_uris')
    .values(uris.map((uri) => ({ tenant_id: app.tenant_id, uri, application_id: app.id })))
    .execute();
}

/** An appId or, failing that, an identifier URI; both exact. */
export async function findApplicationByIdentifier(
  db: Db,
  tenantId: string,
  identifier: string,
): Promise<Application | undefined> {
  const row =
    (await applicationRow(db, tenantId, 'app_id', identifier)) ??
    (await db
      .selectFrom('application_identifier_uris as u')
      .innerJoin('applications as a', 'a.id', 'u.application_id')
      .selectAll('a')
      .where('u.tenant_id', '=', tenantId)
      .where('u.uri', '=', identifier)
      .executeTakeFirst());
  return row && rows.applicationFromRow(row);
}

export async function listApplications(
  db: Db,
  tenantId: string,
  includeBuiltIn: boolean,
): Promise<Application[]> {
  const found = await db
    .selectFrom('applications')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .$if(!includeBuiltIn, (qb) => qb.where('built_in', '=', 0))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return found.map(rows.applicationFromRow);
}

export async function updateApplication(
  ctx: StoreContext,
  tenantId: string,
  objectId: string,
  patch: UpdateApplicationInput,
): Promise<Application> {
  return ctx.write(async (trx) => {
    const current = await applicationRow(trx, tenantId, 'id', objectId);
    if (current === undefined) throw notFound(objectId);
    const next: ApplicationsTable = { ...current };
    if (patch.displayName !== undefined) next.display_name = rules.checkDisplayName(patch.displayName);
    if (patch.appRoles !== undefined) next.app_roles = JSON.stringify(rules.checkAppRoles(patch.appRoles));
    if (patch.requiredResourceAccess !== undefined) {
      next.required_resource_access = JSON.stringify(
        rules.checkRequiredResourceAccess(patch.requiredResourceAccess),
      );
    }
    if (patch.accessTokenAcceptedVersion !== undefined) {
      next.access_token_accepted_version = rules.checkAccessTokenVersion(patch.accessTokenAcceptedVersion);
    }
    if (patch.identifierUris !== undefined) {
      const uris = rules.checkIdentifierUris(patch.identifierUris);
      await checkIdentifierUrisFree(trx, tenantId, uris, objectId);
      await trx.deleteFrom('application_identifier_uris').where('application_id', '=', objectId).execute();
      await insertIdentifierUris(trx, current, uris);
      next.identifier_uris = JSON.stringify(uris);
    }
    if (patch.keyCredentials !== undefined) {
      const stored = rows.parseJson<KeyCredential[]>(current.key_credentials ?? '[]');
      next.key_credentials = JSON.stringify(keyCredentials(ctx, patch.keyCredentials, stored));
    }
    await trx
      .updateTable('applications')
      .set({
        display_name: next.display_name,
        identifier_uris: next.identifier_uris,
        app_roles: next.app_roles,
        required_resource_access: next.required_resource_access,
        access_token_accepted_version: next.access_token_accepted_version,
        key_credentials: next.key_credentials ?? '[]',
      })
      .where('id', '=', objectId)
      .execute();
    // The service principal shows its application's name.
    await trx
      .updateTable('service_principals')
      .set({ display_name: next.display_name })
      .where('application_id', '=', objectId)
      .execute();
    return rows.applicationFromRow(next);
  });
}

/** Removes the application with its service principal, role assignments, credentials and URIs. */
export async function deleteApplication(
  ctx: StoreContext,
  tenantId: string,
  objectId: string,
): Promise<void> {
  await ctx.write(async (trx) => {
    if ((await applicationRow(trx, tenantId, 'id', objectId)) === undefined) throw notFound(objectId);
    const principal = await trx
      .selectFrom('service_principals')
      .select('id')
      .where('application_id', '=', objectId)
      .executeTakeFirst();
    if (principal !== undefined) await deletePrincipalRows(trx, principal.id);
    await trx.deleteFrom('federated_identity_credentials').where('application_id', '=', objectId).execute();
    await trx.deleteFrom('application_identifier_uris').where('application_id', '=', objectId).execute();
    await trx.deleteFrom('applications').where('id', '=', objectId).execute();
  });
}
