/**
 * Azure RBAC role assignments (ARM's Microsoft.Authorization/roleAssignments, not Entra app role
 * assignments): which principal holds which built-in role at which scope (subscription, resource
 * group or resource, e.g. a local cluster); and the port of each local cluster's Kubernetes API.
 * @module
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before (and independently of) the typed schema.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('role_assignments')
    // ARM id: <scope>/providers/Microsoft.Authorization/roleAssignments/<name>
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('scope', 'text', (col) => col.notNull())
    // lower(scope): ARM ids compare case-insensitively.
    .addColumn('scope_key', 'text', (col) => col.notNull())
    .addColumn('role_definition_id', 'text', (col) => col.notNull())
    .addColumn('role_definition_guid', 'text', (col) => col.notNull())
    .addColumn('role_definition_name', 'text', (col) => col.notNull())
    // No foreign key: as in Azure, an assignment outlives its principal (shown as "unknown").
    .addColumn('principal_id', 'text', (col) => col.notNull())
    .addColumn('principal_type', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute();
  // One assignment per (scope, role, principal): creating it again returns the existing one.
  await db.schema
    .createIndex('role_assignments_unique_idx')
    .on('role_assignments')
    .columns(['tenant_id', 'scope_key', 'role_definition_guid', 'principal_id'])
    .unique()
    .execute();
  await db.schema
    .createIndex('role_assignments_principal_idx')
    .on('role_assignments')
    .columns(['tenant_id', 'principal_id'])
    .execute();

  // The port each local cluster's Kubernetes API listens on (kubeconfigs name it; kept across restarts).
  await db.schema
    .createTable('cluster_api_endpoints')
    .addColumn('cluster_id', 'text', (col) => col.primaryKey().references('clusters.id').onDelete('cascade'))
    .addColumn('port', 'integer', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('cluster_api_endpoints').execute();
  await db.schema.dropTable('role_assignments').execute();
}
