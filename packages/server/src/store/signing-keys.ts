/**
 * Signing key records: per tenant, keyed by kid. The private key is stored only as the JWE it arrives in.
 * @module
 */

import * as rows from './rows.ts';
import type { InsertSigningKeyOptions, SigningKeyRecord } from './signing-key-record.ts';
import { type Db, duplicate, requireTenant, type StoreContext } from './store-context.ts';

/**
 * Inserts the key, unless `options.unless` (given the tenant's stored keys) says it is no longer needed.
 * The check runs inside the write transaction, which every writer runs one at a time (the version row
 * lock on PostgreSQL, BEGIN IMMEDIATE on SQLite), so replicas racing to create a key create one.
 */
export async function insertSigningKey(
  ctx: StoreContext,
  record: SigningKeyRecord,
  options: InsertSigningKeyOptions = {},
): Promise<void> {
  const row = rows.signingKeyToRow(record);
  await ctx.write(async (trx) => {
    await requireTenant(trx, row.tenant_id);
    if (options.unless?.(await listSigningKeys(trx, row.tenant_id))) return;
    const existing = await trx
      .selectFrom('signing_keys')
      .select('kid')
      .where('tenant_id', '=', row.tenant_id)
      .where('kid', '=', row.kid)
      .executeTakeFirst();
    if (existing !== undefined) throw duplicate('SigningKey', 'kid', row.kid);
    await trx.insertInto('signing_keys').values(row).execute();
  });
}

export async function listSigningKeys(db: Db, tenantId: string): Promise<SigningKeyRecord[]> {
  const found = await db
    .selectFrom('signing_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('activate_at')
    .orderBy('kid')
    .execute();
  return found.map(rows.signingKeyFromRow);
}

/** Deleting an absent key is a no-op (cleanup may run in several processes). */
export async function deleteSigningKey(ctx: StoreContext, tenantId: string, kid: string): Promise<void> {
  const present = await ctx.db
    .selectFrom('signing_keys')
    .select('kid')
    .where('tenant_id', '=', tenantId)
    .where('kid', '=', kid)
    .executeTakeFirst();
  if (present === undefined) return;
  await ctx.write((trx) =>
    trx.deleteFrom('signing_keys').where('tenant_id', '=', tenantId).where('kid', '=', kid).execute(),
  );
}

export interface SigningKeysRepository {
  insertSigningKey(record: SigningKeyRecord, options?: InsertSigningKeyOptions): Promise<void>;
  listSigningKeys(tenantId: string): Promise<SigningKeyRecord[]>;
  deleteSigningKey(tenantId: string, kid: string): Promise<void>;
}

export function signingKeysRepository(ctx: StoreContext): SigningKeysRepository {
  return {
    insertSigningKey: (record, options) => insertSigningKey(ctx, record, options),
    listSigningKeys: (tenantId) => listSigningKeys(ctx.db, tenantId),
    deleteSigningKey: (tenantId, kid) => deleteSigningKey(ctx, tenantId, kid),
  };
}
