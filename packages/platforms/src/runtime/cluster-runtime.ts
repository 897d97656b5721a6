/**
 * One local cluster at run time: its objects (kept in `<data>/clusters/<name>/objects.json` so a restart
 * of credless brings the pods back) and the write path of `cluster apply`, `cluster delete` and the
 * Kubernetes API. What runs (pods, Service ports, the Deployment controller) is in ClusterWorkloads.
 * Operations are serialized (the controller's passes too); pods are admitted once, at creation, as the
 * API server does.
 * @module
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CredlessError } from '@credless/core';
import type { ClusterRecord } from '@credless/server';
import { ClusterWorkloads } from './cluster-workloads.ts';
import { ownerDeploymentKey } from './deployments.ts';
import { ClusterEvents, type WatchEventType } from './events.ts';
import {
  CLUSTER_SCOPED_KINDS,
  type Kind,
  type KubeObject,
  keyOf,
  objectKey,
  type PodObject,
} from './manifests/objects.ts';
import { RESOURCE_OF_KIND, type Served, servedDeployment, servedPlain, servedPod } from './object-status.ts';
import { BUILT_IN_NAMESPACES, checkPrecondition, stampMetadata, type WriteMode } from './object-writes.ts';
import type { PodRunner } from './pods/pod-runner.ts';
import type { ClusterRuntimeOptions } from './runtime-options.ts';
import { TokenProjector } from './volumes/token-projector.ts';

export type { ClusterRuntimeOptions, CredlessAccess } from './runtime-options.ts';

export interface ObjectRef {
  kind: Kind;
  namespace: string;
  name: string;
}

export interface ApplyResult extends ObjectRef {
  action: 'created' | 'configured' | 'unchanged' | 'deleted';
}

export { NODE_NAME } from './cluster-workloads.ts';

export class ClusterRuntime {
  readonly cluster: ClusterRecord;
  readonly dir: string;
  readonly projector: TokenProjector;
  /** Every change of an object (resourceVersions, watches) and the cluster's Events. */
  readonly events: ClusterEvents;
  readonly #options: ClusterRuntimeOptions;
  readonly #objects = new Map<string, KubeObject>();
  readonly #workloads: ClusterWorkloads;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: ClusterRuntimeOptions) {
    this.#options = options;
    this.cluster = options.cluster;
    this.dir = join(options.dataDir, 'clusters', options.cluster.name);
    this.events = new ClusterEvents(options.now);
    this.projector = new TokenProjector({
      ...(options.now ? { now: options.now } : {}),
      ...(options.tokenRefreshIntervalMs !== undefined ? { intervalMs: options.tokenRefreshIntervalMs } : {}),
    });
    this.#workloads = new ClusterWorkloads(options, {
      dir: this.dir,
      events: this.events,
      projector: this.projector,
      objects: this.#objects,
      changed: (type, object) => this.#changed(type, object),
      deleteObject: (object) => this.#deleteObject(object),
      save: () => this.#save(),
      serial: (work) => this.#serial(work),
    });
  }

  /** Loads saved objects and starts their pods and Service ports again (no second admission). */
  async restore(): Promise<void> {
    let saved: KubeObject[] = [];
    try {
      saved = JSON.parse(await readFile(join(this.dir, 'objects.json'), 'utf8')) as KubeObject[];
    } catch {}
    await this.#serial(async () => {
      for (const object of saved) {
        this.#objects.set(keyOf(object), object);
        this.events.versions.observe(object.metadata.resourceVersion);
      }
      for (const name of BUILT_IN_NAMESPACES) {
        if (this.#objects.has(objectKey('Namespace', '', name))) continue;
        const namespace: KubeObject = {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name, namespace: '' },
        };
        stampMetadata(namespace, undefined, this.#now());
        await this.#store(namespace, undefined, 'built-in');
      }
      for (const object of saved) {
        if (object.kind === 'Pod') this.#workloads.run(object);
        if (object.kind === 'Service') await this.#workloads.openService(object);
      }
    });
    // Pods that were missing or failed when credless stopped are replaced now.
    for (const object of saved) if (object.kind === 'Deployment') this.#workloads.podDeleted(keyOf(object));
  }

  apply(objects: KubeObject[], source: string): Promise<ApplyResult[]> {
    return this.#serial(async () => {
      const results: ApplyResult[] = [];
      // ServiceAccounts and ConfigMaps first: pods admitted in the same apply need them.
      const order: Kind[] = [
        'Namespace',
        'ServiceAccount',
        'Secret',
        'ConfigMap',
        'Service',
        'Pod',
        'Deployment',
      ];
      const sorted = [...objects].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
      try {
        for (const object of sorted) results.push(await this.#applyOne(structuredClone(object), source));
      } finally {
        await this.#save();
      }
      return results;
    });
  }

  delete(refs: ObjectRef[]): Promise<ApplyResult[]> {
    return this.#serial(async () => {
      const results: ApplyResult[] = [];
      const owners = new Set<string>();
      try {
        for (const ref of refs) {
          const object = this.#objects.get(objectKey(ref.kind, ref.namespace, ref.name));
          if (!object)
            throw new CredlessError('runtime_object_not_found', {
              kind: ref.kind,
              name: ref.name,
              namespace: ref.namespace,
            });
          await this.#deleteObject(object);
          const owner = object.kind === 'Pod' ? ownerDeploymentKey(object) : undefined;
          if (owner) owners.add(owner);
          results.push({ ...ref, action: 'deleted' });
        }
      } finally {
        await this.#save();
        // The Deployment controller sees its pod gone and replaces it (unless the Deployment went too).
        for (const owner of owners) if (this.#objects.has(owner)) this.#workloads.podDeleted(owner);
      }
      return results;
    });
  }

  pods(namespace?: string) {
    return this.#workloads.pods(namespace);
  }

  deployments(namespace?: string) {
    return this.#workloads.deployments(namespace);
  }

  services(namespace?: string) {
    return this.#workloads.services(namespace);
  }

  pod(namespace: string, name: string): PodRunner | undefined {
    return this.#workloads.runner(objectKey('Pod', namespace, name));
  }

  logs(namespace: string, name: string, container?: string): Promise<string> {
    return this.#workloads.logs(namespace, name, container);
  }

  /** A container's log file: its runs one after the other (ContainerState.logStart says where each starts). */
  logFile(pod: PodObject, container: string): string {
    return this.#workloads.logFile(pod, container);
  }

  /** Stops every pod and port (their objects stay saved for the next start). */
  close(): Promise<void> {
    return this.#workloads.close();
  }

  async #applyOne(object: KubeObject, source: string): Promise<ApplyResult> {
    const key = keyOf(object);
    const existing = this.#objects.get(key);
    const ref = { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name };
    const applied = existing?.metadata.annotations?.[APPLIED];
    const text = JSON.stringify(object);
    const unchanged = applied === text;
    object.metadata.annotations = { ...object.metadata.annotations, [APPLIED]: text };
    if (unchanged && existing) {
      // Nothing to write; a Deployment is still reconciled: an apply retries pods that could not be created.
      if (existing.kind === 'Deployment') await this.#workloads.deploymentApplied(existing, source);
    } else {
      // `cluster apply` replaces a changed pod (the Kubernetes API refuses such updates instead).
      if (existing?.kind === 'Pod') await this.#deleteObject(existing);
      stampMetadata(object, existing, this.#now());
      await this.#store(object, existing?.kind === 'Pod' ? undefined : existing, source);
    }
    return { ...ref, action: existing ? (unchanged ? 'unchanged' : 'configured') : 'created' };
  }

  /** Puts a stamped object in place and does what its kind needs (admission and a process, ports, pods). */
  async #store(object: KubeObject, existing: KubeObject | undefined, source: string): Promise<KubeObject> {
    const key = keyOf(object);
    switch (object.kind) {
      case 'Pod':
        // An update changes the running pod's metadata and at most its images (checkPrecondition refused
        // any other spec change): the containers whose image changed are restarted with the new one.
        if (existing?.kind === 'Pod') {
          existing.metadata = object.metadata;
          if (object.spec) existing.spec = object.spec;
          this.#workloads.runner(key)?.imagesChanged();
        } else await this.#workloads.createPod(object, source);
        break;
      case 'Service':
        this.#objects.set(key, object);
        await this.#workloads.openService(object);
        break;
      case 'Deployment':
        this.#objects.set(key, object);
        await this.#workloads.deploymentApplied(object, source);
        break;
      default:
        this.#objects.set(key, object);
    }
    const stored = this.#objects.get(key) as KubeObject;
    this.#changed(existing ? 'MODIFIED' : 'ADDED', stored);
    // Every namespace has its `default` ServiceAccount (kube's service-account controller).
    if (object.kind === 'Namespace' && !existing) {
      const account: KubeObject = {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'default', namespace: object.metadata.name },
      };
      if (!this.#objects.has(keyOf(account))) {
        stampMetadata(account, undefined, this.#now());
        await this.#store(account, undefined, source);
      }
    }
    return stored;
  }

  /** Records the change (the next resourceVersion) and keeps that version on the stored object. */
  #changed(type: WatchEventType, object: KubeObject): void {
    const change = this.events.changed(type, RESOURCE_OF_KIND[object.kind], this.#serve(object));
    if (change && type !== 'DELETED') object.metadata.resourceVersion = String(change.resourceVersion);
  }

  /** The object as the API server serves it, its live status included. */
  #serve(object: KubeObject): Served {
    let served: Served;
    if (object.kind === 'Pod') served = servedPod(object, this.#workloads.runner(keyOf(object)));
    else if (object.kind === 'Deployment')
      served = servedDeployment(
        object,
        this.#workloads.runnersOf(object),
        this.#workloads.deploymentState(object),
      );
    else served = servedPlain(object);
    const version = this.events.versionOf(
      RESOURCE_OF_KIND[object.kind],
      object.metadata.namespace,
      object.metadata.name,
    );
    served.metadata['resourceVersion'] = version ?? object.metadata.resourceVersion ?? '1';
    return served;
  }

  /** One object as the Kubernetes API serves it (undefined: not there). */
  served(kind: Kind, namespace: string, name: string): Served | undefined {
    const object = this.#objects.get(objectKey(kind, CLUSTER_SCOPED_KINDS.has(kind) ? '' : namespace, name));
    return object && this.#serve(object);
  }

  /** The objects of a kind in a namespace (all namespaces when undefined), as served. */
  servedList(kind: Kind, namespace?: string): Served[] {
    return [...this.#objects.values()]
      .filter((o) => o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace))
      .map((o) => this.#serve(o));
  }

  /**
   * The Kubernetes API's create and update (PUT, and PATCH after the patch is applied): create fails
   * on an existing object, update on a missing one or on a stale resourceVersion. Pods are admitted
   * through the webhook on create. Returns the object as served.
   */
  write(object: KubeObject, mode: WriteMode, source: string): Promise<Served> {
    return this.#serial(async () => {
      const key = keyOf(object);
      const existing = this.#objects.get(key);
      const current = existing && (this.#serve(existing).metadata['resourceVersion'] as string);
      checkPrecondition(object, existing, mode, current);
      const written = structuredClone(object);
      stampMetadata(written, existing, this.#now());
      try {
        return this.#serve(await this.#store(written, existing, source));
      } finally {
        await this.#save();
      }
    });
  }

  async #deleteObject(object: KubeObject): Promise<void> {
    const key = keyOf(object);
    if (this.#objects.get(key) === object) this.#changed('DELETED', object);
    this.#objects.delete(key);
    await this.#workloads.removed(object);
    if (object.kind === 'Namespace') {
      // Everything in the namespace goes with it (kube's namespace controller, done at once here).
      const inside = [...this.#objects.values()].filter((o) => o.metadata.namespace === object.metadata.name);
      for (const o of inside) if (this.#objects.has(keyOf(o))) await this.#deleteObject(o);
    }
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }

  async #save(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = join(this.dir, 'objects.json');
    await writeFile(`${file}.tmp`, JSON.stringify([...this.#objects.values()], null, 1), { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => {});
    return run;
  }
}

/** What was applied last (as kubectl's last-applied-configuration): an identical apply changes nothing. */
const APPLIED = 'local.credless.io/last-applied';
