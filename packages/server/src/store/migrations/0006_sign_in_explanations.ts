/**
 * Sign-in explanations: failed exchanges record why no credential matched (the nearest-miss
 * credentials and a field-by-field diff) as JSON text. Never a token or a signature.
 * @module
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before (and independently of) the typed schema.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('sign_in_logs').addColumn('explanation', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('sign_in_logs').dropColumn('explanation').execute();
}
