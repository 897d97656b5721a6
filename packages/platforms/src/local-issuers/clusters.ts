/**
 * Local clusters as AKS-like records: creation (with the service-account issuer key), the
 * `az aks show`-shaped view, and ARM resource ids.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { CredlessError, clusterIssuerUrl } from '@credless/core';
import { type ClusterRecord, type DirectoryStore, localSubscriptionId } from '@credless/server';
import { generateIssuerSigningKey } from './issuer-signing-key.ts';

export type ClusterStore = Pick<
  DirectoryStore,
  'createCluster' | 'getCluster' | 'listClusters' | 'deleteCluster'
>;

export const LOCAL_CLUSTER_LOCATION = 'local';
const PROVIDER = 'Microsoft.ContainerService/managedClusters';

export interface CreateLocalClusterInput {
  tenantId: string;
  /** credless's public base URL (no trailing slash): the issuer lives under it. */
  baseUrl: string;
  resourceGroup: string;
  name: string;
  /** Local clusters always have an issuer; the flag is accepted as az does. Default true. */
  enableOidcIssuer?: boolean;
  enableWorkloadIdentity?: boolean;
  /** An ARM location (`westeurope`) for clusters made through the Resource Manager; default `local`. */
  location?: string;
}

export function clusterResourceId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${PROVIDER}/${name}`;
}

const RESOURCE_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerService\/managedClusters\/([^/]+)$/i;

export function parseClusterResourceId(
  id: string,
): { subscriptionId: string; resourceGroup: string; name: string } | undefined {
  const match = RESOURCE_ID.exec(id.trim());
  return match
    ? { subscriptionId: match[1] as string, resourceGroup: match[2] as string, name: match[3] as string }
    : undefined;
}

/** Creates the cluster and its issuer key; again with the same names returns the existing cluster. */
export async function createLocalCluster(
  deps: { store: ClusterStore; kek: Uint8Array; now?: () => number },
  input: CreateLocalClusterInput,
): Promise<{ cluster: ClusterRecord; created: boolean }> {
  const now = (deps.now ?? Date.now)();
  const wantOidc = input.enableOidcIssuer ?? true;
  const wantWorkloadIdentity = input.enableWorkloadIdentity ?? false;
  if (wantWorkloadIdentity && !wantOidc) {
    throw new CredlessError('invalid_value', {
      field: 'enableWorkloadIdentity',
      reason: 'workload identity needs the OIDC issuer (--enable-oidc-issuer)',
    });
  }
  const existing = await deps.store.getCluster(input.tenantId, input.resourceGroup, input.name);
  if (
    existing &&
    (existing.oidcIssuerEnabled || !wantOidc) &&
    (existing.workloadIdentityEnabled || !wantWorkloadIdentity)
  ) {
    return { cluster: existing, created: false };
  }
  const subscriptionId = localSubscriptionId(input.tenantId);
  const issuerGuid = randomUUID();
  return deps.store.createCluster({
    id: clusterResourceId(subscriptionId, input.resourceGroup, input.name),
    tenantId: input.tenantId,
    subscriptionId,
    resourceGroup: input.resourceGroup,
    name: input.name,
    location: existing?.location ?? input.location ?? LOCAL_CLUSTER_LOCATION,
    issuerGuid,
    issuerUrl: clusterIssuerUrl(input.baseUrl, input.tenantId, issuerGuid),
    oidcIssuerEnabled: wantOidc,
    workloadIdentityEnabled: wantWorkloadIdentity,
    // Only generated when the cluster is new (an existing one keeps its key; the store ignores this one).
    signingKey: existing?.signingKey ?? (await generateIssuerSigningKey(deps.kek, now)),
    createdAt: new Date(now),
  });
}

/** The cluster by its ARM id (case-insensitive names), or undefined. */
export async function findClusterById(
  store: Pick<ClusterStore, 'getCluster'>,
  id: string,
): Promise<ClusterRecord | undefined> {
  const parsed = parseClusterResourceId(id);
  if (!parsed) return undefined;
  return store.getCluster(parsed.subscriptionId.toLowerCase(), parsed.resourceGroup, parsed.name);
}

/** `az aks show`'s shape, for the members scripts query (id, name, oidcIssuerProfile, securityProfile…). */
export function clusterView(cluster: ClusterRecord) {
  return {
    id: cluster.id,
    name: cluster.name,
    resourceGroup: cluster.resourceGroup,
    location: cluster.location,
    type: PROVIDER,
    provisioningState: 'Succeeded',
    powerState: { code: 'Running' },
    aadProfile: { managed: true, enableAzureRbac: true, tenantId: cluster.tenantId },
    oidcIssuerProfile: {
      enabled: cluster.oidcIssuerEnabled,
      issuerUrl: cluster.oidcIssuerEnabled ? cluster.issuerUrl : null,
    },
    securityProfile: { workloadIdentity: { enabled: cluster.workloadIdentityEnabled } },
    systemData: { createdAt: cluster.createdAt.toISOString() },
  };
}

export type ClusterView = ReturnType<typeof clusterView>;
