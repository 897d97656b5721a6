/**
 * The ARM resources credless serves: each tenant has one subscription, whose id is the tenant's id
 * (the id local clusters' resource ids already use), in ARM's JSON shapes (api-version 2022-12-01).
 * @module
 */
import { CredlessError, type Tenant } from '@credless/core';

/** The local "subscription" of a tenant: its id, so a resource id (e.g. a local cluster's) names its tenant. */
export const localSubscriptionId = (tenantId: string) => tenantId;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The tenant's subscription id when `id` names it; another tenant's subscription is not found: a token
 * never shows what its tenant does not own.
 */
export function requireOwnSubscription(tenant: Tenant, id: string): string {
  if (!GUID.test(id)) throw new CredlessError('arm_subscription_malformed', { id: id.slice(0, 64) });
  const own = localSubscriptionId(tenant.id);
  if (own !== id.toLowerCase()) throw new CredlessError('arm_subscription_not_found', { id });
  return own;
}

export function toArmSubscription(tenant: Tenant) {
  const subscriptionId = localSubscriptionId(tenant.id);
  return {
    id: `/subscriptions/${subscriptionId}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId,
    tenantId: tenant.id,
    displayName: tenant.displayName,
    state: 'Enabled',
    subscriptionPolicies: {
      locationPlacementId: 'Public_2014-09-01',
      quotaId: 'credless-local',
      spendingLimit: 'Off',
    },
  };
}

export function toArmTenant(tenant: Tenant) {
  return {
    id: `/tenants/${tenant.id}`,
    tenantId: tenant.id,
    countryCode: null,
    displayName: tenant.displayName,
    domains: [tenant.defaultDomain],
    tenantCategory: 'Home',
    defaultDomain: tenant.defaultDomain,
    tenantType: 'AAD',
  };
}

/** ARM's list envelope for subscriptions and tenants. */
export const armList = <T>(value: T[]) => ({ value, count: { type: 'Total', value: value.length } });
