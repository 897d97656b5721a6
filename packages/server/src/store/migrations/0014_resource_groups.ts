/**
 * ARM resource groups of each tenant's local subscription (`az group create/show/list/delete`).
 * Names are unique case-insensitively within a subscription, as ARM's are.
 * @module
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before (and independently of) the typed schema.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('resource_groups')
    // ARM id: /subscriptions/<sub>/resourceGroups/<name> (name as first created).
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('subscription_id', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    // lower(name): ARM names compare case-insensitively.
    .addColumn('name_key', 'text', (col) => col.notNull())
    .addColumn('location', 'text', (col) => col.notNull())
    // JSON object of string tags, or null when none were given.
    .addColumn('tags', 'text')
    .addColumn('managed_by', 'text')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('resource_groups_name_idx')
    .on('resource_groups')
    .columns(['tenant_id', 'subscription_id', 'name_key'])
    .unique()
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('resource_groups').execute();
}
