/**
 * What an ARM PUT of a managed cluster says that the local platform keeps but does not act on (its
 * tags, its node pools' counts and sizes, its DNS prefix): AKS answers them back on GET, and
 * `az aks update --tags` reads them. A JSON object, null until the first ARM PUT.
 * @module
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before (and independently of) the typed schema.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('clusters').addColumn('arm_profile', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('clusters').dropColumn('arm_profile').execute();
}
