/**
 * The resource providers credless's Resource Manager serves beyond Microsoft.Resources — their
 * api-versions and resource types (what `az provider show` and ARM's api-version check read) — and the
 * hooks through which a server plugin (the local platforms) backs them: the server stores clusters and
 * checks access, the plugin does what needs the platform (issuer keys, kubelet identities, registries).
 * @module
 */
import { CredlessError, type Tenant } from '@credless/core';
import type { FastifyRequest } from 'fastify';
import type { GraphCaller } from '../graph/graph-token.ts';
import type { ClusterRecord } from '../store/clusters.ts';
import type { DirectoryStore } from '../store/directory-store.ts';
import { type ArmAuthorizationStore, type ArmGrants, armGrantsOf } from './arm-authorization.ts';
import { requireOwnSubscription } from './arm-resources.ts';

export interface KubeletIdentity {
  clientId: string;
  objectId: string;
  resourceId: string;
}

export interface ManagedClusterInput {
  tenantId: string;
  resourceGroup: string;
  name: string;
  location: string;
  enableOidcIssuer: boolean;
  enableWorkloadIdentity: boolean;
}

/** What the platform does for `Microsoft.ContainerService/managedClusters`. */
export interface ManagedClusterPlatform {
  /** Creates the cluster with its issuer key and kubelet identity, or switches features on (never off). */
  create(input: ManagedClusterInput): Promise<{ cluster: ClusterRecord; created: boolean }>;
  /** The cluster's kubelet identity (`<name>-agentpool`), created with the cluster. */
  kubeletIdentity(cluster: ClusterRecord): Promise<KubeletIdentity | undefined>;
  /** The URL of the cluster's Kubernetes API; undefined until a replica serves it. */
  apiServer(cluster: ClusterRecord): Promise<string | undefined>;
  /** The kubeconfig `az aks get-credentials` writes (AAD exec user); undefined until the API is served. */
  kubeconfig(cluster: ClusterRecord, kind: 'user' | 'admin'): Promise<string | undefined>;
  /** Deletes the cluster, its issuer key, role assignments under it and its kubelet identity. */
  delete(cluster: ClusterRecord): Promise<void>;
  /** What the clusters' API answers on /version (`1.32.0`). */
  kubernetesVersion: string;
}

/** Where a registry made by `credless acr create` (no ARM placement yet) is listed. */
export const UNPLACED_REGISTRY_GROUP = 'credless-registries';

export interface ArmRegistryRecord {
  name: string;
  loginServer: string;
  /** Where ARM lists it; UNPLACED_REGISTRY_GROUP until an ARM PUT placed it. */
  resourceGroup: string;
  location: string;
  sku: string;
  createdAt: string;
}

/** What the platform does for `Microsoft.ContainerRegistry/registries` (registries are directory applications). */
export interface RegistryPlatform {
  create(
    tenantId: string,
    input: { name: string; resourceGroup: string; location: string; sku: string },
  ): Promise<{ registry: ArmRegistryRecord; created: boolean }>;
  list(tenantId: string): Promise<ArmRegistryRecord[]>;
  /** Deletes the registry (its application and service principal, so nothing pulls from it). */
  delete(tenantId: string, name: string): Promise<void>;
  /**
   * An AcrPull role assignment on a registry was made (`granted`) or removed: image pulls are checked by
   * the registry application's app-role assignment, so the platform mirrors the Azure RBAC assignment
   * there (what `az aks update --attach-acr` amounts to).
   */
  pullAccessChanged?(
    tenantId: string,
    registry: string,
    principalId: string,
    granted: boolean,
  ): Promise<void>;
}

/** The providers a plugin backs; a provider without its part is not served. */
export interface ArmProviderPlatform {
  managedClusters?: ManagedClusterPlatform;
  registries?: RegistryPlatform;
}

export type ArmProviderStore = ArmAuthorizationStore &
  Pick<DirectoryStore, 'getResourceGroup' | 'getCluster' | 'listClusters' | 'setClusterArmProfile'>;

export interface ArmProviderDeps {
  store: ArmProviderStore;
  caller(request: FastifyRequest): GraphCaller;
  tenantOf(request: FastifyRequest): Promise<Tenant>;
}

/** A route's `config`: the api-versions its resource type accepts (checked by arm-plugin.ts). */
export interface ArmRouteConfig {
  arm: { apiVersions: readonly string[]; resourceType: string };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    arm?: ArmRouteConfig['arm'];
  }
}

export const CONTAINER_SERVICE = 'Microsoft.ContainerService';
export const CONTAINER_REGISTRY = 'Microsoft.ContainerRegistry';
export const MANAGED_CLUSTERS_TYPE = `${CONTAINER_SERVICE}/managedClusters`;
export const REGISTRIES_TYPE = `${CONTAINER_REGISTRY}/registries`;

/** AKS's GA api-versions (az 2.45 sends 2022-11-01). */
export const CONTAINER_SERVICE_API_VERSIONS: readonly string[] = Object.freeze([
  '2022-09-01',
  '2022-11-01',
  '2023-01-01',
  '2023-02-01',
  '2023-03-01',
  '2023-04-01',
  '2023-05-01',
  '2023-06-01',
  '2023-07-01',
  '2023-08-01',
  '2023-10-01',
  '2024-01-01',
  '2024-02-01',
  '2024-05-01',
  '2024-09-01',
]);

/** ACR's api-versions (az 2.45: 2022-02-01-preview for registries, 2019-06-01-preview for builds). */
export const CONTAINER_REGISTRY_API_VERSIONS: readonly string[] = Object.freeze([
  '2019-05-01',
  '2019-06-01-preview',
  '2019-12-01-preview',
  '2021-09-01',
  '2022-02-01-preview',
  '2022-12-01',
  '2023-01-01-preview',
  '2023-07-01',
]);

export const routeConfig = (apiVersions: readonly string[], resourceType: string): ArmRouteConfig => ({
  arm: { apiVersions, resourceType },
});

/** Every provider namespace served, with the resource types `az provider show` lists. */
export const ARM_PROVIDERS: ReadonlyArray<{
  namespace: string;
  resourceTypes: ReadonlyArray<{ resourceType: string; apiVersions: readonly string[] }>;
}> = [
  {
    namespace: CONTAINER_SERVICE,
    resourceTypes: [
      { resourceType: 'managedClusters', apiVersions: CONTAINER_SERVICE_API_VERSIONS },
      { resourceType: 'locations/operations', apiVersions: CONTAINER_SERVICE_API_VERSIONS },
      { resourceType: 'locations/operationresults', apiVersions: CONTAINER_SERVICE_API_VERSIONS },
    ],
  },
  {
    namespace: CONTAINER_REGISTRY,
    resourceTypes: [
      { resourceType: 'registries', apiVersions: CONTAINER_REGISTRY_API_VERSIONS },
      { resourceType: 'checkNameAvailability', apiVersions: CONTAINER_REGISTRY_API_VERSIONS },
    ],
  },
];

/** The caller's view of one request: its tenant's subscription, its grants. */
export interface ArmRequestContext {
  tenant: Tenant;
  subscription: string;
  caller: GraphCaller;
  grants: ArmGrants;
}

export async function armRequestContext(
  deps: ArmProviderDeps,
  request: FastifyRequest,
): Promise<ArmRequestContext> {
  const { subscriptionId } = request.params as { subscriptionId: string };
  const tenant = await deps.tenantOf(request);
  const subscription = requireOwnSubscription(tenant, subscriptionId);
  const caller = deps.caller(request);
  return { tenant, subscription, caller, grants: await armGrantsOf(deps.store, caller) };
}

/** What a caller may see of a list: everything with subscription-wide read, else what its scopes cover. */
export function visibleTo<T extends { id: string }>(ctx: ArmRequestContext, items: T[]): T[] {
  if (ctx.grants.covers(`/subscriptions/${ctx.subscription}`, false)) return items;
  return items.filter((item) => ctx.grants.covers(item.id, false));
}

// ARM's resource group names: 1-90 letters, digits, underscores, hyphens, periods, parentheses.
const GROUP_NAME = /^[-\w.()\p{L}\p{N}]{1,90}$/u;

export function checkGroupName(name: string): string {
  if (!GROUP_NAME.test(name) || name.endsWith('.')) {
    throw new CredlessError('arm_resource_group_name_invalid', { name: name.slice(0, 100) });
  }
  return name;
}

/** The stored group's name (its own casing), or ResourceGroupNotFound. */
export async function requireGroup(
  deps: ArmProviderDeps,
  ctx: ArmRequestContext,
  name: string,
): Promise<string> {
  const group = await deps.store.getResourceGroup(ctx.tenant.id, ctx.subscription, checkGroupName(name));
  if (!group) throw new CredlessError('arm_resource_group_not_found', { name });
  return group.name;
}

/** A resource's group, name and ARM id (its scope), from its route's parameters. */
export interface ArmResourceNames {
  group: string;
  name: string;
  scope: string;
}

/** The group name checked first, then the resource's own name with `checkName`. */
export function resourceNames(
  ctx: ArmRequestContext,
  type: string,
  params: { group: string; name: string },
  checkName: (name: string) => string,
): ArmResourceNames {
  const group = checkGroupName(params.group);
  const name = checkName(params.name);
  return {
    group,
    name,
    scope: `/subscriptions/${ctx.subscription}/resourceGroups/${group}/providers/${type}/${name}`,
  };
}

/** `found`, or ResourceGroupNotFound when its group is missing, else ResourceNotFound, as ARM answers. */
export async function requireResource<T>(
  deps: ArmProviderDeps,
  ctx: ArmRequestContext,
  type: string,
  names: { group: string; name: string },
  found: T | undefined,
): Promise<T> {
  if (found) return found;
  await requireGroup(deps, ctx, names.group);
  throw new CredlessError('arm_resource_not_found', { type, name: names.name, group: names.group });
}

/** What the route handlers of one ARM resource type hold: the provider's dependencies and its platform. */
export class ArmResourceHandlers<Platform> {
  protected readonly deps: ArmProviderDeps;
  protected readonly platform: Platform;

  constructor(deps: ArmProviderDeps, platform: Platform) {
    this.deps = deps;
    this.platform = platform;
  }
}

const invalidContent = (reason: string) => new CredlessError('arm_request_content_invalid', { reason });

/** A JSON object body, or InvalidRequestContent. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidContent('the body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** The body's location as given (LocationRequired when absent, InvalidRequestContent when not a string). */
export function locationIn(value: Record<string, unknown>): string {
  const { location } = value;
  if (location === undefined || location === null || location === '') {
    throw new CredlessError('arm_location_required');
  }
  if (typeof location !== 'string') throw invalidContent('location must be a string');
  return location;
}

/** `value[key]` when it is an object (absent: empty), else InvalidRequestContent naming `path`. */
export function objectAt(value: Record<string, unknown>, key: string, path: string): Record<string, unknown> {
  const found = value[key];
  if (found === undefined || found === null) return {};
  if (typeof found !== 'object' || Array.isArray(found)) throw invalidContent(`${path} must be an object`);
  return found as Record<string, unknown>;
}

/** `value[key]` when a boolean (absent: undefined), else InvalidRequestContent naming `path`. */
export function booleanAt(value: Record<string, unknown>, key: string, path: string): boolean | undefined {
  const found = value[key];
  if (found === undefined || found === null) return undefined;
  if (typeof found !== 'boolean') throw invalidContent(`${path} must be true or false`);
  return found;
}

/** The request's own URL on the ARM host, for the long-running operations' headers. */
export function armUrl(request: FastifyRequest, path: string, apiVersion: string): string {
  return `${request.protocol}://${request.headers.host}${path}?${new URLSearchParams({ 'api-version': apiVersion })}`;
}

export const apiVersionOf = (request: FastifyRequest): string =>
  (request.query as Record<string, string>)['api-version'] ?? '';
