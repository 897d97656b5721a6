/**
 * The directory tables. Portable DDL only (text, integer, bigint), so the same migration runs on
 * SQLite and PostgreSQL.
 * @module
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before (and independently of) the typed schema.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('default_domain', 'text', (col) => col.notNull().unique())
    .addColumn('display_name', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('applications')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('app_id', 'text', (col) => col.notNull())
    .addColumn('display_name', 'text', (col) => col.notNull())
    .addColumn('identifier_uris', 'text', (col) => col.notNull())
    .addColumn('app_roles', 'text', (col) => col.notNull())
    .addColumn('required_resource_access', 'text', (col) => col.notNull())
    .addColumn('access_token_accepted_version', 'integer')
    .addColumn('built_in', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addUniqueConstraint('applications_tenant_app_id_unique', ['tenant_id', 'app_id'])
    .execute();

  await db.schema
    .createTable('application_identifier_uris')
    .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('uri', 'text', (col) => col.notNull())
    .addColumn('application_id', 'text', (col) =>
      col.notNull().references('applications.id').onDelete('cascade'),
    )
    .addPrimaryKeyConstraint('application_identifier_uris_pk', ['tenant_id', 'uri'])
    .execute();
  await db.schema
    .createIndex('application_identifier_uris_application_idx')
    .on('application_identifier_uris')
    .column('application_id')
    .execute();

  await db.schema
    .createTable('service_principals')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('app_id', 'text', (col) => col.notNull())
    .addColumn('application_id', 'text', (col) =>
      col.notNull().unique().references('applications.id').onDelete('cascade'),
    )
    .addColumn('display_name', 'text', (col) => col.notNull())
    .addColumn('account_enabled', 'integer', (col) => col.notNull())
    .addColumn('app_role_assignment_required', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addUniqueConstraint('service_principals_tenant_app_id_unique', ['tenant_id', 'app_id'])
    .execute();

  await db.schema
    .createTable('app_role_assignments')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('principal_id', 'text', (col) =>
      col.notNull().references('service_principals.id').onDelete('cascade'),
    )
    .addColumn('resource_id', 'text', (col) =>
      col.notNull().references('service_principals.id').onDelete('cascade'),
    )
    .addColumn('app_role_id', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addUniqueConstraint('app_role_assignments_triple_unique', ['principal_id', 'resource_id', 'app_role_id'])
    .execute();
  await db.schema
    .createIndex('app_role_assignments_resource_idx')
    .on('app_role_assignments')
    .column('resource_id')
    .execute();

  await db.schema
    .createTable('federated_identity_credentials')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('application_id', 'text', (col) =>
      col.notNull().references('applications.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('issuer', 'text', (col) => col.notNull())
    .addColumn('subject', 'text', (col) => col.notNull())
    .addColumn('audience', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addUniqueConstraint('fic_application_name_unique', ['application_id', 'name'])
    .addUniqueConstraint('fic_application_issuer_subject_unique', ['application_id', 'issuer', 'subject'])
    .execute();
  await db.schema
    .createIndex('fic_issuer_idx')
    .on('federated_identity_credentials')
    .column('issuer')
    .execute();

  await db.schema
    .createTable('directory_version')
    .addColumn('id', 'integer', (col) => col.primaryKey())
    .addColumn('version', 'bigint', (col) => col.notNull())
    .execute();
  await db.insertInto('directory_version').values({ id: 1, version: 0 }).execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('kid', 'text', (col) => col.notNull())
    .addColumn('public_jwk', 'text', (col) => col.notNull())
    .addColumn('certificate', 'text', (col) => col.notNull())
    .addColumn('x5t', 'text', (col) => col.notNull())
    .addColumn('encrypted_private_key', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('activate_at', 'bigint', (col) => col.notNull())
    .addColumn('retire_at', 'bigint', (col) => col.notNull())
    .addColumn('expire_at', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('signing_keys_pk', ['tenant_id', 'kid'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of [
    'signing_keys',
    'directory_version',
    'federated_identity_credentials',
    'app_role_assignments',
    'service_principals',
    'application_identifier_uris',
    'applications',
    'tenants',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
