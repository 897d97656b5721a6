/**
 * Federated credentials at scale: the token path looks credentials up by index whatever an
 * application holds. The unique (application_id, issuer, subject) index already serves the exact
 * subject; this adds a partial index for the issuer's expression credentials (subject is null) and an
 * expression index on lower(subject) for the failure-path "differs only in case" probe (7002138).
 * Plain SQL: identical on SQLite and PostgreSQL.
 * @module
 */
import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before (and independently of) the typed schema.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await sql`create index fic_expression_idx on federated_identity_credentials (application_id, issuer) where subject is null`.execute(
    db,
  );
  await sql`create index fic_subject_lower_idx on federated_identity_credentials (application_id, issuer, lower(subject))`.execute(
    db,
  );
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('fic_subject_lower_idx').execute();
  await db.schema.dropIndex('fic_expression_idx').execute();
}
