/**
 * What AKS keeps of a managed cluster's PUT and answers back, though a local cluster does not act on
 * it: `tags` (replaced by every PUT, as ARM's are), `properties.dnsPrefix` (fixed at creation), the
 * node pools' names, counts, VM sizes and modes (a local cluster runs its pods in one process whatever
 * they say) and the network profile's plugin, load balancer SKU and outbound type (no CIDRs: a local
 * cluster has no pod or service network to name). Stored as the cluster's ARM profile (store migration 0016).
 * @module
 */
import { CredlessError } from '@credless/core';
import type { ClusterRecord } from '../store/clusters.ts';
import { objectAt } from './arm-providers-catalogue.ts';
import { parseArmTags } from './arm-tags.ts';

export interface ArmAgentPool {
  name: string;
  count: number;
  vmSize: string;
  mode: 'System' | 'User';
}

/** What `az aks update` reads back before it writes (it refuses a cluster without a network profile). */
export interface ArmNetworkProfile {
  networkPlugin: string;
  loadBalancerSku: string;
  outboundType: string;
}

export interface ManagedClusterProfile {
  tags?: Record<string, string>;
  dnsPrefix?: string;
  agentPools?: ArmAgentPool[];
  network?: ArmNetworkProfile;
}

/** AKS's defaults, what a cluster made without a network profile answers. */
export const DEFAULT_NETWORK_PROFILE: ArmNetworkProfile = {
  networkPlugin: 'kubenet',
  loadBalancerSku: 'standard',
  outboundType: 'loadBalancer',
};
// A network profile's enumerations (networkPlugin, loadBalancerSku, outboundType): short words.
const ENUM_VALUE = /^[A-Za-z][A-Za-z0-9]{0,39}$/;

// AKS: a Linux pool's name is 1-12 lowercase letters and digits, starting with a letter.
const POOL_NAME = /^[a-z][a-z0-9]{0,11}$/;
// AKS: 1-54 letters, digits and hyphens, alphanumeric at both ends.
const DNS_PREFIX = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,52}[A-Za-z0-9])?$/;
const MAX_POOLS = 100;
const MAX_COUNT = 1000;
const VM_SIZE = /^[A-Za-z0-9_]{1,64}$/;

const invalid = (reason: string) => new CredlessError('arm_parameter_invalid', { reason });
const invalidContent = (reason: string) => new CredlessError('arm_request_content_invalid', { reason });

/** The profile a cluster has (an empty one before its first ARM PUT). */
export const profileOf = (cluster: ClusterRecord): ManagedClusterProfile =>
  (cluster.armProfile ?? {}) as ManagedClusterProfile;

function parsePool(value: unknown, index: number): ArmAgentPool {
  const path = `properties.agentPoolProfiles[${index}]`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidContent(`${path} must be an object`);
  }
  const { name, count, vmSize, mode } = value as Record<string, unknown>;
  if (typeof name !== 'string' || !POOL_NAME.test(name)) {
    throw invalid(
      `${path}.name '${String(name ?? '').slice(0, 40)}' is invalid: an agent pool name is 1-12 lowercase letters and digits, starting with a letter.`,
    );
  }
  if (
    count !== undefined &&
    count !== null &&
    (!Number.isInteger(count) || (count as number) < 0 || (count as number) > MAX_COUNT)
  ) {
    throw invalid(`${path}.count must be an integer from 0 to ${MAX_COUNT}.`);
  }
  if (vmSize !== undefined && vmSize !== null && (typeof vmSize !== 'string' || !VM_SIZE.test(vmSize))) {
    throw invalid(`${path}.vmSize '${String(vmSize).slice(0, 40)}' is not a VM size.`);
  }
  const modeName = mode === undefined || mode === null ? 'System' : mode;
  if (typeof modeName !== 'string' || !/^(system|user)$/i.test(modeName)) {
    throw invalid(`${path}.mode '${String(modeName).slice(0, 40)}' is invalid: use System or User.`);
  }
  return {
    name,
    count: (count ?? 1) as number,
    vmSize: (vmSize ?? 'local') as string,
    mode: modeName.toLowerCase() === 'user' ? 'User' : 'System',
  };
}

function parsePools(value: unknown, existing: ArmAgentPool[] | undefined): ArmAgentPool[] | undefined {
  // AKS's node pools are sub-resources: a PUT without them leaves them as they are.
  if (value === undefined || value === null) return existing;
  if (!Array.isArray(value)) throw invalidContent('properties.agentPoolProfiles must be an array');
  if (value.length === 0 || value.length > MAX_POOLS) {
    throw invalid(`properties.agentPoolProfiles must name 1 to ${MAX_POOLS} agent pools.`);
  }
  const pools = value.map(parsePool);
  const names = new Set(pools.map((pool) => pool.name));
  if (names.size !== pools.length) throw invalid('properties.agentPoolProfiles names an agent pool twice.');
  if (!pools.some((pool) => pool.mode === 'System')) {
    throw invalid('A cluster must have at least one agent pool of mode System.');
  }
  return pools;
}

function parseNetwork(value: Record<string, unknown>, existing: ArmNetworkProfile | undefined) {
  const network = objectAt(value, 'networkProfile', 'properties.networkProfile');
  const kept = { ...(existing ?? DEFAULT_NETWORK_PROFILE) };
  for (const key of ['networkPlugin', 'loadBalancerSku', 'outboundType'] as const) {
    const given = network[key];
    if (given === undefined || given === null) continue;
    if (typeof given !== 'string' || !ENUM_VALUE.test(given)) {
      throw invalid(`properties.networkProfile.${key} '${String(given).slice(0, 40)}' is invalid.`);
    }
    kept[key] = given;
  }
  return kept;
}

/** The profile a PUT body asks for, against the existing cluster's; throws what AKS answers. */
export function parseManagedClusterProfile(
  body: Record<string, unknown>,
  existing: ClusterRecord | undefined,
): ManagedClusterProfile {
  const properties = objectAt(body, 'properties', 'properties');
  const before = existing ? profileOf(existing) : {};
  const tags = parseArmTags(body['tags']);
  const { dnsPrefix } = properties;
  if (dnsPrefix !== undefined && dnsPrefix !== null && dnsPrefix !== '') {
    if (typeof dnsPrefix !== 'string' || !DNS_PREFIX.test(dnsPrefix)) {
      throw invalid(
        `properties.dnsPrefix '${String(dnsPrefix).slice(0, 60)}' is invalid: 1-54 letters, digits and hyphens, starting and ending with a letter or digit.`,
      );
    }
    if (before.dnsPrefix !== undefined && before.dnsPrefix !== dnsPrefix) {
      throw invalid(`properties.dnsPrefix cannot change (it is '${before.dnsPrefix}').`);
    }
  }
  const agentPools = parsePools(properties['agentPoolProfiles'], before.agentPools);
  const network = parseNetwork(properties, before.network);
  const prefix = typeof dnsPrefix === 'string' && dnsPrefix !== '' ? dnsPrefix : before.dnsPrefix;
  return {
    ...(tags ? { tags } : {}),
    ...(prefix !== undefined ? { dnsPrefix: prefix } : {}),
    ...(agentPools ? { agentPools } : {}),
    network,
  };
}
