/**
 * Federated credentials on an open store (create|list|show|delete). Create is idempotent: the same
 * content under the same name succeeds again (the seed needed `continue-on-error` for this); different
 * content under that name is a conflict that says what differs.
 * Store-level helpers kept for tests and library callers only (exported by @credless/cli): the
 * `credless ad …` commands themselves go through the Graph client (commands/az), online or in-process.
 * @module
 */
import {
  CredlessError,
  type FederatedIdentityCredential,
  normalizeFederatedIdentityCredential,
} from '@credless/core';
import { type DirectoryContext, resolveApplication } from '../../context.ts';
import { credentialDifferences } from '../az/graph-credentials.ts';

export async function createFederatedCredential(
  ctx: DirectoryContext,
  id: string,
  parameters: Record<string, unknown>,
): Promise<FederatedIdentityCredential> {
  const application = await resolveApplication(ctx, id);
  const wanted = normalizeFederatedIdentityCredential(parameters);
  const existing = await ctx.store.getFederatedIdentityCredential(ctx.tenantId, application.id, wanted.name);
  if (existing) {
    const differing = credentialDifferences(existing, wanted);
    if (differing.length === 0) return existing;
    throw new CredlessError('duplicate_value', {
      objectType: 'FederatedIdentityCredential',
      field: 'name',
      value: `${wanted.name} (with a different ${differing.join(', ')}; delete it first or choose another name)`,
    });
  }
  return ctx.store.createFederatedIdentityCredential(ctx.tenantId, application.id, wanted);
}

export async function listFederatedCredentials(
  ctx: DirectoryContext,
  id: string,
): Promise<FederatedIdentityCredential[]> {
  const application = await resolveApplication(ctx, id);
  return ctx.store.listFederatedIdentityCredentials(ctx.tenantId, application.id);
}

export async function showFederatedCredential(
  ctx: DirectoryContext,
  id: string,
  credentialIdOrName: string,
): Promise<FederatedIdentityCredential> {
  const application = await resolveApplication(ctx, id);
  const credential = await ctx.store.getFederatedIdentityCredential(
    ctx.tenantId,
    application.id,
    credentialIdOrName,
  );
  if (!credential) throw new CredlessError('not_found', { id: credentialIdOrName });
  return credential;
}

export async function deleteFederatedCredential(
  ctx: DirectoryContext,
  id: string,
  credentialIdOrName: string,
) {
  const application = await resolveApplication(ctx, id);
  await ctx.store.deleteFederatedIdentityCredential(ctx.tenantId, application.id, credentialIdOrName);
}
