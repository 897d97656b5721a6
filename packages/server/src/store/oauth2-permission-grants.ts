/**
 * Delegated permission grants (Graph `oauth2PermissionGrants`): which client may call which resource
 * with which delegated scopes, for all principals or one. credless issues app-only tokens, so grants
 * are stored and shown (az writes and lists them) but never change a token.
 * @module
 */
import { isoString } from './rows.ts';
import type { OAuth2PermissionGrantsTable } from './schema.ts';
import { type Db, invalid, notFound, principalRow, type StoreContext } from './store-context.ts';

export type ConsentType = 'AllPrincipals' | 'Principal';

export interface OAuth2PermissionGrant {
  id: string;
  tenantId: string;
  /** Object id of the client's service principal. */
  clientId: string;
  /** Object id of the resource's service principal. */
  resourceId: string;
  consentType: ConsentType;
  principalId: string | null;
  /** Space-separated delegated permission values. */
  scope: string;
  createdDateTime: string;
}

export interface CreateOAuth2PermissionGrantInput {
  clientId: string;
  resourceId: string;
  consentType: ConsentType;
  principalId?: string | null;
  scope: string;
}

const MAX_SCOPE_LENGTH = 3850;

const fromRow = (row: OAuth2PermissionGrantsTable): OAuth2PermissionGrant => ({
  id: row.id,
  tenantId: row.tenant_id,
  clientId: row.client_id,
  resourceId: row.resource_id,
  consentType: row.consent_type as ConsentType,
  principalId: row.principal_id,
  scope: row.scope,
  createdDateTime: isoString(row.created_at),
});

function checkScope(scope: unknown): string {
  if (typeof scope !== 'string' || scope.length > MAX_SCOPE_LENGTH || !/^[ -~]*$/.test(scope)) {
    throw invalid(
      'scope',
      `must be space-separated permission values, at most ${MAX_SCOPE_LENGTH} characters`,
    );
  }
  return scope;
}

export async function createOAuth2PermissionGrant(
  ctx: StoreContext,
  tenantId: string,
  input: CreateOAuth2PermissionGrantInput,
): Promise<OAuth2PermissionGrant> {
  if (input.consentType !== 'AllPrincipals' && input.consentType !== 'Principal') {
    throw invalid('consentType', "must be 'AllPrincipals' or 'Principal'");
  }
  // credless has no users: a Principal grant names a service principal of the tenant.
  const principalId = input.consentType === 'Principal' ? (input.principalId ?? null) : null;
  if (input.consentType === 'Principal' && principalId === null) {
    throw invalid('principalId', "is required when consentType is 'Principal'");
  }
  const scope = checkScope(input.scope);
  return ctx.write(async (trx) => {
    for (const [field, id] of [
      ['clientId', input.clientId],
      ['resourceId', input.resourceId],
      ...(principalId === null ? [] : [['principalId', principalId]]),
    ] as const) {
      if ((await principalRow(trx, tenantId, 'id', id)) === undefined) {
        throw invalid(field, `no service principal '${id}' in this tenant`);
      }
    }
    const row: OAuth2PermissionGrantsTable = {
      id: ctx.newId(),
      tenant_id: tenantId,
      client_id: input.clientId,
      resource_id: input.resourceId,
      consent_type: input.consentType,
      principal_id: principalId,
      scope,
      created_at: ctx.now(),
    };
    await trx.insertInto('oauth2_permission_grants').values(row).execute();
    return fromRow(row);
  });
}

export async function listOAuth2PermissionGrants(db: Db, tenantId: string): Promise<OAuth2PermissionGrant[]> {
  const found = await db
    .selectFrom('oauth2_permission_grants')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return found.map(fromRow);
}

export async function getOAuth2PermissionGrant(
  db: Db,
  tenantId: string,
  id: string,
): Promise<OAuth2PermissionGrant | undefined> {
  const row = await db
    .selectFrom('oauth2_permission_grants')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && fromRow(row);
}

/** Graph's PATCH changes only the scope. */
export async function updateOAuth2PermissionGrantScope(
  ctx: StoreContext,
  tenantId: string,
  id: string,
  scope: string,
): Promise<OAuth2PermissionGrant> {
  const checked = checkScope(scope);
  return ctx.write(async (trx) => {
    const result = await trx
      .updateTable('oauth2_permission_grants')
      .set({ scope: checked })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw notFound(id);
    return fromRow(
      await trx
        .selectFrom('oauth2_permission_grants')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow(),
    );
  });
}

export async function deleteOAuth2PermissionGrant(ctx: StoreContext, tenantId: string, id: string) {
  await ctx.write(async (trx) => {
    const result = await trx
      .deleteFrom('oauth2_permission_grants')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (result.numDeletedRows === 0n) throw notFound(id);
  });
}

/** Grants naming a service principal go with it. */
export async function deleteGrantsOfPrincipal(trx: Db, principalId: string): Promise<void> {
  await trx
    .deleteFrom('oauth2_permission_grants')
    .where((eb) =>
      eb.or([
        eb('client_id', '=', principalId),
        eb('resource_id', '=', principalId),
        eb('principal_id', '=', principalId),
      ]),
    )
    .execute();
}

/** Delegated permission grants (migration 0012): stored and shown, no effect on app-only tokens. */
export interface OAuth2PermissionGrantsRepository {
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
}

export function oauth2PermissionGrantsRepository(ctx: StoreContext): OAuth2PermissionGrantsRepository {
  return {
    createOAuth2PermissionGrant: (tenantId, input) => createOAuth2PermissionGrant(ctx, tenantId, input),
    listOAuth2PermissionGrants: (tenantId) => listOAuth2PermissionGrants(ctx.db, tenantId),
    getOAuth2PermissionGrant: (tenantId, id) => getOAuth2PermissionGrant(ctx.db, tenantId, id),
    updateOAuth2PermissionGrantScope: (tenantId, id, scope) =>
      updateOAuth2PermissionGrantScope(ctx, tenantId, id, scope),
    deleteOAuth2PermissionGrant: (tenantId, id) => deleteOAuth2PermissionGrant(ctx, tenantId, id),
  };
}
