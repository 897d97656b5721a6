/**
 * Client secrets on applications (hashed, as JSON in the row: an application holds a handful at
 * most) and each tenant's client secret policy. The hashing happens before the store is called, so
 * no secret ever reaches it.
 * @module
 */
import { CLIENT_SECRET_MODES, type ClientSecretPolicy, type StoredPasswordCredential } from '@credless/core';
import * as rows from './rows.ts';
import { applicationRow, invalid, notFound, requireTenant, type StoreContext } from './store-context.ts';

/** Entra allows a few secrets per application; more is a script gone wrong. */
export const MAX_PASSWORD_CREDENTIALS_PER_APP = 20;

async function changeCredentials(
  ctx: StoreContext,
  tenantId: string,
  objectId: string,
  change: (stored: StoredPasswordCredential[]) => StoredPasswordCredential[],
): Promise<void> {
  await ctx.write(async (trx) => {
    const current = await applicationRow(trx, tenantId, 'id', objectId);
    if (current === undefined) throw notFound(objectId);
    const stored = rows.parseJson<StoredPasswordCredential[]>(current.password_credentials ?? '[]');
    await trx
      .updateTable('applications')
      .set({ password_credentials: JSON.stringify(change(stored)) })
      .where('id', '=', objectId)
      .execute();
  });
}

export function createPasswordCredential(
  ctx: StoreContext,
  tenantId: string,
  objectId: string,
  credential: StoredPasswordCredential,
): Promise<void> {
  return changeCredentials(ctx, tenantId, objectId, (stored) => {
    if (stored.length >= MAX_PASSWORD_CREDENTIALS_PER_APP) {
      throw invalid(
        'passwordCredentials',
        `an application holds at most ${MAX_PASSWORD_CREDENTIALS_PER_APP} client secrets`,
      );
    }
    if (stored.some((other) => other.keyId === credential.keyId)) {
      throw invalid('keyId', `${credential.keyId} is already in use`);
    }
    return [...stored, credential];
  });
}

export function deletePasswordCredential(
  ctx: StoreContext,
  tenantId: string,
  objectId: string,
  keyId: string,
): Promise<void> {
  return changeCredentials(ctx, tenantId, objectId, (stored) => {
    if (!stored.some((credential) => credential.keyId === keyId)) throw notFound(keyId);
    return stored.filter((credential) => credential.keyId !== keyId);
  });
}

/** Entra's own ceiling for a secret's lifetime is two years. */
const MAX_POLICY_LIFETIME_SECONDS = 2 * 365 * 86_400;

function checkPolicy(policy: ClientSecretPolicy): void {
  if (!CLIENT_SECRET_MODES.includes(policy.mode)) {
    throw invalid('mode', `must be one of ${CLIENT_SECRET_MODES.join(', ')}`);
  }
  const lifetime = policy.maxLifetimeSeconds;
  if (!Number.isInteger(lifetime) || lifetime < 60 || lifetime > MAX_POLICY_LIFETIME_SECONDS) {
    throw invalid('maxLifetimeSeconds', `must be whole seconds from 60 to ${MAX_POLICY_LIFETIME_SECONDS}`);
  }
}

/** Sets the policy; null returns the tenant to the default. */
export async function updateClientSecretPolicy(
  ctx: StoreContext,
  tenantId: string,
  policy: ClientSecretPolicy | null,
): Promise<void> {
  if (policy !== null) checkPolicy(policy);
  await ctx.write(async (trx) => {
    await requireTenant(trx, tenantId);
    await trx
      .updateTable('tenants')
      .set({ client_secret_policy: policy === null ? null : JSON.stringify(policy) })
      .where('id', '=', tenantId)
      .execute();
  });
}

/** Client secrets (migration 0012): only their hashes are ever given to the store. */
export interface PasswordCredentialsRepository {
  createPasswordCredential(
    tenantId: string,
    objectId: string,
    credential: StoredPasswordCredential,
  ): Promise<void>;
  /** not_found when the application holds no secret with this keyId. */
  deletePasswordCredential(tenantId: string, objectId: string, keyId: string): Promise<void>;
  /** The tenant's client secret policy; null returns it to the default (audit, one day). */
  updateClientSecretPolicy(tenantId: string, policy: ClientSecretPolicy | null): Promise<void>;
}

export function passwordCredentialsRepository(ctx: StoreContext): PasswordCredentialsRepository {
  return {
    createPasswordCredential: (tenantId, objectId, credential) =>
      createPasswordCredential(ctx, tenantId, objectId, credential),
    deletePasswordCredential: (tenantId, objectId, keyId) =>
      deletePasswordCredential(ctx, tenantId, objectId, keyId),
    updateClientSecretPolicy: (tenantId, policy) => updateClientSecretPolicy(ctx, tenantId, policy),
  };
}
