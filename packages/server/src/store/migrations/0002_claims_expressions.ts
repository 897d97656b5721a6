/**
 * Flexible federated credentials: a nullable `claims_matching_expression` column, and `subject`
 * nullable (a credential has one or the other). SQLite cannot drop NOT NULL, so the table is rebuilt,
 * the same portable way on both dialects: create the new shape, copy the rows, drop the old table,
 * rename, recreate the index. (application_id, issuer, subject) stays unique; NULL subjects never
 * collide, on either dialect. The unique index also serves lookups by (application_id, issuer).
 * Nothing references this table, so dropping it inside the migration transaction is safe with
 * SQLite's foreign_keys on.
 * @module
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before (and independently of) the typed schema.
type AnyDb = Kysely<any>;

const TABLE = 'federated_identity_credentials';
const STAGING = 'federated_identity_credentials_next';
const SHARED_COLUMNS = [
  'id',
  'tenant_id',
  'application_id',
  'name',
  'issuer',
  'subject',
  'audience',
  'description',
  'created_at',
] as const;

interface Shape {
  subjectNullable: boolean;
  withExpression: boolean;
  /** Index names are global (SQLite) or per schema (PostgreSQL): each shape uses its own. */
  constraintPrefix: string;
}

async function rebuild(db: AnyDb, shape: Shape): Promise<void> {
  let create = db.schema
    .createTable(STAGING)
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('application_id', 'text', (col) =>
      col.notNull().references('applications.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('issuer', 'text', (col) => col.notNull())
    .addColumn('subject', 'text', (col) => (shape.subjectNullable ? col : col.notNull()))
    .addColumn('audience', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'bigint', (col) => col.notNull());
  if (shape.withExpression) create = create.addColumn('claims_matching_expression', 'text');
  await create
    .addUniqueConstraint(`${shape.constraintPrefix}_name_unique`, ['application_id', 'name'])
    .addUniqueConstraint(`${shape.constraintPrefix}_issuer_subject_unique`, [
      'application_id',
      'issuer',
      'subject',
    ])
    .execute();

  await db
    .insertInto(STAGING)
    .columns([...SHARED_COLUMNS])
    .expression(db.selectFrom(TABLE).select([...SHARED_COLUMNS]))
    .execute();
  await db.schema.dropTable(TABLE).execute();
  await db.schema.alterTable(STAGING).renameTo(TABLE).execute();
  await db.schema.createIndex('fic_issuer_idx').on(TABLE).column('issuer').execute();
}

export async function up(db: AnyDb): Promise<void> {
  await rebuild(db, { subjectNullable: true, withExpression: true, constraintPrefix: 'fic_app' });
}

/** Back to 0001's shape; expression credentials cannot be represented there and are removed. */
export async function down(db: AnyDb): Promise<void> {
  await db.deleteFrom(TABLE).where('subject', 'is', null).execute();
  await rebuild(db, { subjectNullable: false, withExpression: false, constraintPrefix: 'fic_application' });
}
