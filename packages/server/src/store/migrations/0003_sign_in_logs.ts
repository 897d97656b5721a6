/**
 * Sign-in logs: one row per token exchange (success or failure), identifiers only — never a token or
 * an assertion. Not part of the directory: rows are written in batches off the token path and do not
 * bump the directory version.
 * @module
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before (and independently of) the typed schema.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('sign_in_logs')
    .addColumn('id', 'text', (col) => col.primaryKey())
    // No foreign key: logs outlive deleted apps, and a batch insert must not take directory locks.
    .addColumn('tenant_id', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('app_id', 'text', (col) => col.notNull())
    .addColumn('application_id', 'text')
    .addColumn('credential_name', 'text')
    .addColumn('credential_id', 'text')
    .addColumn('issuer', 'text')
    .addColumn('subject', 'text')
    .addColumn('audience', 'text')
    .addColumn('resource', 'text')
    .addColumn('result', 'text', (col) => col.notNull())
    .addColumn('error_code', 'text')
    .addColumn('aadsts', 'integer')
    .addColumn('failed_step', 'text')
    .addColumn('client_request_id', 'text', (col) => col.notNull())
    .addColumn('trace_id', 'text', (col) => col.notNull())
    .addColumn('latency_ms', 'integer', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('sign_in_logs_tenant_created_idx')
    .on('sign_in_logs')
    .columns(['tenant_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('sign_in_logs_tenant_app_created_idx')
    .on('sign_in_logs')
    .columns(['tenant_id', 'app_id', 'created_at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('sign_in_logs').execute();
}
