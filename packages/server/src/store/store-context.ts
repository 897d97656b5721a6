/**
 * What the store's operation modules share: the database, the write-transaction runner, the clock and
 * id source, plus the lookups several of them need.
 * @module
 */
import { CredlessError } from '@credless/core';
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from './schema.ts';

export type Db = Kysely<DatabaseSchema>;

export interface StoreContext {
  db: Db;
  /** Runs `work` in a transaction that also bumps the directory version. */
  write<T>(work: (trx: Db) => Promise<T>): Promise<T>;
  now(): number;
  newId(): string;
}

export const notFound = (id: string) => new CredlessError('not_found', { id });
export const duplicate = (objectType: string, field: string, value: string) =>
  new CredlessError('duplicate_value', { objectType, field, value });
export const invalid = (field: string, reason: string) =>
  new CredlessError('invalid_value', { field, reason });

export function applicationRow(db: Db, tenantId: string, column: 'id' | 'app_id', value: string) {
  return db
    .selectFrom('applications')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where(column, '=', value)
    .executeTakeFirst();
}

export function principalRow(db: Db, tenantId: string, column: 'id' | 'app_id', value: string) {
  return db
    .selectFrom('service_principals')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where(column, '=', value)
    .executeTakeFirst();
}

export async function requireTenant(db: Db, tenantId: string): Promise<void> {
  const row = await db.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirst();
  if (row === undefined) throw notFound(tenantId);
}
