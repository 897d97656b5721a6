/**
 * The provider reads az makes (`GET /subscriptions/{s}/providers[/{namespace}]`, `POST …/register`:
 * every served provider is Registered), the generic resource list az uses to find a registry by name
 * (`GET /subscriptions/{s}/resources?$filter=resourceType eq '…'`), and the registration of the
 * providers a plugin backs (managed clusters, registries).
 * @module
 */
import { CredlessError } from '@credless/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ARM_LOCATIONS } from './arm-locations.ts';
import { profileOf } from './arm-managed-cluster-profile.ts';
import { registerManagedClusterRoutes } from './arm-managed-clusters.ts';
import {
  ARM_PROVIDERS,
  type ArmProviderDeps,
  type ArmProviderPlatform,
  type ArmRequestContext,
  armRequestContext,
  MANAGED_CLUSTERS_TYPE,
  visibleTo,
} from './arm-providers-catalogue.ts';
import { armRegistries, registerRegistryRoutes } from './arm-registries.ts';

export type { ArmProviderPlatform, ArmProviderStore, ArmRouteConfig } from './arm-providers-catalogue.ts';

function toArmProvider(subscription: string, provider: (typeof ARM_PROVIDERS)[number]) {
  return {
    id: `/subscriptions/${subscription}/providers/${provider.namespace}`,
    namespace: provider.namespace,
    registrationState: 'Registered',
    registrationPolicy: 'RegistrationRequired',
    resourceTypes: provider.resourceTypes.map((type) => ({
      resourceType: type.resourceType,
      locations: ARM_LOCATIONS,
      apiVersions: [...type.apiVersions].reverse(),
      capabilities: 'None',
    })),
  };
}

function providerNamed(namespace: string) {
  const found = ARM_PROVIDERS.find(
    (provider) => provider.namespace.toLowerCase() === namespace.toLowerCase(),
  );
  if (!found)
    throw new CredlessError('arm_provider_namespace_invalid', { namespace: namespace.slice(0, 100) });
  return found;
}

// `resourceType eq 'X'`, `name eq 'Y'`, joined by `and`: what az's resource lookups send.
const FILTER_TERM = /^\s*(resourceType|name)\s+eq\s+'([^']*)'\s*$/i;

function parseResourceFilter(filter: unknown): { resourceType?: string; name?: string } {
  if (filter === undefined || filter === '') return {};
  const terms = typeof filter === 'string' ? filter.split(/\s+and\s+/i) : [''];
  const parsed: { resourceType?: string; name?: string } = {};
  for (const term of terms) {
    const match = FILTER_TERM.exec(term);
    if (!match) {
      throw new CredlessError('arm_parameter_invalid', {
        reason: `$filter '${String(filter).slice(0, 100)}' is not supported: use resourceType eq '…' and/or name eq '…'.`,
      });
    }
    const key = (match[1] as string).toLowerCase() === 'name' ? 'name' : 'resourceType';
    parsed[key] = (match[2] as string).toLowerCase();
  }
  return parsed;
}

export async function registerProviderRoutes(
  app: FastifyInstance,
  deps: ArmProviderDeps & { platform: ArmProviderPlatform; host: RegExp },
): Promise<void> {
  const { platform } = deps;
  const providers = '/subscriptions/:subscriptionId/providers';
  app.get(providers, async (request) => {
    const ctx = await armRequestContext(deps, request);
    return { value: ARM_PROVIDERS.map((provider) => toArmProvider(ctx.subscription, provider)) };
  });
  const showProvider = async (request: FastifyRequest) => {
    const ctx = await armRequestContext(deps, request);
    const { namespace } = request.params as { namespace: string };
    return toArmProvider(ctx.subscription, providerNamed(namespace));
  };
  app.get(`${providers}/:namespace`, showProvider);
  // Registering is a no-op: every served provider is registered in every subscription.
  app.post(`${providers}/:namespace/register`, showProvider);

  // What a caller may see of every resource type served, as generic resources.
  const resources = async (ctx: ArmRequestContext) => {
    const found: Array<{
      id: string;
      name: string;
      type: string;
      location: string;
      sku?: unknown;
      tags?: Record<string, string>;
    }> = [];
    if (platform.managedClusters) {
      for (const cluster of await deps.store.listClusters(ctx.tenant.id)) {
        found.push({
          id: cluster.id,
          name: cluster.name,
          type: MANAGED_CLUSTERS_TYPE,
          location: cluster.location,
          ...(profileOf(cluster).tags ? { tags: profileOf(cluster).tags } : {}),
        });
      }
    }
    if (platform.registries) {
      for (const registry of await armRegistries(ctx, platform.registries)) {
        const { id, name, type, location, sku } = registry;
        found.push({ id, name, type, location, sku });
      }
    }
    return visibleTo(ctx, found);
  };
  const listResources = async (request: FastifyRequest) => {
    const ctx = await armRequestContext(deps, request);
    const filter = parseResourceFilter((request.query as Record<string, unknown>)['$filter']);
    const { resourceGroupName } = request.params as { resourceGroupName?: string };
    const inGroup = resourceGroupName && `/resourcegroups/${resourceGroupName.toLowerCase()}/`;
    const value = (await resources(ctx)).filter(
      (resource) =>
        (filter.resourceType === undefined || resource.type.toLowerCase() === filter.resourceType) &&
        (filter.name === undefined || resource.name.toLowerCase() === filter.name) &&
        (!inGroup || resource.id.toLowerCase().includes(inGroup)),
    );
    return { value };
  };
  app.get('/subscriptions/:subscriptionId/resources', listResources);
  app.get('/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/resources', listResources);

  // Each provider also answers its paths in any casing, as ARM does.
  if (platform.managedClusters) {
    await registerManagedClusterRoutes(app, deps, platform.managedClusters).serveAnyCasing(deps.host);
  }
  if (platform.registries) {
    await registerRegistryRoutes(app, deps, platform.registries).serveAnyCasing(deps.host);
  }
}
