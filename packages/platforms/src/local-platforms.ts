/**
 * The local platforms as one server plugin: the emulated issuers (local clusters' service-account
 * issuers, GitHub Actions) — their HTTP routes, and their keys on the token path, taken from memory and
 * credless's records — and each local cluster's Kubernetes API on its own port (AKS-like, Azure RBAC).
 * Whoever starts the process passes it to startCredless (`credless up`, tests); once started, it is also
 * the handle the local runtime uses (service-account tokens, the clusters' objects).
 * @module
 */
import type { PluginHost, PluginParts, ServerPlugin } from '@credless/server';
import { clusterApiRoutes } from './cluster-access/cluster-api.ts';
import { ClusterApiListeners } from './cluster-access/cluster-api-listeners.ts';
import {
  type IssuedServiceAccountToken,
  LocalIssuers,
  type ServiceAccountTokenRequest,
} from './local-issuers/local-issuers.ts';
import { localIssuerRoutes } from './local-issuers/routes.ts';
import { localArmProviders } from './resource-manager/local-arm-providers.ts';

export class LocalPlatforms implements ServerPlugin {
  readonly name = 'local-platforms';
  #opened: { localIssuers: LocalIssuers; clusterApi: ClusterApiListeners } | undefined;

  async open(host: PluginHost): Promise<PluginParts> {
    const localIssuers = new LocalIssuers({
      store: host.store,
      kek: host.kek,
      baseUrl: host.baseUrl,
      now: host.now,
    });
    host.directory.onInvalidate(() => localIssuers.invalidate());
    // What verifying a credless-issued token (the AKS server app's) needs.
    const ownTokens = {
      baseUrl: host.baseUrl,
      directory: host.directory,
      getJwks: host.getJwks,
      now: host.now,
    };
    const clusterApi = new ClusterApiListeners({
      ...ownTokens,
      store: host.store,
      host: host.config.host,
      logger: host.logger,
      ...(host.https ? { https: host.https } : {}),
    });
    this.#opened = { localIssuers, clusterApi };
    return {
      issuerKeys: localIssuers,
      // `az aks` and `az acr` over the Resource Manager act on the local clusters and registries.
      armProviders: localArmProviders({
        store: host.store,
        kek: host.kek,
        baseUrl: host.baseUrl,
        caCertPem: host.https?.caCertPem,
        portOf: (clusterId) => clusterApi.portOf(clusterId),
      }),
      routes: async (app) => {
        await app.register(localIssuerRoutes, { localIssuers, baseUrl: host.baseUrl });
        // Also under /k8s/<tenant>/<guid> of the main listener; role assignments come from the store.
        await app.register(clusterApiRoutes, { ...ownTokens, store: host.store });
      },
      // The clusters' own listeners need the public URL: started once the server listens, then they
      // follow the directory (a cluster created or deleted, here or on another replica).
      listening: async () => {
        await clusterApi.sync();
        host.directory.onInvalidate(() => void clusterApi.sync());
        return () => clusterApi.close();
      },
    };
  }

  /** The emulated issuers (after startCredless). */
  get localIssuers(): LocalIssuers {
    return this.#started().localIssuers;
  }

  /** The local clusters' Kubernetes API listeners (one port per cluster); the runtime plugs its objects in here. */
  get clusterApi(): ClusterApiListeners {
    return this.#started().clusterApi;
  }

  /** Signs a service-account token for a pod of a local cluster (by ARM id), as kube-apiserver would. */
  issueServiceAccountToken(
    clusterId: string,
    request: ServiceAccountTokenRequest,
  ): Promise<IssuedServiceAccountToken> {
    return this.localIssuers.issueServiceAccountToken(clusterId, request);
  }

  #started() {
    // Only a wiring mistake gets here: the handle is used before startCredless opened the plugin.
    if (!this.#opened) throw new Error('the local platforms are used before startCredless opened them');
    return this.#opened;
  }
}
