/**
 * A minimal Azure Resource Manager on credless's listener, selected by the Host header
 * (`management.azure.com` and configured names): `GET /subscriptions`, `/subscriptions/{id}` and
 * `/tenants`, enough for `az login` and `az account`; and, given a store, resource groups (`az group`). Every request needs `api-version` and a bearer
 * token credless issued for the Service Management API; the token's tenant is all a caller can see.
 * @module
 */
import { CredlessError, MANAGEMENT_APP_ID, MANAGEMENT_RESOURCE_URIS } from '@credless/core';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import {
  authenticateGraphRequest,
  bearerToken,
  type GraphCaller,
  type GraphTokenOptions,
} from '../graph/graph-token.ts';
import { sendArmError, setArmRequestIds } from './arm-errors.ts';
import { type ArmProviderPlatform, type ArmProviderStore, registerProviderRoutes } from './arm-providers.ts';
import { type ResourceGroupStore, registerResourceGroupRoutes } from './arm-resource-groups.ts';
import { armList, requireOwnSubscription, toArmSubscription, toArmTenant } from './arm-resources.ts';
import { type RoleAssignmentStore, registerAuthorizationRoutes } from './arm-role-assignments.ts';

export const DEFAULT_ARM_HOSTNAMES: readonly string[] = Object.freeze(['management.azure.com']);

/**
 * The api-versions of Microsoft.Resources' subscriptions, tenants and resource groups operations
 * (az 2.45 sends 2022-12-01 for subscriptions, 2021-04-01 for resource groups).
 */
export const ARM_API_VERSIONS: readonly string[] = Object.freeze([
  '2014-04-01-preview',
  '2015-11-01',
  '2016-06-01',
  '2018-06-01',
  '2019-06-01',
  '2019-10-01',
  '2019-11-01',
  '2020-01-01',
  '2020-06-01',
  '2020-10-01',
  '2021-01-01',
  '2021-04-01',
  '2022-01-01',
  '2022-09-01',
  '2022-12-01',
]);

/** Both resource URIs with and without their trailing slash, and the app id (v1 tokens carry either). */
const ARM_AUDIENCES = [
  ...MANAGEMENT_RESOURCE_URIS,
  ...MANAGEMENT_RESOURCE_URIS.map((uri) => uri.replace(/\/$/, '')),
  MANAGEMENT_APP_ID,
];

export interface ArmRouteOptions extends Omit<GraphTokenOptions, 'audiences'> {
  /** Host names (without port) this API answers for; default `management.azure.com`. */
  hostnames?: readonly string[];
  /** Serves resource groups, authorized by its Azure RBAC role assignments, when given. */
  store?: ResourceGroupStore & ArmProviderStore & RoleAssignmentStore;
  /** The managed clusters and registries a plugin backs (the local platforms), served given a store. */
  providers?: ArmProviderPlatform;
}

/** A Host header (with or without port) naming one of `hostnames`, case-insensitively. */
export function armHostMatcher(hostnames: readonly string[]): RegExp {
  const names = hostnames.map((name) =>
    name
      .trim()
      .toLowerCase()
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
  );
  return new RegExp(`^(?:${names.join('|')})(?::\\d{1,5})?$`, 'i');
}

export async function armRoutes(app: FastifyInstance, options: ArmRouteOptions): Promise<void> {
  const host = armHostMatcher(options.hostnames ?? DEFAULT_ARM_HOSTNAMES);
  const callers = new WeakMap<FastifyRequest, GraphCaller>();
  const tokenOptions: GraphTokenOptions = { ...options, audiences: ARM_AUDIENCES };

  // Every route of this plugin exists only under the ARM host names.
  app.addHook('onRoute', (route) => {
    route.constraints = { ...route.constraints, host };
  });
  app.addHook('onRequest', async (request, reply) => {
    setArmRequestIds(request, reply);
    if (!bearerToken(request)) {
      sendArmError(request, reply, new CredlessError('arm_token_missing'));
      return reply;
    }
    const caller = await authenticateGraphRequest(request, tokenOptions);
    if (!caller) {
      sendArmError(
        request,
        reply,
        new CredlessError('arm_token_invalid', { audiences: ARM_AUDIENCES.join(', ') }),
      );
      return reply;
    }
    const version = (request.query as Record<string, unknown>)['api-version'];
    if (version === undefined || version === '') {
      sendArmError(request, reply, new CredlessError('arm_api_version_missing'));
      return reply;
    }
    // A resource provider's routes name their own api-versions (arm-providers.ts), the rest use Microsoft.Resources'.
    const provider = request.routeOptions.config.arm;
    const supported = provider?.apiVersions ?? ARM_API_VERSIONS;
    if (typeof version !== 'string' || !supported.includes(version)) {
      const shown = typeof version === 'string' ? version.slice(0, 64) : String(version);
      const details = { version: shown, supported: supported.join(', ') };
      sendArmError(
        request,
        reply,
        provider
          ? new CredlessError('arm_provider_api_version_invalid', { ...details, type: provider.resourceType })
          : new CredlessError('arm_api_version_invalid', details),
      );
      return reply;
    }
    callers.set(request, caller);
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    // A body Fastify could not parse is the client's error, in ARM's words.
    const shown = error.code?.startsWith('FST_ERR_CTP_')
      ? new CredlessError('arm_request_content_invalid', { reason: error.message })
      : error;
    const { exposed } = sendArmError(request, reply, shown);
    if (!exposed) request.log.error({ err: error, url: request.url.split('?')[0] }, 'ARM request failed');
  });

  const caller = (request: FastifyRequest): GraphCaller => {
    const found = callers.get(request);
    if (!found) throw new Error('ARM handler ran without an authenticated caller');
    return found;
  };
  // Fresh from the store: the token's tenant object may predate a rename.
  const tenantOf = async (request: FastifyRequest) => {
    const { tenant } = caller(request);
    return (await options.directory.findTenant(tenant.id)) ?? tenant;
  };

  app.get('/subscriptions', async (request) => armList([toArmSubscription(await tenantOf(request))]));
  app.get('/subscriptions/:subscriptionId', async (request) => {
    const { subscriptionId } = request.params as { subscriptionId: string };
    const tenant = await tenantOf(request);
    requireOwnSubscription(tenant, subscriptionId);
    return toArmSubscription(tenant);
  });
  app.get('/tenants', async (request) => armList([toArmTenant(await tenantOf(request))]));
  if (options.store) {
    const deps = { store: options.store, caller, tenantOf };
    registerResourceGroupRoutes(app, { ...deps, platform: options.providers });
    await registerProviderRoutes(app, { ...deps, host, platform: options.providers ?? {} });
    await registerAuthorizationRoutes(app, { ...deps, host, registries: options.providers?.registries });
  }
}
