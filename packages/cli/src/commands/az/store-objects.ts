/**
 * The az commands that have no store-direct form in commands/ad (groups, create-for-rbac, sp list and
 * delete), for `--data-dir`/`--database-url` (offline) use.
 * @module
 */
import { CredlessError, type ServicePrincipal } from '@credless/core';
import type { DirectoryContext } from '../../context.ts';
import { CommandError, EXIT, UsageError } from '../../exit-codes.ts';
import { createServicePrincipal, showServicePrincipal } from '../ad/sp.ts';
import type { CreateForRbacResult, GroupCreateOptions } from './graph-objects.ts';

type Group = Awaited<ReturnType<DirectoryContext['store']['createGroup']>>;

export async function storeCreateForRbac(ctx: DirectoryContext, name: string): Promise<CreateForRbacResult> {
  if (!name.trim()) throw new UsageError('--name must not be empty');
  const named = (await ctx.store.listApplications(ctx.tenantId)).filter(
    (app) => !app.builtIn && app.displayName === name,
  );
  if (named.length > 1) {
    throw new CommandError(
      `${named.length} applications are named '${name}'; choose a unique name`,
      EXIT.conflict,
    );
  }
  const application = named[0] ?? (await ctx.store.createApplication(ctx.tenantId, { displayName: name }));
  await createServicePrincipal(ctx, application.appId);
  return { appId: application.appId, displayName: application.displayName, tenant: ctx.tenantId };
}

export async function storeCreateGroup(ctx: DirectoryContext, options: GroupCreateOptions): Promise<Group> {
  if (!options.displayName.trim()) throw new UsageError('--display-name must not be empty');
  if (!options.mailNickname.trim()) throw new UsageError('--mail-nickname must not be empty');
  return ctx.store.createGroup(ctx.tenantId, {
    displayName: options.displayName,
    mailNickname: options.mailNickname,
    mailEnabled: false,
    securityEnabled: true,
    ...(options.description !== undefined ? { description: options.description } : {}),
  });
}

export async function storeShowGroup(ctx: DirectoryContext, group: string): Promise<Group> {
  const groups = await ctx.store.listGroups(ctx.tenantId);
  const byId = groups.find((candidate) => candidate.id === group.toLowerCase());
  if (byId) return byId;
  const named = groups.filter((candidate) => candidate.displayName === group);
  if (named.length > 1) {
    throw new CommandError(`${named.length} groups are named '${group}'; give the object id`, EXIT.conflict);
  }
  if (!named[0]) throw new CredlessError('not_found', { id: group });
  return named[0];
}

export async function storeDeleteGroup(ctx: DirectoryContext, group: string): Promise<void> {
  await ctx.store.deleteGroup(ctx.tenantId, (await storeShowGroup(ctx, group)).id);
}

export const storeListServicePrincipals = (ctx: DirectoryContext): Promise<ServicePrincipal[]> =>
  ctx.store.listServicePrincipals(ctx.tenantId);

export async function storeDeleteServicePrincipal(ctx: DirectoryContext, id: string): Promise<void> {
  await ctx.store.deleteServicePrincipal(ctx.tenantId, (await showServicePrincipal(ctx, id)).id);
}
