/**
 * Local clusters (AKS-like records with their own service-account OIDC issuer) and the keys of
 * credless's other emulated issuers (GitHub Actions). Private keys are stored only as JWEs encrypted
 * with the key-encryption key, like the tenants' token-signing keys.
 * @module
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before (and independently of) the typed schema.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('clusters')
    // ARM-like resource id: /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ContainerService/managedClusters/<name>
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('subscription_id', 'text', (col) => col.notNull())
    .addColumn('resource_group', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    // lower(resource group)/lower(name): ARM names compare case-insensitively.
    .addColumn('lookup_key', 'text', (col) => col.notNull())
    .addColumn('location', 'text', (col) => col.notNull())
    .addColumn('issuer_guid', 'text', (col) => col.notNull())
    .addColumn('issuer_url', 'text', (col) => col.notNull())
    .addColumn('oidc_issuer_enabled', 'integer', (col) => col.notNull())
    .addColumn('workload_identity_enabled', 'integer', (col) => col.notNull())
    .addColumn('kid', 'text', (col) => col.notNull())
    .addColumn('public_jwk', 'text', (col) => col.notNull())
    .addColumn('encrypted_private_key', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('clusters_lookup_idx')
    .on('clusters')
    .columns(['tenant_id', 'lookup_key'])
    .unique()
    .execute();
  await db.schema.createIndex('clusters_issuer_idx').on('clusters').column('issuer_url').unique().execute();

  await db.schema
    .createTable('emulated_issuer_keys')
    // e.g. 'github-actions'; one signing key per emulated issuer.
    .addColumn('issuer_name', 'text', (col) => col.primaryKey())
    .addColumn('kid', 'text', (col) => col.notNull())
    .addColumn('public_jwk', 'text', (col) => col.notNull())
    .addColumn('encrypted_private_key', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('emulated_issuer_keys').execute();
  await db.schema.dropTable('clusters').execute();
}
