/**
 * What the store's operation modules share: the database, the write-transaction runner, the clock and
 * id source, plus the lookups several of them need.
 * @module
 */
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from './schema.ts';
import { notFound } from './storage-errors.ts';

export { duplicate, invalid, notFound } from './storage-errors.ts';

export type Db = Kysely<DatabaseSchema>;

export interface StoreContext {
  db: Db;
  /**
   * Runs `work` in a transaction that also bumps the directory version and, after commit, tells the
   * store's change listeners (directory-writes.ts). The one way a repository changes the directory.
   */
  write<T>(work: (trx: Db) => Promise<T>): Promise<T>;
  now(): number;
  newId(): string;
}

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
