/**
 * Applications on an open store (create|show|list|delete), mirroring `az ad app …`.
 * Store-level helpers kept for tests and library callers only (exported by @credless/cli): the
 * `credless ad …` commands themselves go through the Graph client (commands/az), online or in-process.
 * @module
 */
import type { AccessTokenVersion, Application, AppRole } from '@credless/core';
import { type DirectoryContext, resolveApplication } from '../../context.ts';
import { UsageError } from '../../exit-codes.ts';

export interface CreateApplicationOptions {
  displayName: string;
  identifierUris?: string[];
  appRoles?: AppRole[];
  accessTokenAcceptedVersion?: AccessTokenVersion;
}

export async function createApplication(
  ctx: DirectoryContext,
  options: CreateApplicationOptions,
): Promise<Application> {
  if (!options.displayName.trim()) throw new UsageError('--display-name must not be empty');
  return ctx.store.createApplication(ctx.tenantId, {
    displayName: options.displayName,
    ...(options.identifierUris ? { identifierUris: options.identifierUris } : {}),
    ...(options.appRoles ? { appRoles: options.appRoles } : {}),
    ...(options.accessTokenAcceptedVersion
      ? { accessTokenAcceptedVersion: options.accessTokenAcceptedVersion }
      : {}),
  });
}

export const showApplication = (ctx: DirectoryContext, id: string): Promise<Application> =>
  resolveApplication(ctx, id);

export const listApplications = (ctx: DirectoryContext): Promise<Application[]> =>
  ctx.store.listApplications(ctx.tenantId);

export async function deleteApplication(ctx: DirectoryContext, id: string): Promise<void> {
  const application = await resolveApplication(ctx, id);
  await ctx.store.deleteApplication(ctx.tenantId, application.id);
}
