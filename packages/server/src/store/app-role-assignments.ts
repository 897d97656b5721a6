/**
 * App role assignments: a service principal holding an application role defined by a resource
 * service principal's application. Creation is idempotent.
 * @module
 */
import type { AppRole, AppRoleAssignment } from '@credless/core';
import { deleteMemberships } from './groups.ts';
import { deleteGrantsOfPrincipal } from './oauth2-permission-grants.ts';
import * as rows from './rows.ts';
import {
  applicationRow,
  type Db,
  invalid,
  notFound,
  principalRow,
  type StoreContext,
} from './store-context.ts';

export interface CreateAppRoleAssignmentInput {
  principalId: string;
  resourceId: string;
  appRoleId: string;
}

export interface AppRoleAssignmentsRepository {
  /** Idempotent: the same (principal, resource, role) returns the existing assignment. */
  createAppRoleAssignment(tenantId: string, input: CreateAppRoleAssignmentInput): Promise<AppRoleAssignment>;
  listAppRoleAssignmentsByPrincipal(tenantId: string, principalId: string): Promise<AppRoleAssignment[]>;
  listAppRoleAssignmentsByResource(tenantId: string, resourceId: string): Promise<AppRoleAssignment[]>;
  deleteAppRoleAssignment(tenantId: string, assignmentId: string): Promise<void>;
}

export function appRoleAssignmentsRepository(ctx: StoreContext): AppRoleAssignmentsRepository {
  return {
    createAppRoleAssignment: (tenantId, input) => createAppRoleAssignment(ctx, tenantId, input),
    listAppRoleAssignmentsByPrincipal: (tenantId, principalId) =>
      listAppRoleAssignments(ctx.db, tenantId, 'principal_id', principalId),
    listAppRoleAssignmentsByResource: (tenantId, resourceId) =>
      listAppRoleAssignments(ctx.db, tenantId, 'resource_id', resourceId),
    deleteAppRoleAssignment: (tenantId, assignmentId) => deleteAppRoleAssignment(ctx, tenantId, assignmentId),
  };
}

export async function createAppRoleAssignment(
  ctx: StoreContext,
  tenantId: string,
  input: CreateAppRoleAssignmentInput,
): Promise<AppRoleAssignment> {
  // Repeating a create is common (scripts re-run); answer it without a write.
  const existing = await findAssignment(ctx.db, tenantId, input);
  if (existing !== undefined) return existing;
  return ctx.write(async (trx) => {
    const raced = await findAssignment(trx, tenantId, input);
    if (raced !== undefined) return raced;
    const principal = await principalRow(trx, tenantId, 'id', input.principalId);
    if (principal === undefined) {
      throw invalid('principalId', `no service principal '${input.principalId}' in this tenant`);
    }
    const resource = await principalRow(trx, tenantId, 'id', input.resourceId);
    if (resource === undefined)
      throw invalid('resourceId', `no service principal '${input.resourceId}' in this tenant`);
    const app = await applicationRow(trx, tenantId, 'id', resource.application_id);
    const role = rows.parseJson<AppRole[]>(app?.app_roles ?? '[]').find((r) => r.id === input.appRoleId);
    if (role === undefined || !role.isEnabled || !role.allowedMemberTypes.includes('Application')) {
      throw invalid(
        'appRoleId',
        `'${input.appRoleId}' is not an enabled application role of '${resource.display_name}'`,
      );
    }
    const row = {
      id: ctx.newId(),
      tenant_id: tenantId,
      principal_id: input.principalId,
      resource_id: input.resourceId,
      app_role_id: input.appRoleId,
      created_at: ctx.now(),
    };
    await trx.insertInto('app_role_assignments').values(row).execute();
    return rows.appRoleAssignmentFromRow(row);
  });
}

async function findAssignment(db: Db, tenantId: string, input: CreateAppRoleAssignmentInput) {
  const row = await db
    .selectFrom('app_role_assignments')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('principal_id', '=', input.principalId)
    .where('resource_id', '=', input.resourceId)
    .where('app_role_id', '=', input.appRoleId)
    .executeTakeFirst();
  return row && rows.appRoleAssignmentFromRow(row);
}

export async function listAppRoleAssignments(
  db: Db,
  tenantId: string,
  column: 'principal_id' | 'resource_id',
  id: string,
): Promise<AppRoleAssignment[]> {
  const found = await db
    .selectFrom('app_role_assignments')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where(column, '=', id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return found.map(rows.appRoleAssignmentFromRow);
}

export async function deleteAppRoleAssignment(ctx: StoreContext, tenantId: string, assignmentId: string) {
  await ctx.write(async (trx) => {
    const result = await trx
      .deleteFrom('app_role_assignments')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', assignmentId)
      .executeTakeFirst();
    if (result.numDeletedRows === 0n) throw notFound(assignmentId);
  });
}

/** Removes a service principal and every assignment, membership and permission grant naming it. */
export async function deletePrincipalRows(trx: Db, principalId: string): Promise<void> {
  await trx
    .deleteFrom('app_role_assignments')
    .where((eb) => eb.or([eb('principal_id', '=', principalId), eb('resource_id', '=', principalId)]))
    .execute();
  await deleteMemberships(trx, principalId);
  await deleteGrantsOfPrincipal(trx, principalId);
  await trx.deleteFrom('service_principals').where('id', '=', principalId).execute();
}
