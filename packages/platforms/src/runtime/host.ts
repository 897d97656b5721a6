/**
 * The local clusters of one credless: a ClusterRuntime per cluster that has objects, created on first
 * use and restored at start from `<data>/clusters/<name>/objects.json`.
 * @module
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CredlessError } from '@credless/core';
import type { ClusterRecord } from '@credless/server';
import { ClusterRuntime, type ClusterRuntimeOptions, type CredlessAccess } from './cluster-runtime.ts';

export interface ClusterSelector {
  name: string;
  resourceGroup?: string | undefined;
  /** Tenant id or domain; default: the server's default tenant. */
  tenant?: string | undefined;
}

export interface LocalClustersOptions extends Omit<ClusterRuntimeOptions, 'cluster' | 'credless'> {
  credless: CredlessAccess & { defaultTenantId: string };
}

export class LocalClusters {
  readonly #options: LocalClustersOptions;
  readonly #runtimes = new Map<string, Promise<ClusterRuntime>>();

  constructor(options: LocalClustersOptions) {
    this.#options = options;
  }

  async find(selector: ClusterSelector): Promise<ClusterRecord> {
    const { store } = this.#options.credless;
    const tenant = selector.tenant ? await store.findTenant(selector.tenant) : undefined;
    if (selector.tenant && !tenant) throw new CredlessError('not_found', { id: selector.tenant });
    const tenantId = tenant?.id ?? this.#options.credless.defaultTenantId;
    const matches = (await store.listClusters(tenantId, selector.resourceGroup)).filter(
      (c) => c.name.toLowerCase() === selector.name.toLowerCase(),
    );
    if (matches.length === 0)
      throw new CredlessError('not_found', {
        id: `${selector.resourceGroup ? `${selector.resourceGroup}/` : ''}${selector.name}`,
      });
    if (matches.length > 1)
      throw new CredlessError('registry_invalid', {
        reason: `${matches.length} clusters are named ${selector.name}: pass --resource-group`,
      });
    return matches[0] as ClusterRecord;
  }

  async runtime(selector: ClusterSelector): Promise<ClusterRuntime> {
    return this.#runtimeFor(await this.find(selector));
  }

  /** The runtime of a cluster record (the Kubernetes API's objects). */
  runtimeOf(cluster: ClusterRecord): Promise<ClusterRuntime> {
    return this.#runtimeFor(cluster);
  }

  #runtimeFor(cluster: ClusterRecord): Promise<ClusterRuntime> {
    let runtime = this.#runtimes.get(cluster.id);
    if (!runtime) {
      const created = new ClusterRuntime({ ...this.#options, cluster, credless: this.#options.credless });
      runtime = created.restore().then(() => created);
      runtime.catch(() => this.#runtimes.delete(cluster.id));
      this.#runtimes.set(cluster.id, runtime);
    }
    return runtime;
  }

  /** Brings back the clusters that had objects when credless stopped. */
  async restoreAll(onError: (cluster: string, error: unknown) => void = () => {}): Promise<void> {
    const root = join(this.#options.dataDir, 'clusters');
    const names = new Set(await readdir(root).catch(() => [] as string[]));
    const { store } = this.#options.credless;
    for (const tenant of await store.listTenants()) {
      for (const cluster of await store.listClusters(tenant.id)) {
        if (!names.has(cluster.name)) continue;
        if (!(await stat(join(root, cluster.name, 'objects.json')).catch(() => undefined))) continue;
        await this.#runtimeFor(cluster).catch((error: unknown) => onError(cluster.name, error));
      }
    }
  }

  async close(): Promise<void> {
    const runtimes = await Promise.allSettled(this.#runtimes.values());
    this.#runtimes.clear();
    for (const r of runtimes) if (r.status === 'fulfilled') await r.value.close();
  }
}
