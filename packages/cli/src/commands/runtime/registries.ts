/**
 * `credless acr create|list|show` and `credless cluster update --attach-acr|--detach-acr`: `az acr` and
 * `az aks update` over credless's Resource Manager (Microsoft.ContainerRegistry/registries, and an
 * AcrPull role assignment for the cluster's kubelet identity on the registry's scope, as az makes it),
 * so offline (in-process) and logged in print the same az-shaped results, authorized by the API.
 * @module
 */
import { CredlessError } from '@credless/core';
import { UsageError } from '../../exit-codes.ts';
import type { GraphApi } from '../../session/graph-api.ts';
import type { ManagementApi } from '../../session/management-api.ts';
import { azView } from '../cluster/az-view.ts';
import { type ClusterNames, ensureGroup, groupPath, showCluster } from '../cluster/cluster.ts';
import { createRoleAssignment, deleteRoleAssignment } from '../role/role-assignment.ts';

const API = 'api-version=2022-12-01';
const TYPE = 'Microsoft.ContainerRegistry/registries';
const ACR_PULL = 'AcrPull';
/** Where `acr create` without -g puts a new registry (where the Resource Manager lists unplaced ones). */
export const DEFAULT_REGISTRY_GROUP = 'credless-registries';

export type RegistryView = Record<string, unknown> & { id: string; name: string; resourceGroup: string };

async function allRegistries(arm: ManagementApi): Promise<RegistryView[]> {
  const { body } = await arm.call<{ value: Array<Record<string, unknown>> }>(
    'GET',
    `/subscriptions/${arm.subscriptionId}/providers/${TYPE}?${API}`,
  );
  return body.value.map((registry) => azView(registry) as RegistryView);
}

/** As az finds a registry by name: among the subscription's (login servers are global, names too). */
async function findRegistry(arm: ManagementApi, name: string): Promise<RegistryView | undefined> {
  return (await allRegistries(arm)).find((registry) => registry.name === name.toLowerCase());
}

async function requireRegistry(arm: ManagementApi, name: string): Promise<RegistryView> {
  const found = await findRegistry(arm, name);
  if (!found) throw new CredlessError('registry_not_found', { registry: name });
  return found;
}

export interface CreateRegistryOptions {
  name: string;
  /** Default: the existing registry's, else DEFAULT_REGISTRY_GROUP. */
  resourceGroup?: string;
  sku?: string;
  location?: string;
}

/** Creates the registry, or returns the existing one (the same group again is ARM's idempotent PUT). */
export async function acrCreate(api: GraphApi, options: CreateRegistryOptions): Promise<RegistryView> {
  const arm = await api.management();
  if (!options.resourceGroup) {
    const existing = await findRegistry(arm, options.name);
    if (existing) return existing;
  }
  const group = options.resourceGroup ?? DEFAULT_REGISTRY_GROUP;
  const location = await ensureGroup(arm, group, options.location);
  const { body } = await arm.call<Record<string, unknown>>(
    'PUT',
    `${groupPath(arm, group)}/providers/${TYPE}/${encodeURIComponent(options.name)}?${API}`,
    { location, sku: { name: options.sku ?? 'Basic' } },
  );
  return azView(body) as RegistryView;
}

export async function acrShow(api: GraphApi, name: string): Promise<RegistryView> {
  return requireRegistry(await api.management(), name);
}

export async function acrList(
  api: GraphApi,
  options: { resourceGroup?: string } = {},
): Promise<RegistryView[]> {
  const group = options.resourceGroup?.toLowerCase();
  return (await allRegistries(await api.management())).filter(
    (registry) => group === undefined || registry.resourceGroup.toLowerCase() === group,
  );
}

/**
 * `cluster update -n -g --attach-acr <r> | --detach-acr <r>` (az aks update): AcrPull for the cluster's
 * kubelet identity on the registry's scope, given or taken away; prints the cluster, as az does.
 */
export async function clusterUpdate(
  api: GraphApi,
  options: ClusterNames & { attachAcr?: string; detachAcr?: string },
) {
  const registryName = options.attachAcr ?? options.detachAcr;
  if (registryName === undefined) {
    throw new UsageError('cluster update: pass --attach-acr <registry> or --detach-acr <registry>');
  }
  const cluster = await showCluster(api, options);
  const kubelet = (cluster['identityProfile'] as { kubeletidentity?: { objectId?: string } } | undefined)
    ?.kubeletidentity?.objectId;
  if (kubelet === undefined) {
    throw new UsageError(
      `cluster update: ${options.name} has no kubelet identity yet (identityProfile.kubeletidentity): is credless serving it?`,
    );
  }
  const registry = await requireRegistry(await api.management(), registryName);
  const assignment = { role: ACR_PULL, assignee: kubelet, scope: registry.id };
  if (options.attachAcr !== undefined) await createRoleAssignment(api, assignment);
  else await deleteRoleAssignment(api, assignment).catch(ignoreNotFound);
  return showCluster(api, options);
}

/** Detaching what was never attached is no error (as az). */
function ignoreNotFound(error: unknown): void {
  if (error instanceof CredlessError && error.code === 'not_found') return;
  throw error;
}
