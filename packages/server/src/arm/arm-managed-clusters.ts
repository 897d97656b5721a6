/**
 * `Microsoft.ContainerService/managedClusters` on local clusters: `az aks create/show/list/update/
 * delete/get-credentials`. PUT and DELETE are ARM long-running operations (arm-operations.ts); the
 * cluster's records are written before the first answer leaves, and the operation succeeds once a
 * replica serves the cluster's Kubernetes API. Access is Azure RBAC at the cluster's scope or above.
 * @module
 */
import { CredlessError } from '@credless/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ClusterRecord } from '../store/clusters.ts';
import { requireArmAccess } from './arm-authorization.ts';
import {
  checkClusterName,
  parseManagedClusterBody,
  toArmManagedCluster,
} from './arm-managed-clusters-view.ts';
import {
  type ArmOperation,
  type OperationState,
  operationHeaders,
  registerOperationRoutes,
} from './arm-operations.ts';
import {
  type ArmProviderDeps,
  type ArmRequestContext,
  ArmResourceHandlers,
  type ArmResourceNames,
  armRequestContext,
  CONTAINER_SERVICE,
  CONTAINER_SERVICE_API_VERSIONS,
  checkGroupName,
  MANAGED_CLUSTERS_TYPE,
  type ManagedClusterPlatform,
  requireGroup,
  requireResource,
  resourceNames,
  routeConfig,
  visibleTo,
} from './arm-providers-catalogue.ts';
import { ArmProviderRoutes } from './arm-providers-routing.ts';

const ACTION = MANAGED_CLUSTERS_TYPE;
/** A create that no replica has served within this long failed (the cluster record stays, as in AKS). */
const CREATE_DEADLINE_MS = 120_000;
const RESOURCE_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerService\/managedClusters\/([^/]+)$/i;

export function registerManagedClusterRoutes(
  app: FastifyInstance,
  deps: ArmProviderDeps,
  platform: ManagedClusterPlatform,
): ArmProviderRoutes {
  const routes = new ArmProviderRoutes(
    app,
    CONTAINER_SERVICE,
    routeConfig(CONTAINER_SERVICE_API_VERSIONS, 'managedClusters'),
  );
  const clusters = new ManagedClusterRoutes(deps, platform);
  const group = '/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName';
  const one = `${group}/providers/${MANAGED_CLUSTERS_TYPE}/:resourceName`;
  routes.add('GET', `/subscriptions/:subscriptionId/providers/${MANAGED_CLUSTERS_TYPE}`, (request) =>
    clusters.listAll(request),
  );
  routes.add('GET', `${group}/providers/${MANAGED_CLUSTERS_TYPE}`, (request) =>
    clusters.listInGroup(request),
  );
  routes.add('GET', one, (request) => clusters.show(request));
  routes.add('PUT', one, (request, reply) => clusters.put(request, reply));
  routes.add('DELETE', one, (request, reply) => clusters.delete(request, reply));
  for (const [action, kind] of [
    ['listClusterUserCredential', 'user'],
    ['listClusterAdminCredential', 'admin'],
  ] as const) {
    routes.add('POST', `${one}/${action}`, (request) => clusters.credential(request, action, kind));
  }
  registerOperationRoutes(routes, deps, {
    namespace: CONTAINER_SERVICE,
    stateOf: (ctx, operation) => clusters.operationState(ctx, operation),
  });
  return routes;
}

/** The handlers of `managedClusters`, one method a route. */
class ManagedClusterRoutes extends ArmResourceHandlers<ManagedClusterPlatform> {
  async listAll(request: FastifyRequest) {
    const ctx = await armRequestContext(this.deps, request);
    const clusters = visibleTo(ctx, await this.deps.store.listClusters(ctx.tenant.id));
    return { value: await Promise.all(clusters.map((cluster) => this.#view(cluster))) };
  }

  async listInGroup(request: FastifyRequest) {
    const ctx = await armRequestContext(this.deps, request);
    const { resourceGroupName } = request.params as { resourceGroupName: string };
    const clusters = await this.deps.store.listClusters(ctx.tenant.id, checkGroupName(resourceGroupName));
    // Clusters made by `credless cluster create` may sit in a group ARM never created.
    if (clusters.length === 0) await requireGroup(this.deps, ctx, resourceGroupName);
    return { value: await Promise.all(visibleTo(ctx, clusters).map((cluster) => this.#view(cluster))) };
  }

  async show(request: FastifyRequest) {
    const ctx = await armRequestContext(this.deps, request);
    const names = namesOf(request, ctx);
    requireArmAccess(ctx.grants, ctx.caller, names.scope, `${ACTION}/read`, false);
    return this.#view(await this.#requireCluster(ctx, names));
  }

  async put(request: FastifyRequest, reply: FastifyReply) {
    const ctx = await armRequestContext(this.deps, request);
    const names = namesOf(request, ctx);
    requireArmAccess(ctx.grants, ctx.caller, names.scope, `${ACTION}/write`, true);
    const groupName = await requireGroup(this.deps, ctx, names.group);
    const existing = await this.deps.store.getCluster(ctx.tenant.id, groupName, names.name);
    const wanted = parseManagedClusterBody(request.body, names, existing);
    const { cluster, created } = await this.platform.create({
      tenantId: ctx.tenant.id,
      resourceGroup: existing?.resourceGroup ?? groupName,
      name: existing?.name ?? names.name,
      location: wanted.location,
      enableOidcIssuer: wanted.enableOidcIssuer ?? existing?.oidcIssuerEnabled ?? false,
      enableWorkloadIdentity: wanted.enableWorkloadIdentity ?? existing?.workloadIdentityEnabled ?? false,
    });
    // What AKS keeps without a local meaning (tags, node pools), replaced as the PUT says.
    const kept =
      (await this.deps.store.setClusterArmProfile(ctx.tenant.id, cluster.id, { ...wanted.profile })) ??
      cluster;
    const operation: ArmOperation = { kind: 'create', resourceId: cluster.id, startedAt: Date.now() };
    return reply
      .code(created ? 201 : 200)
      .headers(operationHeaders(request, CONTAINER_SERVICE, cluster.location, operation))
      .send(await this.#view(kept));
  }

  async delete(request: FastifyRequest, reply: FastifyReply) {
    const ctx = await armRequestContext(this.deps, request);
    const names = namesOf(request, ctx);
    requireArmAccess(ctx.grants, ctx.caller, names.scope, `${ACTION}/delete`, true);
    const cluster = await this.deps.store.getCluster(ctx.tenant.id, names.group, names.name);
    if (!cluster) {
      // ARM's DELETE of what is not there: 204, once the group is known.
      await requireGroup(this.deps, ctx, names.group);
      return reply.code(204).send();
    }
    await this.platform.delete(cluster);
    const operation: ArmOperation = { kind: 'delete', resourceId: cluster.id, startedAt: Date.now() };
    return reply
      .code(202)
      .headers(operationHeaders(request, CONTAINER_SERVICE, cluster.location, operation))
      .send();
  }

  /** `az aks get-credentials` (`--admin`: the admin kubeconfig). */
  async credential(request: FastifyRequest, action: string, kind: 'user' | 'admin') {
    const ctx = await armRequestContext(this.deps, request);
    const names = namesOf(request, ctx);
    requireArmAccess(ctx.grants, ctx.caller, names.scope, `${ACTION}/${action}/action`, true);
    const cluster = await this.#requireCluster(ctx, names);
    const kubeconfig = await this.platform.kubeconfig(cluster, kind);
    if (kubeconfig === undefined)
      throw new CredlessError('arm_cluster_api_unavailable', { name: cluster.name });
    const name = kind === 'user' ? 'clusterUser' : 'clusterAdmin';
    return { kubeconfigs: [{ name, value: Buffer.from(kubeconfig).toString('base64') }] };
  }

  /** A create is done once a replica serves the cluster's API; a delete once the record is gone. */
  async operationState(ctx: ArmRequestContext, operation: ArmOperation): Promise<OperationState> {
    const [, groupName, name] = RESOURCE_ID.exec(operation.resourceId) ?? [];
    if (groupName === undefined || name === undefined) {
      throw new CredlessError('arm_operation_not_found', { id: operation.resourceId.slice(0, 200) });
    }
    requireArmAccess(ctx.grants, ctx.caller, operation.resourceId, `${ACTION}/read`, false);
    const cluster = await this.deps.store.getCluster(ctx.tenant.id, groupName, name);
    if (operation.kind === 'delete') return { status: cluster ? 'InProgress' : 'Succeeded' };
    if (!cluster)
      return {
        status: 'Failed',
        message: `The managed cluster '${name}' was deleted while it was created.`,
      };
    if (await this.platform.apiServer(cluster)) return { status: 'Succeeded' };
    if (Date.now() - operation.startedAt > CREATE_DEADLINE_MS) {
      return {
        status: 'Failed',
        message: `No credless replica served the Kubernetes API of '${name}' within ${CREATE_DEADLINE_MS / 1000} s: is the local platforms plugin running (credless up)?`,
      };
    }
    return { status: 'InProgress' };
  }

  async #view(cluster: ClusterRecord) {
    return toArmManagedCluster(cluster, {
      kubelet: await this.platform.kubeletIdentity(cluster),
      server: await this.platform.apiServer(cluster),
      kubernetesVersion: this.platform.kubernetesVersion,
    });
  }

  /** The cluster, or ResourceGroupNotFound / ResourceNotFound as ARM answers. */
  async #requireCluster(ctx: ArmRequestContext, names: ArmResourceNames) {
    const found = await this.deps.store.getCluster(ctx.tenant.id, names.group, names.name);
    return requireResource(this.deps, ctx, MANAGED_CLUSTERS_TYPE, names, found);
  }
}

const namesOf = (request: FastifyRequest, ctx: ArmRequestContext): ArmResourceNames => {
  const params = request.params as { resourceGroupName: string; resourceName: string };
  const names = { group: params.resourceGroupName, name: params.resourceName };
  return resourceNames(ctx, MANAGED_CLUSTERS_TYPE, names, checkClusterName);
};
