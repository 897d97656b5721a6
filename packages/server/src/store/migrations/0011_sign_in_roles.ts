/**
 * Sign-in roles: a successful exchange records the application roles its access token carries (JSON
 * array of role values), so a resource's 403 after consent was revoked shows in the log as a token
 * issued without the role.
 * @module
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before (and independently of) the typed schema.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('sign_in_logs').addColumn('roles', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('sign_in_logs').dropColumn('roles').execute();
}
