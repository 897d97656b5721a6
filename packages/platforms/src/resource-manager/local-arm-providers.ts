/**
 * What the server's Resource Manager asks of the local platforms (its ArmProviderPlatform hooks):
 * managed clusters are local clusters (issuer key, kubelet identity, the API each replica serves on a
 * port, the kubeconfig az writes), registries are the directory applications `credless acr` makes.
 * A registry's ARM placement (group, location, sku) is one more identifier URI on its application,
 * so it lives with the registry; one made by `credless acr create` (no placement) lists under
 * `credless-registries` until an ARM PUT places it.
 * @module
 */
import type { Application } from '@credless/core';
import {
  type ArmProviderPlatform,
  type ArmRegistryRecord,
  type ClusterRecord,
  type DirectoryStore,
  UNPLACED_REGISTRY_GROUP,
} from '@credless/server';
import { ensureAksServerApplication } from '../cluster-access/aks-server-app.ts';
import { CLUSTER_API_VERSION } from '../cluster-access/cluster-api.ts';
import { kubeconfigEntry, kubeconfigText } from '../local-issuers/cluster-kubeconfig.ts';
import { createLocalCluster, LOCAL_CLUSTER_LOCATION } from '../local-issuers/clusters.ts';
import {
  ensureKubeletIdentity,
  findKubeletIdentity,
  setRegistryPull,
} from '../runtime/images/kubelet-identity.ts';
import { createRegistry, findRegistry, loginServer, registryResource } from '../runtime/images/registry.ts';

export interface LocalArmProvidersDeps {
  store: DirectoryStore;
  kek: Uint8Array;
  baseUrl: () => string;
  /** The CA of credless's HTTPS certificate (kubeconfigs carry it); undefined with plain HTTP. */
  caCertPem: string | undefined;
  /** The port this replica serves a cluster's API on, if it does (the store has every replica's). */
  portOf(clusterId: string): number | undefined;
}

const LOGIN_SERVER_URI = /^https:\/\/([a-z0-9]{5,50})\.azurecr\.io$/;
const placementPrefix = (name: string) => `api://credless/registries/${name}/`;
const placementUri = (name: string, p: { resourceGroup: string; location: string; sku: string }) =>
  `${placementPrefix(name)}resourceGroups/${p.resourceGroup}/locations/${p.location}/skus/${p.sku}`;
const PLACEMENT = /\/resourceGroups\/([^/]+)\/locations\/([^/]+)\/skus\/([^/]+)$/;

function registryRecord(app: Application): ArmRegistryRecord | undefined {
  const name = LOGIN_SERVER_URI.exec(app.identifierUris[0] ?? '')?.[1];
  if (name === undefined) return undefined;
  const placed = app.identifierUris.find((uri) => uri.startsWith(placementPrefix(name)));
  const [, resourceGroup, location, sku] = (placed && PLACEMENT.exec(placed)) || [];
  return {
    name,
    loginServer: loginServer(name),
    resourceGroup: resourceGroup ?? UNPLACED_REGISTRY_GROUP,
    location: location ?? LOCAL_CLUSTER_LOCATION,
    sku: sku ?? 'Basic',
    createdAt: app.createdDateTime,
  };
}

export function localArmProviders(deps: LocalArmProvidersDeps): ArmProviderPlatform {
  const { store } = deps;
  const apiServer = async (cluster: ClusterRecord) => {
    const port = deps.portOf(cluster.id) ?? (await store.getClusterApiPort(cluster.id));
    if (port === undefined) return undefined;
    const url = new URL(deps.baseUrl());
    return `${url.protocol}//${url.hostname.includes(':') ? `[${url.hostname}]` : url.hostname}:${port}`;
  };
  return {
    managedClusters: {
      kubernetesVersion: CLUSTER_API_VERSION.gitVersion.replace(/^v/, '').replace(/\+.*$/, ''),
      async create(input) {
        const result = await createLocalCluster(
          { store, kek: deps.kek },
          {
            tenantId: input.tenantId,
            baseUrl: deps.baseUrl(),
            resourceGroup: input.resourceGroup,
            name: input.name,
            location: input.location,
            enableOidcIssuer: input.enableOidcIssuer,
            enableWorkloadIdentity: input.enableWorkloadIdentity,
          },
        );
        // As AKS: the kubelet identity exists with the cluster; kubectl's exec login needs the server app.
        await ensureKubeletIdentity({ store, tenantId: input.tenantId }, result.cluster);
        await ensureAksServerApplication(store, input.tenantId);
        return result;
      },
      async kubeletIdentity(cluster) {
        const app = await findKubeletIdentity({ store, tenantId: cluster.tenantId }, cluster);
        const principal = app && (await store.getServicePrincipalByAppId(cluster.tenantId, app.appId));
        return app && principal
          ? { clientId: app.appId, objectId: principal.id, resourceId: app.id }
          : undefined;
      },
      apiServer,
      async kubeconfig(cluster, kind) {
        const server = await apiServer(cluster);
        if (server === undefined) return undefined;
        await ensureAksServerApplication(store, cluster.tenantId);
        return kubeconfigText(
          kubeconfigEntry(cluster, { server, caCertPem: deps.caCertPem }, cluster.name, kind),
        );
      },
      async delete(cluster) {
        const kubelet = await findKubeletIdentity({ store, tenantId: cluster.tenantId }, cluster);
        await store.deleteCluster(cluster.tenantId, cluster.resourceGroup, cluster.name);
        if (kubelet) await store.deleteApplication(cluster.tenantId, kubelet.id);
      },
    },
    registries: {
      async pullAccessChanged(tenantId, registry, principalId, granted) {
        // A registry that is gone (or never was) has nothing to pull from: only the RBAC record remains.
        if (await findRegistry({ store, tenantId }, registry))
          await setRegistryPull({ store, tenantId }, registry, principalId, granted);
      },
      async list(tenantId) {
        const apps = await store.listApplications(tenantId);
        return apps.flatMap((app) => registryRecord(app) ?? []).sort((a, b) => a.name.localeCompare(b.name));
      },
      async delete(tenantId, name) {
        // The application and its service principal: token requests and pulls for it fail from now on.
        // Built images stay under the data directory (the server has no path to it here).
        const app = await findRegistry({ store, tenantId }, name);
        if (app) await store.deleteApplication(tenantId, app.id);
      },
      async create(tenantId, input) {
        const ctx = { store, tenantId };
        const created = !(await findRegistry(ctx, input.name));
        await createRegistry(ctx, input.name);
        const app = (await findRegistry(ctx, input.name)) as Application;
        const placement = placementUri(input.name, input);
        let placed = app;
        if (!app.identifierUris.includes(placement)) {
          // The login server stays first: the token service and `credless acr` resolve the registry by it.
          const others = app.identifierUris.filter(
            (uri) => uri !== registryResource(input.name) && !uri.startsWith(placementPrefix(input.name)),
          );
          placed = await store.updateApplication(tenantId, app.id, {
            identifierUris: [registryResource(input.name), placement, ...others],
          });
        }
        return { registry: registryRecord(placed) as ArmRegistryRecord, created };
      },
    },
  };
}
