/**
 * The Graph-compatible API's storage: applications' certificate credentials (Graph `keyCredentials`,
 * public certificates as JSON), groups and their members. Members are directory objects of the same
 * tenant (service principals or groups) by object id; there is no foreign key on the member because it
 * may live in either table, so deleting an object removes its memberships explicitly.
 * @module
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before (and independently of) the typed schema.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('applications')
    .addColumn('key_credentials', 'text', (col) => col.notNull().defaultTo('[]'))
    .execute();

  await db.schema
    .createTable('groups')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('display_name', 'text', (col) => col.notNull())
    .addColumn('mail_nickname', 'text', (col) => col.notNull())
    .addColumn('mail_enabled', 'integer', (col) => col.notNull())
    .addColumn('security_enabled', 'integer', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('groups_tenant_idx')
    .on('groups')
    .columns(['tenant_id', 'display_name'])
    .execute();

  await db.schema
    .createTable('group_members')
    .addColumn('group_id', 'text', (col) => col.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('member_id', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'member_id'])
    .execute();
  await db.schema.createIndex('group_members_member_idx').on('group_members').column('member_id').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('group_members').execute();
  await db.schema.dropTable('groups').execute();
  await db.schema.alterTable('applications').dropColumn('key_credentials').execute();
}
