/**
 * `Microsoft.ContainerRegistry/registries` over credless's registries (directory applications whose
 * identifier URI is the login server): `az acr create/list/show` and the name check az makes first.
 * `az acr build` uploads its context to Azure Blob storage, which credless does not have: its first
 * call (listBuildSourceUploadUrl) is refused with a message that names `credless acr build`.
 * @module
 */
import { CredlessError } from '@credless/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireArmAccess } from './arm-authorization.ts';
import { normalizeArmLocation } from './arm-locations.ts';
import {
  type ArmProviderDeps,
  type ArmRegistryRecord,
  type ArmRequestContext,
  ArmResourceHandlers,
  armRequestContext,
  CONTAINER_REGISTRY,
  CONTAINER_REGISTRY_API_VERSIONS,
  checkGroupName,
  locationIn,
  objectAt,
  objectBody,
  REGISTRIES_TYPE,
  type RegistryPlatform,
  requireGroup,
  requireResource,
  resourceNames,
  routeConfig,
  UNPLACED_REGISTRY_GROUP,
  visibleTo,
} from './arm-providers-catalogue.ts';
import { ArmProviderRoutes } from './arm-providers-routing.ts';

const ACTION = REGISTRIES_TYPE;
// ACR: 5-50 alphanumeric characters (login servers are lowercase).
const REGISTRY_NAME = /^[A-Za-z0-9]{5,50}$/;
const NAME_RULE = 'a registry name is 5-50 alphanumeric characters.';
const SKUS = ['Basic', 'Standard', 'Premium'];

export const registryResourceId = (subscription: string, registry: ArmRegistryRecord) =>
  `/subscriptions/${subscription}/resourceGroups/${registry.resourceGroup}/providers/${REGISTRIES_TYPE}/${registry.name}`;

export function toArmRegistry(subscription: string, registry: ArmRegistryRecord) {
  return {
    id: registryResourceId(subscription, registry),
    name: registry.name,
    type: REGISTRIES_TYPE,
    location: registry.location,
    sku: { name: registry.sku, tier: registry.sku },
    properties: {
      loginServer: registry.loginServer,
      creationDate: registry.createdAt,
      provisioningState: 'Succeeded',
      adminUserEnabled: false,
      publicNetworkAccess: 'Enabled',
      networkRuleBypassOptions: 'AzureServices',
      zoneRedundancy: 'Disabled',
      anonymousPullEnabled: false,
      dataEndpointEnabled: false,
      encryption: { status: 'disabled' },
    },
  };
}

function checkRegistryName(name: string): string {
  if (!REGISTRY_NAME.test(name)) {
    throw new CredlessError('arm_resource_name_invalid', { name: name.slice(0, 100), rule: NAME_RULE });
  }
  return name.toLowerCase();
}

/** The PUT body's members: location (required), sku.name (Basic/Standard/Premium), no admin user. */
function parseRegistryBody(body: unknown): { location: string; sku: string } {
  const value = objectBody(body);
  const location = locationIn(value);
  const skuName = objectAt(value, 'sku', 'sku')['name'];
  const sku = SKUS.find(
    (known) => typeof skuName === 'string' && known.toLowerCase() === skuName.toLowerCase(),
  );
  if (!sku) {
    throw new CredlessError('arm_parameter_invalid', {
      reason: `sku.name '${String(skuName ?? '').slice(0, 40)}' is invalid: use ${SKUS.join(', ')}.`,
    });
  }
  if (objectAt(value, 'properties', 'properties')['adminUserEnabled'] === true) {
    throw new CredlessError('arm_parameter_invalid', {
      reason:
        'properties.adminUserEnabled: credless registries have no admin user (no passwords): pulls use the kubelet identity (AcrPull).',
    });
  }
  return { location: normalizeArmLocation(location), sku };
}

export function registerRegistryRoutes(
  app: FastifyInstance,
  deps: ArmProviderDeps,
  platform: RegistryPlatform,
): ArmProviderRoutes {
  const routes = new ArmProviderRoutes(
    app,
    CONTAINER_REGISTRY,
    routeConfig(CONTAINER_REGISTRY_API_VERSIONS, 'registries'),
  );
  const registries = new RegistryRoutes(deps, platform);
  const group = '/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName';
  const one = `${group}/providers/${REGISTRIES_TYPE}/:registryName`;
  routes.add('GET', `/subscriptions/:subscriptionId/providers/${REGISTRIES_TYPE}`, (request) =>
    registries.listAll(request),
  );
  routes.add('GET', `${group}/providers/${REGISTRIES_TYPE}`, (request) => registries.listInGroup(request));
  routes.add('GET', one, (request) => registries.show(request));
  routes.add('PUT', one, (request, reply) => registries.put(request, reply));
  routes.add('POST', `${one}/listBuildSourceUploadUrl`, (request) => registries.refuseBuild(request));
  routes.add(
    'POST',
    `/subscriptions/:subscriptionId/providers/${CONTAINER_REGISTRY}/checkNameAvailability`,
    (request) => registries.checkNameAvailability(request),
  );
  return routes;
}

/** The handlers of `registries`, one method a route. */
class RegistryRoutes extends ArmResourceHandlers<RegistryPlatform> {
  async listAll(request: FastifyRequest) {
    const ctx = await armRequestContext(this.deps, request);
    return { value: await this.#listed(ctx) };
  }

  async listInGroup(request: FastifyRequest) {
    const ctx = await armRequestContext(this.deps, request);
    const { resourceGroupName } = request.params as { resourceGroupName: string };
    const groupName = checkGroupName(resourceGroupName).toLowerCase();
    const inGroup = (await this.#listed(ctx)).filter((registry) =>
      registry.id.toLowerCase().includes(`/resourcegroups/${groupName}/`),
    );
    if (inGroup.length === 0) await requireGroup(this.deps, ctx, resourceGroupName);
    return { value: inGroup };
  }

  async show(request: FastifyRequest) {
    const ctx = await armRequestContext(this.deps, request);
    const names = namesOf(request, ctx);
    requireArmAccess(ctx.grants, ctx.caller, names.scope, `${ACTION}/read`, false);
    return toArmRegistry(ctx.subscription, await this.#requireRegistry(ctx, names));
  }

  async put(request: FastifyRequest, reply: FastifyReply) {
    const ctx = await armRequestContext(this.deps, request);
    const names = namesOf(request, ctx);
    requireArmAccess(ctx.grants, ctx.caller, names.scope, `${ACTION}/write`, true);
    const groupName = await requireGroup(this.deps, ctx, names.group);
    const wanted = parseRegistryBody(request.body);
    const existing = (await this.platform.list(ctx.tenant.id)).find(
      (registry) => registry.name === names.name,
    );
    // A registry `credless acr create` made is placed by its first PUT.
    const placed = existing && existing.resourceGroup !== UNPLACED_REGISTRY_GROUP ? existing : undefined;
    // Login servers are global: the name is taken for every other group.
    if (placed && placed.resourceGroup.toLowerCase() !== groupName.toLowerCase()) {
      throw new CredlessError('arm_registry_name_in_use', { name: names.name });
    }
    if (placed && placed.location !== wanted.location) {
      throw new CredlessError('arm_resource_location_changed', {
        name: names.name,
        group: groupName,
        existing: placed.location,
        location: wanted.location,
      });
    }
    const { registry, created } = await this.platform.create(ctx.tenant.id, {
      name: names.name,
      resourceGroup: groupName,
      ...wanted,
    });
    return reply.code(created ? 201 : 200).send(toArmRegistry(ctx.subscription, registry));
  }

  /** `az acr build`'s first call: refused, naming `credless acr build`. */
  async refuseBuild(request: FastifyRequest): Promise<never> {
    const ctx = await armRequestContext(this.deps, request);
    const names = namesOf(request, ctx);
    requireArmAccess(ctx.grants, ctx.caller, names.scope, `${ACTION}/listBuildSourceUploadUrl/action`, true);
    const registry = await this.#requireRegistry(ctx, names);
    throw new CredlessError('arm_registry_build_unavailable', {
      action: 'az acr build',
      registry: registry.name,
    });
  }

  async checkNameAvailability(request: FastifyRequest) {
    const ctx = await armRequestContext(this.deps, request);
    const { name } = objectBody(request.body);
    if (typeof name !== 'string' || !REGISTRY_NAME.test(name)) {
      return {
        nameAvailable: false,
        reason: 'Invalid',
        message: `The specified resource name is invalid: ${NAME_RULE}`,
      };
    }
    const taken = (await this.platform.list(ctx.tenant.id)).some(
      (registry) => registry.name === name.toLowerCase(),
    );
    return taken
      ? {
          nameAvailable: false,
          reason: 'AlreadyExists',
          message: `The registry ${name} is already in use.`,
        }
      : { nameAvailable: true };
  }

  async #listed(ctx: ArmRequestContext) {
    return visibleTo(ctx, await armRegistries(ctx, this.platform));
  }

  /** The registry in that group, or ResourceGroupNotFound / ResourceNotFound. */
  async #requireRegistry(ctx: ArmRequestContext, names: { group: string; name: string }) {
    const found = (await this.platform.list(ctx.tenant.id)).find(
      (registry) =>
        registry.name === names.name && registry.resourceGroup.toLowerCase() === names.group.toLowerCase(),
    );
    return requireResource(this.deps, ctx, REGISTRIES_TYPE, names, found);
  }
}

const namesOf = (request: FastifyRequest, ctx: ArmRequestContext) => {
  const params = request.params as { resourceGroupName: string; registryName: string };
  const names = { group: params.resourceGroupName, name: params.registryName };
  return resourceNames(ctx, REGISTRIES_TYPE, names, checkRegistryName);
};

/** The tenant's registries as ARM resources (also listed by GET /subscriptions/{s}/resources). */
export async function armRegistries(ctx: ArmRequestContext, platform: RegistryPlatform) {
  return (await platform.list(ctx.tenant.id)).map((registry) => toArmRegistry(ctx.subscription, registry));
}
