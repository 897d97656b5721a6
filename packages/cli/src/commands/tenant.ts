/**
 * `credless tenant create|list|show|secret-policy`: tenants (organizations) of this credless, through
 * the API's `/credless/tenants` (listing and creating are for the operator: a caller of the first tenant).
 * @module
 */
import type { ClientSecretPolicy } from '@credless/core';
import { type GraphApi, withoutODataContext } from '../session/graph-api.ts';

export interface TenantView {
  id: string;
  defaultDomain: string;
  displayName: string;
  createdDateTime: string;
  clientSecretPolicy: ClientSecretPolicy;
}

const TENANTS = '/credless/tenants';
const tenantPath = (idOrDomain: string) => `${TENANTS}/${encodeURIComponent(idOrDomain)}`;

export const createTenant = async (
  api: GraphApi,
  options: { domain: string; displayName: string },
): Promise<TenantView> =>
  withoutODataContext(
    await api.call<TenantView>('POST', TENANTS, {
      defaultDomain: options.domain,
      displayName: options.displayName,
    }),
  );

export const listTenants = async (api: GraphApi): Promise<TenantView[]> =>
  (await api.call<{ value: TenantView[] }>('GET', TENANTS)).value;

export const showTenant = async (api: GraphApi, idOrDomain: string): Promise<TenantView> =>
  withoutODataContext(await api.call<TenantView>('GET', tenantPath(idOrDomain)));

export interface SecretPolicyOptions {
  id: string;
  mode?: string;
  /** Seconds, as typed. */
  maxLifetime?: string;
  reset?: boolean;
}

/**
 * Shows or changes the tenant's client secret policy (deny | audit | allow, maximum lifetime); the
 * API checks the values. `--reset` returns to the default (audit, one day).
 */
export async function secretPolicy(
  api: GraphApi,
  options: SecretPolicyOptions,
): Promise<{ tenantId: string; clientSecretPolicy: ClientSecretPolicy }> {
  const tenant = await showTenant(api, options.id);
  const path = `${tenantPath(tenant.id)}/clientSecretPolicy`;
  if (options.reset) {
    await api.call('DELETE', path);
  } else if (options.mode !== undefined || options.maxLifetime !== undefined) {
    await api.call('PATCH', path, {
      ...(options.mode !== undefined ? { mode: options.mode } : {}),
      // Sent as typed when it is not a number, so the API names the bad value.
      ...(options.maxLifetime !== undefined
        ? {
            maxLifetimeSeconds: Number.isFinite(Number(options.maxLifetime))
              ? Number(options.maxLifetime)
              : options.maxLifetime,
          }
        : {}),
    });
  }
  const policy = withoutODataContext(await api.call<ClientSecretPolicy>('GET', path));
  return { tenantId: tenant.id, clientSecretPolicy: policy };
}
