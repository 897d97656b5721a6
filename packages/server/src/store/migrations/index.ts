/**
 * The migrations, imported in code (no directory scanning, so they work wherever the sources run)
 * and applied with Kysely's Migrator.
 * @module
 */

import { CredlessError } from '@credless/core';
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { DatabaseSchema, SqlDialectName } from '../schema.ts';
import * as directory0001 from './0001_directory.ts';
import * as claimsExpressions0002 from './0002_claims_expressions.ts';
import * as signInLogs0003 from './0003_sign_in_logs.ts';
import * as ficScale0004 from './0004_fic_scale.ts';
import * as issuerPolicy0005 from './0005_issuer_policy.ts';
import * as signInExplanations0006 from './0006_sign_in_explanations.ts';
import * as graphApi0007 from './0007_graph_api.ts';
import * as clusters0008 from './0008_clusters.ts';
import * as roleAssignments0010 from './0010_role_assignments.ts';
import * as signInRoles0011 from './0011_sign_in_roles.ts';
import * as clientSecrets0012 from './0012_client_secrets.ts';
import * as signInFailureDetail0013 from './0013_sign_in_failure_detail.ts';
import * as resourceGroups0014 from './0014_resource_groups.ts';
import * as consoleSessions0015 from './0015_console_sessions.ts';
import * as clusterArmProfile0016 from './0016_cluster_arm_profile.ts';

/** Keyed by name; Kysely applies them in name order. Never rename or edit one that has shipped. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '0001_directory': directory0001,
  '0002_claims_expressions': claimsExpressions0002,
  '0003_sign_in_logs': signInLogs0003,
  '0004_fic_scale': ficScale0004,
  '0005_issuer_policy': issuerPolicy0005,
  '0006_sign_in_explanations': signInExplanations0006,
  '0007_graph_api': graphApi0007,
  '0008_clusters': clusters0008,
  '0010_role_assignments': roleAssignments0010,
  '0011_sign_in_roles': signInRoles0011,
  '0012_client_secrets': clientSecrets0012,
  '0013_sign_in_failure_detail': signInFailureDetail0013,
  '0014_resource_groups': resourceGroups0014,
  '0015_console_sessions': consoleSessions0015,
  '0016_cluster_arm_profile': clusterArmProfile0016,
});

export class InCodeMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...MIGRATIONS };
  }
}

/**
 * Applies pending migrations. Concurrent callers are safe: on PostgreSQL Kysely takes an advisory
 * lock and runs in a transaction; on SQLite the run is one `BEGIN IMMEDIATE` transaction (see
 * sqlite-dialect.ts), which holds the database's write lock until it commits.
 */
export async function migrateToLatest(db: Kysely<DatabaseSchema>, dialect: SqlDialectName): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: new InCodeMigrationProvider(),
    // Kysely finds its bookkeeping tables by name across all schemas; pin them to ours so that
    // another schema in the same database (another instance, a test run) is not mistaken for ours.
    ...(dialect === 'postgres' ? { migrationTableSchema: await currentSchema(db) } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    throw new CredlessError(
      'database_migration_failed',
      { migration: failed ?? '(unknown)', reason: errorMessage(error) },
      { cause: error },
    );
  }
}

async function currentSchema(db: Kysely<DatabaseSchema>): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) throw new CredlessError('database_search_path_empty');
  return schema;
}

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
