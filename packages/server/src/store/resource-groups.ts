/**
 * ARM resource groups (migration 0014) of a tenant's local subscription. The ARM routes validate names
 * and locations; this module stores. Deleting a group deletes the Azure RBAC role assignments at and
 * below its scope in the same transaction, as ARM does.
 * @module
 */
import { deleteRoleAssignmentsUnder } from './role-assignments.ts';
import { isUniqueViolation } from './sql-errors.ts';
import { type Db, requireTenant, type StoreContext } from './store-context.ts';

interface ResourceGroupsTable {
  id: string;
  tenant_id: string;
  subscription_id: string;
  name: string;
  name_key: string;
  location: string;
  tags: string | null;
  managed_by: string | null;
  created_at: number;
}

const rgDb = (db: Db) => db.withTables<{ resource_groups: ResourceGroupsTable }>();

export interface ResourceGroupRecord {
  /** `/subscriptions/<sub>/resourceGroups/<name>`. */
  id: string;
  tenantId: string;
  subscriptionId: string;
  /** As first created (later PUTs with another casing do not rename it, as in ARM). */
  name: string;
  location: string;
  tags: Record<string, string> | null;
  managedBy: string | null;
  createdAt: Date;
}

export interface PutResourceGroupInput {
  name: string;
  location: string;
  tags?: Record<string, string> | null;
  managedBy?: string | null;
}

export const resourceGroupId = (subscriptionId: string, name: string) =>
  `/subscriptions/${subscriptionId}/resourceGroups/${name}`;

const fromRow = (row: ResourceGroupsTable): ResourceGroupRecord => ({
  id: row.id,
  tenantId: row.tenant_id,
  subscriptionId: row.subscription_id,
  name: row.name,
  location: row.location,
  tags: row.tags === null ? null : (JSON.parse(row.tags) as Record<string, string>),
  managedBy: row.managed_by,
  createdAt: new Date(Number(row.created_at)),
});

async function find(db: Db, tenantId: string, subscriptionId: string, name: string) {
  const row = await rgDb(db)
    .selectFrom('resource_groups')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('subscription_id', '=', subscriptionId.toLowerCase())
    .where('name_key', '=', name.toLowerCase())
    .executeTakeFirst();
  return row && fromRow(row);
}

/**
 * ARM's createOrUpdate: creates the group, or replaces an existing one's tags and managedBy. A
 * location differing from the existing group's is the caller's to refuse (it sees `existing`).
 */
async function putResourceGroup(
  ctx: StoreContext,
  tenantId: string,
  subscriptionId: string,
  input: PutResourceGroupInput,
): Promise<{ group: ResourceGroupRecord; created: boolean }> {
  const subscription = subscriptionId.toLowerCase();
  const tags = input.tags == null ? null : JSON.stringify(input.tags);
  const managedBy = input.managedBy ?? null;
  const attempt = () =>
    ctx.write(async (trx) => {
      await requireTenant(trx, tenantId);
      const existing = await find(trx, tenantId, subscription, input.name);
      if (existing) {
        await rgDb(trx)
          .updateTable('resource_groups')
          .set({ tags, managed_by: managedBy })
          .where('id', '=', existing.id)
          .execute();
        return { group: { ...existing, tags: input.tags ?? null, managedBy }, created: false };
      }
      const row: ResourceGroupsTable = {
        id: resourceGroupId(subscription, input.name),
        tenant_id: tenantId,
        subscription_id: subscription,
        name: input.name,
        name_key: input.name.toLowerCase(),
        location: input.location,
        tags,
        managed_by: managedBy,
        created_at: ctx.now(),
      };
      await rgDb(trx).insertInto('resource_groups').values(row).execute();
      return { group: fromRow(row), created: true };
    });
  try {
    return await attempt();
  } catch (error) {
    // Two replicas creating the same group at once: the loser updates the winner's.
    if (!isUniqueViolation(error)) throw error;
    return attempt();
  }
}

async function listResourceGroups(db: Db, tenantId: string, subscriptionId: string) {
  const rows = await rgDb(db)
    .selectFrom('resource_groups')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('subscription_id', '=', subscriptionId.toLowerCase())
    .orderBy('name_key')
    .execute();
  return rows.map(fromRow);
}

/** True when a group was deleted (with the role assignments under it); false when there was none. */
async function deleteResourceGroup(
  ctx: StoreContext,
  tenantId: string,
  subscriptionId: string,
  name: string,
): Promise<boolean> {
  return ctx.write(async (trx) => {
    const existing = await find(trx, tenantId, subscriptionId, name);
    if (!existing) return false;
    await rgDb(trx).deleteFrom('resource_groups').where('id', '=', existing.id).execute();
    await deleteRoleAssignmentsUnder(trx, tenantId, existing.id);
    return true;
  });
}

export interface ResourceGroupsRepository {
  /** Creates or updates (tags, managedBy) a resource group; `created` tells which. */
  putResourceGroup(
    tenantId: string,
    subscriptionId: string,
    input: PutResourceGroupInput,
  ): Promise<{ group: ResourceGroupRecord; created: boolean }>;
  /** By name, case-insensitively. */
  getResourceGroup(
    tenantId: string,
    subscriptionId: string,
    name: string,
  ): Promise<ResourceGroupRecord | undefined>;
  listResourceGroups(tenantId: string, subscriptionId: string): Promise<ResourceGroupRecord[]>;
  deleteResourceGroup(tenantId: string, subscriptionId: string, name: string): Promise<boolean>;
}

export function resourceGroupsRepository(ctx: StoreContext): ResourceGroupsRepository {
  return {
    putResourceGroup: (tenantId, subscriptionId, input) =>
      putResourceGroup(ctx, tenantId, subscriptionId, input),
    getResourceGroup: (tenantId, subscriptionId, name) => find(ctx.db, tenantId, subscriptionId, name),
    listResourceGroups: (tenantId, subscriptionId) => listResourceGroups(ctx.db, tenantId, subscriptionId),
    deleteResourceGroup: (tenantId, subscriptionId, name) =>
      deleteResourceGroup(ctx, tenantId, subscriptionId, name),
  };
}
