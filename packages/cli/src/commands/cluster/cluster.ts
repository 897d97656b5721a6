/**
 * `credless cluster create|show|list|delete`: `az aks` over credless's Resource Manager
 * (Microsoft.ContainerService/managedClusters), as az sends it — PUT and DELETE followed as long-running
 * operations — so offline (in-process) and logged in print the same az-shaped clusters, authorized by
 * the API. `--query oidcIssuerProfile.issuerUrl -o tsv` and `--query id -o tsv` work as in the seed.
 * @module
 */
import { CredlessError } from '@credless/core';
import type { GraphApi } from '../../session/graph-api.ts';
import { armError, type ManagementApi, waitForOperation } from '../../session/management-api.ts';
import { azView } from './az-view.ts';

const API = 'api-version=2023-08-01';
const GROUPS_API = 'api-version=2021-04-01';
const TYPE = 'Microsoft.ContainerService/managedClusters';
/** Where a cluster goes when neither --location nor its resource group says. */
export const DEFAULT_LOCATION = 'eastus';

export interface ClusterNames {
  name: string;
  resourceGroup: string;
}

export interface CreateClusterOptions extends ClusterNames {
  enableOidcIssuer?: boolean;
  enableWorkloadIdentity?: boolean;
  location?: string;
  /** az's --no-wait: the PUT's answer is not followed (and nothing is printed). */
  noWait?: boolean;
}

export const groupPath = (arm: ManagementApi, group: string) =>
  `/subscriptions/${arm.subscriptionId}/resourceGroups/${encodeURIComponent(group)}`;
const clusterPath = (arm: ManagementApi, names: ClusterNames) =>
  `${groupPath(arm, names.resourceGroup)}/providers/${TYPE}/${encodeURIComponent(names.name)}`;

/** An ARM managed cluster as `az aks show` prints it (properties flattened, resourceGroup added). */
export const clusterView = (cluster: Record<string, unknown>) => azView(cluster);
export type ClusterView = ReturnType<typeof clusterView>;

/**
 * The resource group's location; a group that does not exist yet is created (in --location, else
 * DEFAULT_LOCATION): local clusters never needed `az group create` first, and the seed does not run it.
 */
export async function ensureGroup(arm: ManagementApi, group: string, location?: string): Promise<string> {
  const found = await arm.send('GET', `${groupPath(arm, group)}?${GROUPS_API}`);
  if (found.status === 200) return location ?? (found.body as { location: string }).location;
  if (found.status !== 404) throw armError(found, 'GET resourceGroups');
  const wanted = location ?? DEFAULT_LOCATION;
  await arm.call('PUT', `${groupPath(arm, group)}?${GROUPS_API}`, { location: wanted });
  return wanted;
}

/** Creates the cluster, or returns the existing one of that resource group and name (idempotent). */
export async function createCluster(
  api: GraphApi,
  options: CreateClusterOptions,
): Promise<ClusterView | undefined> {
  const arm = await api.management();
  const location = await ensureGroup(arm, options.resourceGroup, options.location);
  const path = clusterPath(arm, options);
  const existing = await arm.send('GET', `${path}?${API}`);
  // The same command again: AKS would reconcile; unless it turns workload identity on, nothing changes.
  if (existing.status === 200) {
    const found = clusterView(existing.body as Record<string, unknown>);
    const identity = found['securityProfile'] as { workloadIdentity?: { enabled?: boolean } } | undefined;
    if (!options.enableWorkloadIdentity || identity?.workloadIdentity?.enabled) return found;
  }
  const answer = await arm.call('PUT', `${path}?${API}`, {
    location: existing.status === 200 ? (existing.body as { location: string }).location : location,
    identity: { type: 'SystemAssigned' },
    properties: {
      dnsPrefix: options.name,
      oidcIssuerProfile: { enabled: options.enableOidcIssuer !== false },
      ...(options.enableWorkloadIdentity ? { securityProfile: { workloadIdentity: { enabled: true } } } : {}),
    },
  });
  if (options.noWait) return undefined;
  await waitForOperation(arm, answer, `cluster create ${options.name}`);
  return showCluster(api, options);
}

export async function showCluster(api: GraphApi, options: ClusterNames): Promise<ClusterView> {
  const arm = await api.management();
  const answer = await arm.send('GET', `${clusterPath(arm, options)}?${API}`);
  if (answer.status === 404) notFound(options);
  if (answer.status !== 200) throw armError(answer, 'GET managedClusters');
  return clusterView(answer.body as Record<string, unknown>);
}

/** The catalogue's not_found (exit 3), naming the cluster as before. */
function notFound(options: ClusterNames): never {
  throw new CredlessError('not_found', { id: `${options.resourceGroup}/${options.name}` });
}

export async function listClusters(
  api: GraphApi,
  options: { resourceGroup?: string } = {},
): Promise<ClusterView[]> {
  const arm = await api.management();
  const under = options.resourceGroup
    ? groupPath(arm, options.resourceGroup)
    : `/subscriptions/${arm.subscriptionId}`;
  const answer = await arm.send('GET', `${under}/providers/${TYPE}?${API}`);
  // A group that does not exist holds no cluster.
  if (answer.status === 404 && options.resourceGroup) return [];
  if (answer.status !== 200) throw armError(answer, 'GET managedClusters');
  return (answer.body as { value: Array<Record<string, unknown>> }).value.map(clusterView);
}

/** Deletes the cluster record and its issuer key: tokens it signed stop verifying at once. */
export async function deleteCluster(
  api: GraphApi,
  options: ClusterNames & { noWait?: boolean },
): Promise<void> {
  const arm = await api.management();
  const answer = await arm.send('DELETE', `${clusterPath(arm, options)}?${API}`);
  // ARM answers 204 for a cluster that is not there (404 for its group): for the CLI, not found.
  if (answer.status === 204 || answer.status === 404) notFound(options);
  if (answer.status !== 200 && answer.status !== 202) throw armError(answer, 'DELETE managedClusters');
  if (!options.noWait) await waitForOperation(arm, answer, `cluster delete ${options.name}`);
}
