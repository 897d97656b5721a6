/**
 * Rule: the client and tenant ids a pod gets from its ServiceAccount. As in azure-workload-identity,
 * a tenant-id annotation wins even when empty (empty values are then simply not injected); without it
 * the webhook's configured tenant applies.
 * @module
 */
import { CLIENT_ID_ANNOTATION, TENANT_ID_ANNOTATION } from './constants.ts';
import type { MutationConfig, ServiceAccountInfo } from './types.ts';

export interface PodIdentity {
  clientId: string | undefined;
  tenantId: string | undefined;
}

export function identityFromServiceAccount(
  serviceAccount: ServiceAccountInfo,
  config: Pick<MutationConfig, 'tenantId'>,
): PodIdentity {
  const annotations = serviceAccount.annotations;
  const clientId = annotations[CLIENT_ID_ANNOTATION]?.trim() || undefined;
  const tenantId = Object.hasOwn(annotations, TENANT_ID_ANNOTATION)
    ? annotations[TENANT_ID_ANNOTATION]?.trim() || undefined
    : config.tenantId;
  return { clientId, tenantId };
}
