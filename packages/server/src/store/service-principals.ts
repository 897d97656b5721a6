/**
 * Service principals. Updates (Graph PATCH) change whether it may sign in and whether the resource
 * requires role assignment; its name, appId and application are its application's and never change here.
 * @module
 */
import type { Application, ServicePrincipal } from '@credless/core';
import { deletePrincipalRows } from './app-role-assignments.ts';
import * as rows from './rows.ts';
import {
  applicationRow,
  type Db,
  duplicate,
  invalid,
  notFound,
  principalRow,
  type StoreContext,
} from './store-context.ts';

export interface CreateServicePrincipalInput {
  appId: string;
  accountEnabled?: boolean;
  appRoleAssignmentRequired?: boolean;
}

export interface UpdateServicePrincipalInput {
  accountEnabled?: boolean;
  appRoleAssignmentRequired?: boolean;
}

export async function updateServicePrincipal(
  ctx: StoreContext,
  tenantId: string,
  objectId: string,
  patch: UpdateServicePrincipalInput,
): Promise<ServicePrincipal> {
  for (const field of ['accountEnabled', 'appRoleAssignmentRequired'] as const) {
    if (patch[field] !== undefined && typeof patch[field] !== 'boolean')
      throw invalid(field, 'must be a boolean');
  }
  return ctx.write(async (trx) => {
    const current = await principalRow(trx, tenantId, 'id', objectId);
    if (current === undefined) throw notFound(objectId);
    const next = {
      ...current,
      ...(patch.accountEnabled !== undefined ? { account_enabled: rows.toFlag(patch.accountEnabled) } : {}),
      ...(patch.appRoleAssignmentRequired !== undefined
        ? { app_role_assignment_required: rows.toFlag(patch.appRoleAssignmentRequired) }
        : {}),
    };
    await trx
      .updateTable('service_principals')
      .set({
        account_enabled: next.account_enabled,
        app_role_assignment_required: next.app_role_assignment_required,
      })
      .where('id', '=', objectId)
      .execute();
    return rows.servicePrincipalFromRow(next);
  });
}

/** Inserts the service principal of `app` inside the caller's write transaction. */
export async function insertServicePrincipal(
  ctx: StoreContext,
  trx: Db,
  app: Application,
  input: Omit<CreateServicePrincipalInput, 'appId'>,
): Promise<ServicePrincipal> {
  const existing = await principalRow(trx, app.tenantId, 'app_id', app.appId);
  if (existing !== undefined) throw duplicate('ServicePrincipal', 'appId', app.appId);
  const row = {
    id: ctx.newId(),
    tenant_id: app.tenantId,
    app_id: app.appId,
    application_id: app.id,
    display_name: app.displayName,
    account_enabled: rows.toFlag(input.accountEnabled ?? true),
    app_role_assignment_required: rows.toFlag(input.appRoleAssignmentRequired ?? false),
    created_at: ctx.now(),
  };
  await trx.insertInto('service_principals').values(row).execute();
  return rows.servicePrincipalFromRow(row);
}

export interface ServicePrincipalsRepository {
  createServicePrincipal(tenantId: string, input: CreateServicePrincipalInput): Promise<ServicePrincipal>;
  getServicePrincipal(tenantId: string, objectId: string): Promise<ServicePrincipal | undefined>;
  getServicePrincipalByAppId(tenantId: string, appId: string): Promise<ServicePrincipal | undefined>;
  listServicePrincipals(tenantId: string): Promise<ServicePrincipal[]>;
  deleteServicePrincipal(tenantId: string, objectId: string): Promise<void>;
  updateServicePrincipal(
    tenantId: string,
    objectId: string,
    patch: UpdateServicePrincipalInput,
  ): Promise<ServicePrincipal>;
}

export function servicePrincipalsRepository(ctx: StoreContext): ServicePrincipalsRepository {
  const byColumn = async (tenantId: string, column: 'id' | 'app_id', value: string) => {
    const row = await principalRow(ctx.db, tenantId, column, value);
    return row && rows.servicePrincipalFromRow(row);
  };
  return {
    createServicePrincipal: (tenantId, input) =>
      ctx.write(async (trx) => {
        const app = await applicationRow(trx, tenantId, 'app_id', input.appId);
        if (app === undefined) throw notFound(input.appId);
        return insertServicePrincipal(ctx, trx, rows.applicationFromRow(app), input);
      }),
    getServicePrincipal: (tenantId, objectId) => byColumn(tenantId, 'id', objectId),
    getServicePrincipalByAppId: (tenantId, appId) => byColumn(tenantId, 'app_id', appId),
    async listServicePrincipals(tenantId) {
      const found = await ctx.db
        .selectFrom('service_principals')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return found.map(rows.servicePrincipalFromRow);
    },
    deleteServicePrincipal: (tenantId, objectId) =>
      ctx.write(async (trx) => {
        if ((await principalRow(trx, tenantId, 'id', objectId)) === undefined) throw notFound(objectId);
        await deletePrincipalRows(trx, objectId);
      }),
    updateServicePrincipal: (tenantId, objectId, patch) =>
      updateServicePrincipal(ctx, tenantId, objectId, patch),
  };
}
