/**
 * `Microsoft.ContainerService/managedClusters` in AKS's wire shape (api-version 2022-11-01 and later):
 * what `az aks show` reads, from a local cluster; and the PUT body's members that matter locally
 * (location, OIDC issuer, workload identity), with what AKS keeps and answers back (tags, DNS prefix,
 * node pool sizes: arm-managed-cluster-profile.ts). The rest az sends (network profile, SSH keys…)
 * describes VMs a local cluster does not have: accepted, and the cluster answers its own.
 * @module
 */
import { CredlessError } from '@credless/core';
import type { ClusterRecord } from '../store/clusters.ts';
import { normalizeArmLocation } from './arm-locations.ts';
import {
  DEFAULT_NETWORK_PROFILE,
  type ManagedClusterProfile,
  parseManagedClusterProfile,
  profileOf,
} from './arm-managed-cluster-profile.ts';
import {
  booleanAt,
  type KubeletIdentity,
  locationIn,
  MANAGED_CLUSTERS_TYPE,
  objectAt,
  objectBody,
} from './arm-providers-catalogue.ts';

// AKS: 1-63 letters, digits, '-' and '_', alphanumeric at both ends.
const CLUSTER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/;

export function checkClusterName(name: string): string {
  if (!CLUSTER_NAME.test(name)) {
    throw new CredlessError('arm_resource_name_invalid', {
      name: name.slice(0, 100),
      rule: 'a managed cluster name is 1-63 letters, digits, hyphens and underscores, starting and ending with a letter or digit.',
    });
  }
  return name;
}

export interface ManagedClusterFacts {
  kubelet: KubeletIdentity | undefined;
  /** The cluster's Kubernetes API URL; undefined while no replica serves it yet. */
  server: string | undefined;
  kubernetesVersion: string;
}

export function toArmManagedCluster(cluster: ClusterRecord, facts: ManagedClusterFacts) {
  const running = facts.server !== undefined;
  const powerState = { code: running ? 'Running' : 'Starting' };
  const profile = profileOf(cluster);
  // Before any ARM PUT (`credless cluster create`): one local "node", the process that runs the pods.
  const pools = profile.agentPools ?? [{ name: 'nodepool1', count: 1, vmSize: 'local', mode: 'System' }];
  return {
    id: cluster.id,
    location: cluster.location,
    name: cluster.name,
    type: MANAGED_CLUSTERS_TYPE,
    ...(profile.tags ? { tags: profile.tags } : {}),
    sku: { name: 'Base', tier: 'Free' },
    identity: { type: 'SystemAssigned', tenantId: cluster.tenantId },
    properties: {
      provisioningState: running ? 'Succeeded' : 'Creating',
      powerState,
      kubernetesVersion: facts.kubernetesVersion,
      currentKubernetesVersion: facts.kubernetesVersion,
      dnsPrefix: profile.dnsPrefix ?? cluster.name,
      ...(running ? { fqdn: new URL(facts.server as string).hostname } : {}),
      agentPoolProfiles: pools.map((pool) => ({
        name: pool.name,
        count: pool.count,
        vmSize: pool.vmSize,
        osType: 'Linux',
        type: 'VirtualMachineScaleSets',
        mode: pool.mode,
        orchestratorVersion: facts.kubernetesVersion,
        provisioningState: 'Succeeded',
        powerState,
      })),
      networkProfile: profile.network ?? DEFAULT_NETWORK_PROFILE,
      nodeResourceGroup: `MC_${cluster.resourceGroup}_${cluster.name}_${cluster.location}`,
      enableRBAC: true,
      // Local clusters are AKS-managed Entra ID clusters with Azure RBAC for Kubernetes authorization.
      aadProfile: {
        managed: true,
        enableAzureRBAC: true,
        tenantID: cluster.tenantId,
        adminGroupObjectIDs: [],
      },
      disableLocalAccounts: false,
      // A system-assigned identity cluster, as AKS says it: no service principal of its own.
      servicePrincipalProfile: { clientId: 'msi' },
      oidcIssuerProfile: {
        enabled: cluster.oidcIssuerEnabled,
        ...(cluster.oidcIssuerEnabled ? { issuerURL: cluster.issuerUrl } : {}),
      },
      securityProfile: { workloadIdentity: { enabled: cluster.workloadIdentityEnabled } },
      ...(facts.kubelet ? { identityProfile: { kubeletidentity: facts.kubelet } } : {}),
      maxAgentPools: 100,
    },
  };
}

export interface ManagedClusterRequest {
  /** Normalized; for an existing cluster its own location when the body names the same. */
  location: string;
  enableOidcIssuer: boolean | undefined;
  enableWorkloadIdentity: boolean | undefined;
  /** Tags, DNS prefix and node pools, as the cluster keeps them after this PUT. */
  profile: ManagedClusterProfile;
}

/** Reads the PUT body against the existing cluster (if any); throws the errors AKS answers. */
export function parseManagedClusterBody(
  body: unknown,
  names: { group: string; name: string },
  existing: ClusterRecord | undefined,
): ManagedClusterRequest {
  const value = objectBody(body);
  const location = locationIn(value);
  const profile = parseManagedClusterProfile(value, existing);
  const properties = objectAt(value, 'properties', 'properties');
  const oidc = booleanAt(
    objectAt(properties, 'oidcIssuerProfile', 'properties.oidcIssuerProfile'),
    'enabled',
    'properties.oidcIssuerProfile.enabled',
  );
  const security = objectAt(properties, 'securityProfile', 'properties.securityProfile');
  const workloadIdentity = booleanAt(
    objectAt(security, 'workloadIdentity', 'properties.securityProfile.workloadIdentity'),
    'enabled',
    'properties.securityProfile.workloadIdentity.enabled',
  );
  if (booleanAt(properties, 'enableRBAC', 'properties.enableRBAC') === false) {
    throw new CredlessError('arm_parameter_invalid', {
      reason: 'enableRBAC cannot be false: local clusters authorize with Kubernetes RBAC over Azure RBAC.',
    });
  }
  const sameLocation = existing && location.replace(/\s+/g, '').toLowerCase() === existing.location;
  const normalized = sameLocation ? existing.location : normalizeArmLocation(location);
  if (existing && normalized !== existing.location) {
    throw new CredlessError('arm_resource_location_changed', {
      name: names.name,
      group: names.group,
      existing: existing.location,
      location: normalized,
    });
  }
  if (existing?.oidcIssuerEnabled && oidc === false) {
    throw new CredlessError('arm_parameter_invalid', {
      reason: 'OIDC issuer cannot be disabled once it is enabled (properties.oidcIssuerProfile.enabled).',
    });
  }
  if (existing?.workloadIdentityEnabled && workloadIdentity === false) {
    throw new CredlessError('arm_parameter_invalid', {
      reason: 'Workload identity cannot be disabled on a local cluster once it is enabled.',
    });
  }
  const oidcOn = oidc ?? existing?.oidcIssuerEnabled ?? false;
  if ((workloadIdentity ?? existing?.workloadIdentityEnabled) && !oidcOn) {
    throw new CredlessError('arm_parameter_invalid', {
      reason:
        'Enabling workload identity requires enabling OIDC issuer (properties.oidcIssuerProfile.enabled: true).',
    });
  }
  return { location: normalized, enableOidcIssuer: oidc, enableWorkloadIdentity: workloadIdentity, profile };
}
