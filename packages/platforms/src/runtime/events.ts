/**
 * What happens in one local cluster, as the API server keeps it: every change of an object (a new
 * resourceVersion, for watches) and the core/v1 Events the kubelet and the controllers record
 * (Scheduled, Pulled, Created, Started, Killing, BackOff…), repeated ones counted as kube does.
 * Changes are kept in a bounded history so a watch can start from a list's resourceVersion; a
 * version older than the history is answered as expired (410), as etcd's compaction makes it.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { ResourceVersions } from './resource-version.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A kube object as served: apiVersion, kind, metadata with at least a name. */
export type ServedObject = Record<string, unknown> & {
  metadata: Record<string, unknown> & { name: string };
};

const namespaceOf = (object: ServedObject) => String(object.metadata['namespace'] ?? '');

export interface ObjectChange {
  type: WatchEventType;
  /** The API resource (plural): pods, deployments, events… */
  resource: string;
  resourceVersion: number;
  /** The object at this change, its metadata.resourceVersion set. */
  object: ServedObject;
}

export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string | undefined;
  /** e.g. `spec.containers{web}` for a container's events. */
  fieldPath?: string | undefined;
}

export type EventType = 'Normal' | 'Warning';

/** How many changes a watch can replay, and how many Events are kept (kube keeps them an hour). */
const HISTORY_LIMIT = 1000;
const EVENT_LIMIT = 1000;

export class ClusterEvents {
  readonly versions = new ResourceVersions();
  readonly #now: () => number;
  readonly #history: ObjectChange[] = [];
  readonly #listeners = new Set<(change: ObjectChange) => void>();
  /** The last object sent per resource/namespace/name: an identical MODIFIED is not a change. */
  readonly #last = new Map<string, { fingerprint: string; version: string }>();
  readonly #events = new Map<string, ServedObject>();
  #sequence = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /**
   * Records a change and tells every watcher. Watchers see an object ADDED once: an ADDED of a known
   * object is a MODIFIED, a MODIFIED of an unknown one an ADDED; a MODIFIED identical to the last
   * change is none.
   */
  changed(reported: WatchEventType, resource: string, object: ServedObject): ObjectChange | undefined {
    const key = lastKey(resource, namespaceOf(object), object.metadata.name);
    const { resourceVersion: _, ...metadata } = object.metadata;
    const fingerprint = JSON.stringify({ ...object, metadata });
    const last = this.#last.get(key);
    const type = reported === 'DELETED' ? reported : last ? 'MODIFIED' : 'ADDED';
    if (type === 'MODIFIED' && last?.fingerprint === fingerprint) return undefined;
    const version = this.versions.next();
    if (type === 'DELETED') this.#last.delete(key);
    else this.#last.set(key, { fingerprint, version });
    const change: ObjectChange = {
      type,
      resource,
      resourceVersion: Number(version),
      object: { ...object, metadata: { ...metadata, resourceVersion: version } },
    };
    this.#history.push(change);
    if (this.#history.length > HISTORY_LIMIT) this.#history.shift();
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch {}
    }
    return change;
  }

  /** Changes after `version`; undefined when the history no longer reaches back that far. */
  since(version: number): ObjectChange[] | undefined {
    if (version >= Number(this.versions.current)) return [];
    const oldest = this.#history[0];
    if (!oldest || oldest.resourceVersion > version + 1) return undefined;
    return this.#history.filter((change) => change.resourceVersion > version);
  }

  /** The oldest version a watch can start from (the current one when nothing changed since the start). */
  get oldestVersion(): string {
    const oldest = this.#history[0];
    return oldest ? String(oldest.resourceVersion - 1) : this.versions.current;
  }

  /** How many watchers are subscribed (a watch whose client went away must not stay). */
  get watchers(): number {
    return this.#listeners.size;
  }

  /** Calls `listener` with every later change until the returned function is called. */
  subscribe(listener: (change: ObjectChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Records a core/v1 Event; the same reason and message for the same object again counts up. */
  record(
    involved: InvolvedObject,
    type: EventType,
    reason: string,
    message: string,
    component = 'kubelet',
  ): void {
    const now = new Date(this.#now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const same = [...this.#events.values()].find((event) => {
      const seen = event['involvedObject'] as InvolvedObject;
      return (
        event['reason'] === reason &&
        event['message'] === message &&
        seen.kind === involved.kind &&
        seen.namespace === involved.namespace &&
        seen.name === involved.name &&
        seen.uid === involved.uid &&
        seen.fieldPath === involved.fieldPath
      );
    });
    if (same) {
      const counted = { ...same, count: (same['count'] as number) + 1, lastTimestamp: now };
      this.#events.set(same.metadata.name, counted);
      this.changed('MODIFIED', 'events', counted);
      return;
    }
    this.#sequence += 1;
    const name = `${involved.name}.${(BigInt(this.#now()) * 1_000_000n + BigInt(this.#sequence)).toString(16)}`;
    const event: ServedObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: involved.namespace, uid: randomUUID(), creationTimestamp: now },
      involvedObject: Object.fromEntries(Object.entries(involved).filter(([, v]) => v !== undefined)),
      reason,
      message,
      source: { component, ...(component === 'kubelet' ? { host: 'credless-local' } : {}) },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: component === 'kubelet' ? 'credless-local' : '',
    };
    this.#events.set(name, event);
    this.changed('ADDED', 'events', event);
    if (this.#events.size > EVENT_LIMIT) {
      const [oldest] = this.#events.values();
      if (oldest) {
        this.#events.delete(oldest.metadata.name);
        this.changed('DELETED', 'events', oldest);
      }
    }
  }

  /** The recorded Events of a namespace (all namespaces when undefined), oldest first. */
  events(namespace?: string): ServedObject[] {
    return [...this.#events.values()].filter(
      (event) => namespace === undefined || namespaceOf(event) === namespace,
    );
  }

  /** The resourceVersion of the object's last change, if it changed since the start. */
  versionOf(resource: string, namespace: string, name: string): string | undefined {
    return this.#last.get(lastKey(resource, namespace, name))?.version;
  }
}

const lastKey = (resource: string, namespace: string, name: string) => `${resource}/${namespace}/${name}`;
