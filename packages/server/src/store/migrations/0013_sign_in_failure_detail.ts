/**
 * Sign-in failure detail: what the caller is not told about a failed exchange (which address an
 * issuer fetch refused, the fetch error code), kept for the operator in the sign-in record. Never a
 * token or a signature.
 * @module
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before (and independently of) the typed schema.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('sign_in_logs').addColumn('failure_detail', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('sign_in_logs').dropColumn('failure_detail').execute();
}
