/**
 * Service principal updates (Graph PATCH): whether it may sign in and whether the resource requires
 * role assignment. Its name, appId and application are its application's and never change here.
 * @module
 */
import type { ServicePrincipal } from '@credless/core';
import * as rows from './rows.ts';
import { invalid, notFound, principalRow, type StoreContext } from './store-context.ts';

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
