/**
 * Per-tenant issuer policy: the mode and shared-issuer guard per tenant, the trusted issuers with
 * their per-issuer limits and pinned JWKS (public keys only), and the sign-in record's audit flag.
 * @module
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before (and independently of) the typed schema.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('issuer_policies')
    .addColumn('tenant_id', 'text', (col) => col.primaryKey().references('tenants.id').onDelete('cascade'))
    .addColumn('mode', 'text', (col) => col.notNull())
    .addColumn('shared_issuer_guard', 'integer', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema
    .createTable('trusted_issuers')
    .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('issuer', 'text', (col) => col.notNull())
    .addColumn('max_assertion_lifetime_seconds', 'integer')
    .addColumn('clock_skew_seconds', 'integer')
    // JSON of the validated public JWKS; null when the issuer's own metadata is used.
    .addColumn('pinned_jwks', 'text')
    .addColumn('pinned_jwks_updated_at', 'bigint')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('trusted_issuers_pk', ['tenant_id', 'issuer'])
    .execute();
  await db.schema.alterTable('sign_in_logs').addColumn('policy_audit', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('sign_in_logs').dropColumn('policy_audit').execute();
  await db.schema.dropTable('trusted_issuers').execute();
  await db.schema.dropTable('issuer_policies').execute();
}
