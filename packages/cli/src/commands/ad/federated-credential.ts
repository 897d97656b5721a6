/**
 * `credless ad app federated-credential create|list|show|delete`. Create is idempotent: the same
 * content under the same name succeeds again (the seed needed `continue-on-error` for this); different
 * content under that name is a conflict that says what differs.
 * @module
 */
import {
  CredlessError,
  type FederatedIdentityCredential,
  normalizeFederatedIdentityCredential,
} from '@credless/core';
import { type DirectoryContext, resolveApplication } from '../../context.ts';

/** The fields in which an existing credential differs from the wanted one (empty: the same). */
export function credentialDifferences(
  existing: Pick<
    FederatedIdentityCredential,
    'issuer' | 'subject' | 'audiences' | 'description' | 'claimsMatchingExpression'
  >,
  wanted: ReturnType<typeof normalizeFederatedIdentityCredential>,
) {
  const fields: string[] = [];
  if (existing.issuer !== wanted.issuer) fields.push('issuer');
  if (existing.subject !== wanted.subject) fields.push('subject');
  const expressionOf = (credential: { claimsMatchingExpression: { value: string } | null }) =>
    credential.claimsMatchingExpression?.value ?? null;
  if (expressionOf(existing) !== expressionOf(wanted)) fields.push('claimsMatchingExpression');
  if (existing.audiences[0] !== wanted.audiences[0]) fields.push('audiences');
  if ((existing.description ?? null) !== wanted.description) fields.push('description');
  return fields;
}

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
