/**
 * One HTTPS listener per local cluster, as AKS gives each cluster its own API server endpoint. A
 * path-prefixed server URL is not enough: `kubectl get --raw /version` drops the kubeconfig's path
 * (client-go's RequestURI replaces it), so the cluster has to be told apart by its port. The port is
 * recorded in the store (kubeconfigs name it) and bound again on restart; a port taken meanwhile is
 * replaced by a fresh one (then `cluster get-credentials --overwrite-existing` updates kubeconfigs).
 * Listeners follow the directory: sync() runs on start and on every directory change; it also gives
 * every tenant with a cluster the built-in AKS server application.
 * @module
 */

import type { Logger } from '@credless/common';
import type { ClusterRecord, DirectoryStore } from '@credless/server';
import Fastify, { type FastifyInstance } from 'fastify';
import { ensureAksServerApplication } from './aks-server-app.ts';
import { type ClusterApiOptions, type ClusterObjectSource, clusterApiRoutes } from './cluster-api.ts';

export interface ClusterApiListenersOptions
  extends Omit<ClusterApiOptions, 'cluster' | 'store' | 'objectSource'> {
  store: ClusterApiOptions['store'] &
    Pick<DirectoryStore, 'listTenants' | 'getClusterApiPort' | 'setClusterApiPort'> &
    Parameters<typeof ensureAksServerApplication>[0];
  host: string;
  https?: { key: string; cert: string };
  logger: Logger;
}

export class ClusterApiListeners {
  readonly #options: ClusterApiListenersOptions;
  readonly #listening = new Map<string, { app: FastifyInstance; port: number }>();
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;
  #objectSource: ClusterObjectSource | undefined;

  constructor(options: ClusterApiListenersOptions) {
    this.#options = options;
  }

  /** Plugs in the local runtime: its pods and services become readable through every cluster API. */
  setObjectSource(source: ClusterObjectSource | undefined): void {
    this.#objectSource = source;
  }

  /** The port a cluster's API listens on here, if it does. */
  portOf(clusterId: string): number | undefined {
    return this.#listening.get(clusterId)?.port;
  }

  /** Brings listeners in line with the clusters in the store; concurrent calls coalesce. */
  sync(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.#syncOnce();
        } while (this.#again && !this.#closed);
      } catch (error) {
        this.#options.logger.error({ err: error }, 'could not update the cluster API listeners');
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  async #syncOnce(): Promise<void> {
    const { store } = this.#options;
    const clusters: ClusterRecord[] = [];
    for (const tenant of await store.listTenants()) {
      const own = await store.listClusters(tenant.id);
      // A tenant with clusters has the AKS server app their kubeconfigs ask tokens for (as in Entra).
      if (own.length > 0) await ensureAksServerApplication(store, tenant.id);
      clusters.push(...own);
    }
    const wanted = new Set(clusters.map((cluster) => cluster.id));
    for (const [id, listener] of this.#listening) {
      if (wanted.has(id)) continue;
      this.#listening.delete(id);
      await listener.app.close();
    }
    for (const cluster of clusters) {
      if (this.#closed) return;
      if (this.#listening.has(cluster.id)) continue;
      const recorded = await store.getClusterApiPort(cluster.id);
      const started = await this.#listen(cluster, recorded);
      this.#listening.set(cluster.id, started);
      if (started.port !== recorded) await store.setClusterApiPort(cluster.id, started.port);
    }
  }

  async #listen(cluster: ClusterRecord, port: number | undefined) {
    const { https, host, logger, store: _store, ...routeOptions } = this.#options;
    for (const attempt of port === undefined ? [0] : [port, 0]) {
      const app = Fastify({
        loggerInstance: logger,
        ...(https ? { https } : {}),
        routerOptions: { maxParamLength: 256 },
      } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
      await app.register(clusterApiRoutes, {
        ...routeOptions,
        store: this.#options.store,
        cluster,
        objectSource: () => this.#objectSource,
      });
      try {
        await app.listen({ host, port: attempt });
      } catch (error) {
        await app.close();
        if (attempt !== 0 && (error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          logger.warn(
            `cluster ${cluster.name}: port ${attempt} is taken; its API moves to a new port (run cluster get-credentials again)`,
          );
          continue;
        }
        throw error;
      }
      const address = app.server.address();
      return { app, port: typeof address === 'object' && address ? address.port : attempt };
    }
    throw new Error('unreachable: port 0 always binds or throws');
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
    for (const listener of this.#listening.values()) await listener.app.close();
    this.#listening.clear();
  }
}
