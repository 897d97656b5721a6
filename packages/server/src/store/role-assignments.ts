/**
 * Azure RBAC role assignments (migration 0010): ARM-style records of which principal holds which
 * built-in role at which scope. The caller resolves the role and validates the scope (core/rbac);
 * this module only stores. Writes go through the directory write transaction, so every replica's
 * caches hear of them.
 * @module
 */
import { isUniqueViolation } from './sql-errors.ts';
import { type Db, notFound, requireTenant, type StoreContext } from './store-context.ts';

export interface RoleAssignmentsTable {
  id: string;
  tenant_id: string;
  name: string;
  scope: string;
  scope_key: string;
  role_definition_id: string;
  role_definition_guid: string;
  role_definition_name: string;
  principal_id: string;
  principal_type: string;
  created_at: number;
}

const rbacDb = (db: Db) => db.withTables<{ role_assignments: RoleAssignmentsTable }>();

export type RolePrincipalType = 'ServicePrincipal' | 'Group' | 'User';

export interface RoleAssignmentRecord {
  /** ARM id: `<scope>/providers/Microsoft.Authorization/roleAssignments/<name>`. */
  id: string;
  /** The assignment's guid. */
  name: string;
  tenantId: string;
  scope: string;
  /** ARM id of the role definition (`/subscriptions/<sub>/providers/Microsoft.Authorization/roleDefinitions/<guid>`). */
  roleDefinitionId: string;
  /** The role's display name, e.g. "Azure Kubernetes Service RBAC Cluster Admin". */
  roleDefinitionName: string;
  /** Object id of the service principal or group. */
  principalId: string;
  principalType: RolePrincipalType;
  createdAt: Date;
}

export interface CreateRoleAssignmentInput {
  scope: string;
  roleDefinitionId: string;
  /** The role definition's guid (the uniqueness key with scope and principal). */
  roleDefinitionGuid: string;
  roleDefinitionName: string;
  principalId: string;
  principalType: RolePrincipalType;
  /** The assignment's guid (default: a new one). */
  name?: string;
}

export interface RoleAssignmentFilter {
  /** Only assignments of these principals. */
  principalIds?: readonly string[];
}

export const roleAssignmentId = (scope: string, name: string) =>
  `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;

const fromRow = (row: RoleAssignmentsTable): RoleAssignmentRecord => ({
  id: row.id,
  name: row.name,
  tenantId: row.tenant_id,
  scope: row.scope,
  roleDefinitionId: row.role_definition_id,
  roleDefinitionName: row.role_definition_name,
  principalId: row.principal_id,
  principalType: row.principal_type as RolePrincipalType,
  createdAt: new Date(Number(row.created_at)),
});

async function findExisting(db: Db, tenantId: string, input: CreateRoleAssignmentInput) {
  const row = await rbacDb(db)
    .selectFrom('role_assignments')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('scope_key', '=', input.scope.toLowerCase())
    .where('role_definition_guid', '=', input.roleDefinitionGuid.toLowerCase())
    .where('principal_id', '=', input.principalId)
    .executeTakeFirst();
  return row && fromRow(row);
}

/** Creates the assignment, or returns the existing one of that scope, role and principal (idempotent). */
export async function createRoleAssignment(
  ctx: StoreContext,
  tenantId: string,
  input: CreateRoleAssignmentInput,
): Promise<{ assignment: RoleAssignmentRecord; created: boolean }> {
  try {
    return await ctx.write(async (trx) => {
      await requireTenant(trx, tenantId);
      const existing = await findExisting(trx, tenantId, input);
      if (existing) return { assignment: existing, created: false };
      const name = (input.name ?? ctx.newId()).toLowerCase();
      const row: RoleAssignmentsTable = {
        id: roleAssignmentId(input.scope, name),
        tenant_id: tenantId,
        name,
        scope: input.scope,
        scope_key: input.scope.toLowerCase(),
        role_definition_id: input.roleDefinitionId,
        role_definition_guid: input.roleDefinitionGuid.toLowerCase(),
        role_definition_name: input.roleDefinitionName,
        principal_id: input.principalId,
        principal_type: input.principalType,
        created_at: ctx.now(),
      };
      await rbacDb(trx).insertInto('role_assignments').values(row).execute();
      return { assignment: fromRow(row), created: true };
    });
  } catch (error) {
    // Two replicas creating the same assignment at once: the loser returns the winner's.
    if (!isUniqueViolation(error)) throw error;
    const existing = await findExisting(ctx.db, tenantId, input);
    if (!existing) throw error;
    return { assignment: existing, created: false };
  }
}

/** The tenant's assignments, oldest first. */
export async function listRoleAssignments(
  db: Db,
  tenantId: string,
  filter: RoleAssignmentFilter = {},
): Promise<RoleAssignmentRecord[]> {
  if (filter.principalIds !== undefined && filter.principalIds.length === 0) return [];
  const rows = await rbacDb(db)
    .selectFrom('role_assignments')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .$if(filter.principalIds !== undefined, (qb) =>
      qb.where('principal_id', 'in', [...(filter.principalIds ?? [])]),
    )
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(fromRow);
}

/** Deletes by ARM id (case-insensitive, as ARM compares ids); not_found when there is none. */
export async function deleteRoleAssignment(ctx: StoreContext, tenantId: string, id: string): Promise<void> {
  await ctx.write(async (trx) => {
    const name = /\/roleAssignments\/([^/]+)$/i.exec(id.trim())?.[1];
    const candidates = name
      ? await rbacDb(trx)
          .selectFrom('role_assignments')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('name', '=', name.toLowerCase())
          .execute()
      : [];
    const row = candidates.find((candidate) => candidate.id.toLowerCase() === id.trim().toLowerCase());
    if (!row) throw notFound(id);
    await rbacDb(trx).deleteFrom('role_assignments').where('id', '=', row.id).execute();
  });
}

// ---- the port of each local cluster's Kubernetes API (served by the running credless)

interface ClusterApiEndpointsTable {
  cluster_id: string;
  port: number;
  updated_at: number;
}

const endpointDb = (db: Db) => db.withTables<{ cluster_api_endpoints: ClusterApiEndpointsTable }>();

export async function getClusterApiPort(db: Db, clusterId: string): Promise<number | undefined> {
  const row = await endpointDb(db)
    .selectFrom('cluster_api_endpoints')
    .select('port')
    .where('cluster_id', '=', clusterId)
    .executeTakeFirst();
  return row === undefined ? undefined : Number(row.port);
}

/** Records where a cluster's API listens. Not a directory change: no version bump, no cache invalidation. */
export async function setClusterApiPort(db: Db, clusterId: string, port: number, now: number): Promise<void> {
  await endpointDb(db)
    .insertInto('cluster_api_endpoints')
    .values({ cluster_id: clusterId, port, updated_at: now })
    .onConflict((oc) => oc.column('cluster_id').doUpdateSet({ port, updated_at: now }))
    .execute();
}

/**
 * Deletes the assignments at `scope` and below it (ARM deletes a resource's role assignments with the
 * resource, so a cluster created again under the same id starts with none). Runs inside the caller's
 * write transaction.
 */
export async function deleteRoleAssignmentsUnder(trx: Db, tenantId: string, scope: string): Promise<void> {
  const key = scope.toLowerCase();
  const rows = await rbacDb(trx)
    .selectFrom('role_assignments')
    .select(['id', 'scope_key'])
    .where('tenant_id', '=', tenantId)
    .execute();
  const doomed = rows.filter((row) => row.scope_key === key || row.scope_key.startsWith(`${key}/`));
  if (doomed.length === 0) return;
  await rbacDb(trx)
    .deleteFrom('role_assignments')
    .where(
      'id',
      'in',
      doomed.map((row) => row.id),
    )
    .execute();
}

export interface RoleAssignmentsRepository {
  /** Azure RBAC role assignments (migration 0010). Creating an existing one returns it. */
  createRoleAssignment(
    tenantId: string,
    input: CreateRoleAssignmentInput,
  ): Promise<{ assignment: RoleAssignmentRecord; created: boolean }>;
  listRoleAssignments(tenantId: string, filter?: RoleAssignmentFilter): Promise<RoleAssignmentRecord[]>;
  /** By ARM id; not_found when there is none. */
  deleteRoleAssignment(tenantId: string, id: string): Promise<void>;
}

export function roleAssignmentsRepository(ctx: StoreContext): RoleAssignmentsRepository {
  return {
    createRoleAssignment: (tenantId, input) => createRoleAssignment(ctx, tenantId, input),
    listRoleAssignments: (tenantId, filter) => listRoleAssignments(ctx.db, tenantId, filter),
    deleteRoleAssignment: (tenantId, id) => deleteRoleAssignment(ctx, tenantId, id),
  };
}
