/**
 * Service principals on an open store (create|show); creating twice returns the existing one.
 * Store-level helpers kept for tests and library callers only (exported by @credless/cli): the
 * `credless ad …` commands themselves go through the Graph client (commands/az), online or in-process.
 * @module
 */
import { CredlessError, type ServicePrincipal } from '@credless/core';
import { type DirectoryContext, resolveApplication } from '../../context.ts';

export async function createServicePrincipal(ctx: DirectoryContext, id: string): Promise<ServicePrincipal> {
  const application = await resolveApplication(ctx, id);
  const existing = await ctx.store.getServicePrincipalByAppId(ctx.tenantId, application.appId);
  return existing ?? ctx.store.createServicePrincipal(ctx.tenantId, { appId: application.appId });
}

export async function showServicePrincipal(ctx: DirectoryContext, id: string): Promise<ServicePrincipal> {
  const principal =
    (await ctx.store.getServicePrincipalByAppId(ctx.tenantId, id)) ??
    (await ctx.store.getServicePrincipal(ctx.tenantId, id));
  if (!principal) throw new CredlessError('not_found', { id });
  return principal;
}
