/**
 * The web console's sign-in codes and sessions, shared by every process serving the database (workers,
 * replicas), so a link printed by one is redeemed by any and a revocation holds everywhere. Only
 * SHA-256 digests of codes and cookies are stored; neither table is a directory change.
 * @module
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before (and independently of) the typed schema.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('console_sign_in_codes')
    .addColumn('code_digest', 'text', (col) => col.primaryKey())
    .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('app_id', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema
    .createTable('console_sessions')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('cookie_digest', 'text', (col) => col.notNull().unique())
    .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('app_id', 'text', (col) => col.notNull())
    .addColumn('display_name', 'text', (col) => col.notNull())
    .addColumn('object_id', 'text', (col) => col.notNull())
    // JSON array of the Graph role values the principal held at sign-in.
    .addColumn('roles_at_sign_in', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    .addColumn('last_used_at', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('console_sessions_tenant_idx')
    .on('console_sessions')
    .column('tenant_id')
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('console_sessions').execute();
  await db.schema.dropTable('console_sign_in_codes').execute();
}
