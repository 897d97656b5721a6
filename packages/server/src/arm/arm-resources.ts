/**
 * The ARM resources credless serves: each tenant has one subscription, whose id is the tenant's id
 * (the id local clusters' resource ids already use), in ARM's JSON shapes (api-version 2022-12-01).
 * @module
 */
import type { Tenant } from '@credless/core';
import { localSubscriptionId } from '../local-issuers/clusters.ts';

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
