/**
 * What the real az needs of the directory: applications' client secrets (Graph `passwordCredentials`,
 * stored as JSON with only a salted scrypt hash of each secret), each tenant's client-secret policy
 * (JSON; null = the default, audit), and delegated permission grants (Graph `oauth2PermissionGrants`:
 * stored and shown, no effect on app-only tokens).
 * @module
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before (and independently of) the typed schema.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('applications')
    .addColumn('password_credentials', 'text', (col) => col.notNull().defaultTo('[]'))
    .execute();
  await db.schema.alterTable('tenants').addColumn('client_secret_policy', 'text').execute();

  await db.schema
    .createTable('oauth2_permission_grants')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.id').onDelete('cascade'))
    // Service principal object ids; the grant goes when either principal does (explicit delete).
    .addColumn('client_id', 'text', (col) => col.notNull())
    .addColumn('resource_id', 'text', (col) => col.notNull())
    .addColumn('consent_type', 'text', (col) => col.notNull())
    .addColumn('principal_id', 'text')
    .addColumn('scope', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('oauth2_permission_grants_client_idx')
    .on('oauth2_permission_grants')
    .columns(['tenant_id', 'client_id'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('oauth2_permission_grants').execute();
  await db.schema.alterTable('tenants').dropColumn('client_secret_policy').execute();
  await db.schema.alterTable('applications').dropColumn('password_credentials').execute();
}
