/**
 * `Microsoft.Resources/resourceGroups` of a tenant's local subscription: `az group
 * create/show/list/exists/delete`. Path segments compare case-insensitively, as ARM's do; DELETE is
 * ARM's long-running operation (202 + `Location`, polled under `/operationresults/{id}`), though the
 * deletion itself is done before the 202 leaves (the operation id names the job, stateless across replicas).
 * As in Azure, deleting a group deletes every resource in it: its managed clusters (as a cluster
 * DELETE does, so their runtimes stop) and registries, then the group.
 * @module
 */
import { CredlessError, type Tenant } from '@credless/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GraphCaller } from '../graph/graph-token.ts';
import type { DirectoryStore, ResourceGroupRecord } from '../store/directory-store.ts';
import { type ArmAuthorizationStore, armGrantsOf, requireArmAccess } from './arm-authorization.ts';
import { normalizeArmLocation } from './arm-locations.ts';
import type { ArmProviderPlatform } from './arm-providers-catalogue.ts';
import { requireOwnSubscription } from './arm-resources.ts';
import { parseArmTags } from './arm-tags.ts';

export type ResourceGroupStore = ArmAuthorizationStore &
  Pick<
    DirectoryStore,
    | 'putResourceGroup'
    | 'getResourceGroup'
    | 'listResourceGroups'
    | 'deleteResourceGroup'
    | 'listClusters'
    | 'deleteCluster'
  >;

export interface ResourceGroupRouteDeps {
  store: ResourceGroupStore;
  caller(request: FastifyRequest): GraphCaller;
  tenantOf(request: FastifyRequest): Promise<Tenant>;
  /** The resources a group holds beyond the store's own records (clusters' runtimes, registries). */
  platform?: ArmProviderPlatform;
}

const TYPE = 'Microsoft.Resources/resourceGroups';
const ACTION = 'Microsoft.Resources/subscriptions/resourcegroups';
// ARM: 1-90 letters, digits, underscores, hyphens, periods, parentheses; not ending in a period.
const NAME = /^[-\w.()\p{L}\p{N}]{1,90}$/u;

export function toArmResourceGroup(group: ResourceGroupRecord) {
  return {
    id: group.id,
    name: group.name,
    type: TYPE,
    location: group.location,
    ...(group.tags !== null ? { tags: group.tags } : {}),
    ...(group.managedBy !== null ? { managedBy: group.managedBy } : {}),
    properties: { provisioningState: 'Succeeded' },
  };
}

function checkName(name: string): string {
  if (!NAME.test(name) || name.endsWith('.')) {
    throw new CredlessError('arm_resource_group_name_invalid', { name: name.slice(0, 100) });
  }
  return name;
}

const invalidContent = (reason: string) => new CredlessError('arm_request_content_invalid', { reason });

/** The PUT body ARM accepts for a resource group: location (required), tags, managedBy. */
function parseBody(body: unknown) {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidContent('the body must be a JSON object with a location');
  }
  const { location, tags, managedBy } = body as Record<string, unknown>;
  if (location === undefined || location === null || location === '') {
    throw new CredlessError('arm_location_required');
  }
  if (typeof location !== 'string') throw invalidContent('location must be a string');
  const parsedTags = parseArmTags(tags);
  if (managedBy !== undefined && managedBy !== null && typeof managedBy !== 'string') {
    throw invalidContent('managedBy must be a string');
  }
  return {
    location: normalizeArmLocation(location),
    tags: parsedTags,
    managedBy: (managedBy ?? null) as string | null,
  };
}

// ---- delete's operation ids: ARM's shape, base64url of {"jobId","jobLocation"}
const JOB_PREFIX = 'RESOURCEGROUPDELETIONJOB-';

const deletionOperationId = (group: ResourceGroupRecord) =>
  Buffer.from(
    JSON.stringify({ jobId: `${JOB_PREFIX}${group.name.toUpperCase()}`, jobLocation: group.location }),
  ).toString('base64url');

function isDeletionOperation(id: string): boolean {
  try {
    const job = JSON.parse(Buffer.from(id, 'base64url').toString('utf8')) as { jobId?: unknown };
    return typeof job.jobId === 'string' && job.jobId.startsWith(JOB_PREFIX);
  } catch {
    return false;
  }
}

/** The group's managed clusters and registries, each deleted as its own DELETE would. */
async function deleteGroupResources(deps: ResourceGroupRouteDeps, tenantId: string, group: string) {
  const clusters = deps.platform?.managedClusters;
  for (const cluster of await deps.store.listClusters(tenantId, group)) {
    // Without the local platforms no runtime serves the cluster: its record (and role assignments) go.
    if (clusters) await clusters.delete(cluster);
    else await deps.store.deleteCluster(tenantId, cluster.resourceGroup, cluster.name);
  }
  const registries = deps.platform?.registries;
  if (!registries) return;
  for (const registry of await registries.list(tenantId)) {
    if (registry.resourceGroup.toLowerCase() === group.toLowerCase()) {
      await registries.delete(tenantId, registry.name);
    }
  }
}

export function registerResourceGroupRoutes(app: FastifyInstance, deps: ResourceGroupRouteDeps): void {
  const { store } = deps;

  async function handle(request: FastifyRequest, reply: FastifyReply) {
    const params = request.params as { subscriptionId: string; '*': string };
    const segments = params['*'].split('/');
    if (segments.at(-1) === '') segments.pop();
    const kind = segments[0]?.toLowerCase();
    const routeNotFound = () =>
      new CredlessError('arm_route_not_found', { method: request.method, path: request.url.split('?')[0] });
    if (segments.length > 2 || (kind !== 'resourcegroups' && kind !== 'operationresults'))
      throw routeNotFound();

    const tenant = await deps.tenantOf(request);
    const subscription = requireOwnSubscription(tenant, params.subscriptionId);
    const subscriptionScope = `/subscriptions/${subscription}`;
    const caller = deps.caller(request);

    if (kind === 'operationresults') {
      // Any caller of the tenant may poll: the answer says only that the job is over.
      const id = segments[1];
      if (request.method !== 'GET' || id === undefined) throw routeNotFound();
      if (!isDeletionOperation(id))
        throw new CredlessError('arm_operation_not_found', { id: id.slice(0, 200) });
      return reply.code(200).send();
    }

    const grants = await armGrantsOf(store, caller);
    if (segments.length === 1) {
      if (request.method !== 'GET') throw routeNotFound();
      const groups = await store.listResourceGroups(tenant.id, subscription);
      // As ARM: a caller sees the groups it may read (all of them with a subscription-wide role).
      const visible = grants.covers(subscriptionScope, false)
        ? groups
        : groups.filter((group) => grants.covers(group.id, false));
      return { value: visible.map(toArmResourceGroup) };
    }

    const name = checkName(segments[1] as string);
    const scope = `${subscriptionScope}/resourceGroups/${name}`;
    switch (request.method) {
      case 'HEAD': {
        requireArmAccess(grants, caller, scope, `${ACTION}/read`, false);
        const found = await store.getResourceGroup(tenant.id, subscription, name);
        return reply.code(found ? 204 : 404).send();
      }
      case 'GET': {
        requireArmAccess(grants, caller, scope, `${ACTION}/read`, false);
        const found = await store.getResourceGroup(tenant.id, subscription, name);
        if (!found) throw new CredlessError('arm_resource_group_not_found', { name });
        return toArmResourceGroup(found);
      }
      case 'PUT': {
        requireArmAccess(grants, caller, scope, `${ACTION}/write`, true);
        const body = parseBody(request.body);
        const existing = await store.getResourceGroup(tenant.id, subscription, name);
        if (existing && existing.location !== body.location) {
          throw new CredlessError('arm_resource_group_location_changed', {
            location: body.location,
            existing: existing.location,
          });
        }
        const { group, created } = await store.putResourceGroup(tenant.id, subscription, { name, ...body });
        return reply.code(created ? 201 : 200).send(toArmResourceGroup(group));
      }
      case 'DELETE': {
        requireArmAccess(grants, caller, scope, `${ACTION}/delete`, true);
        const found = await store.getResourceGroup(tenant.id, subscription, name);
        if (!found) throw new CredlessError('arm_resource_group_not_found', { name });
        await deleteGroupResources(deps, tenant.id, found.name);
        if (!(await store.deleteResourceGroup(tenant.id, subscription, name))) {
          throw new CredlessError('arm_resource_group_not_found', { name });
        }
        const query = new URLSearchParams({
          'api-version': (request.query as Record<string, string>)['api-version'] ?? '',
        });
        const location = `${request.protocol}://${request.headers.host}${subscriptionScope}/operationresults/${deletionOperationId(found)}?${query}`;
        // Retry-After 0 would make azure-core wait its default 30 s; 1 s is the shortest honoured.
        return reply.code(202).header('location', location).header('retry-after', '1').send();
      }
      default:
        throw routeNotFound();
    }
  }

  app.route({
    method: ['GET', 'HEAD', 'PUT', 'DELETE'],
    url: '/subscriptions/:subscriptionId/*',
    exposeHeadRoute: false,
    handler: handle,
  });
}
