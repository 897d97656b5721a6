/**
 * The parts of a local cluster's API that follow the runtime as it goes: watches of any served
 * resource (`kubectl get -w`, `rollout status`, client-go informers; as Tables when asked), pod logs
 * (`kubectl logs [-f]`) and the recorded Events (`kubectl get events`, `describe`). cluster-api.ts
 * asks `answer` first; undefined means the request is for the object handlers.
 * @module
 */
import { CredlessError } from '@credless/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ClusterEvents, ServedObject } from '../runtime/events.ts';
import type { Kind, PodObject } from '../runtime/manifests/objects.ts';
import type { Served } from '../runtime/object-status.ts';
import type { PodRunner } from '../runtime/pods/pod-runner.ts';
import { findEvent, listEvents } from './kube-events.ts';
import { serveLogs } from './kube-logs.ts';
import type { KubeRequestInfo } from './kube-request.ts';
import { apiVersionOf, type ServedResource } from './kube-resources.ts';
import { KubeStreams } from './kube-streams.ts';
import { toTable, wantsTable } from './kube-tables.ts';
import { serveWatch } from './kube-watch.ts';

/** What watches, logs and Events need of a cluster's runtime (ClusterRuntime has it). */
export interface LiveRuntime {
  readonly events: ClusterEvents;
  servedList(kind: Kind, namespace?: string): Served[];
  pod(namespace: string, name: string): PodRunner | undefined;
  logFile(pod: PodObject, container: string): string;
}

export interface LiveRequest {
  info: KubeRequestInfo & { subresource?: string | undefined };
  resource: ServedResource;
  query: URLSearchParams;
  accept: string | undefined;
  now: number;
}

export class KubeLive {
  readonly #streams: KubeStreams;

  /** Registers the close hook that ends open streams (call while the app is being set up). */
  constructor(app: FastifyInstance) {
    this.#streams = new KubeStreams(app);
  }

  /**
   * Answers a watch, a pod's log or an Events read; false when the request is none of these. Not the
   * reply itself: a FastifyReply is thenable, so an async function returning it resolves to undefined
   * (at once once hijacked) and the caller would answer the request a second time.
   */
  async answer(reply: FastifyReply, runtime: LiveRuntime, request: LiveRequest): Promise<boolean> {
    const { info, resource, query } = request;
    const namespace = resource.namespaced ? info.namespace : undefined;
    const table = wantsTable(request.accept);
    if (info.subresource === 'log' && resource.name === 'pods' && info.verb === 'get') {
      await serveLogs(this.#streams, reply, runtime, info.namespace ?? 'default', info.name ?? '', query);
      return true;
    }
    if (info.subresource !== undefined) return false;
    const isEvents = resource.name === 'events';
    if (info.verb === 'watch') {
      const current = (): ServedObject[] =>
        isEvents
          ? listEvents(runtime.events, namespace, new URLSearchParams()).items
          : runtime.servedList(resource.kind as Kind, namespace);
      const render = (object: ServedObject) =>
        tableOf(request, [object], String(object.metadata['resourceVersion'] ?? ''));
      // A named watch (`…/pods/<name>?watch=1`) is a watch of that one object.
      const named = info.name === undefined ? query : withName(query, info.name);
      serveWatch(
        this.#streams,
        reply,
        runtime.events,
        {
          resource: resource.name,
          kind: resource.kind,
          apiVersion: apiVersionOf(resource),
          namespace,
          current,
        },
        named,
        table ? render : undefined,
      );
      return true;
    }
    if (!isEvents) return false;
    if (info.verb === 'get' && info.name !== undefined) {
      const event = findEvent(runtime.events, namespace ?? '', info.name);
      if (!event) throw new CredlessError('kube_object_not_found', { resource: 'events', name: info.name });
      send(reply, table ? tableOf(request, [event], String(event.metadata['resourceVersion'])) : event);
      return true;
    }
    if (info.verb === 'list') {
      const { items, resourceVersion } = listEvents(runtime.events, namespace, query);
      send(
        reply,
        table
          ? tableOf(request, items, resourceVersion)
          : { apiVersion: 'v1', kind: 'EventList', metadata: { resourceVersion }, items },
      );
      return true;
    }
    throw new CredlessError('kube_method_not_supported', { verb: info.verb, resource: 'events' });
  }
}

const send = (reply: FastifyReply, body: unknown) =>
  reply.code(200).header('cache-control', 'no-store').type('application/json').send(body);

const tableOf = (request: LiveRequest, objects: ServedObject[], resourceVersion: string) =>
  toTable(request.resource.kind, objects, {
    now: request.now,
    resourceVersion,
    includeObject: request.query.get('includeObject'),
  });

function withName(query: URLSearchParams, name: string): URLSearchParams {
  const named = new URLSearchParams(query);
  const fields = named.get('fieldSelector');
  named.set('fieldSelector', fields ? `${fields},metadata.name=${name}` : `metadata.name=${name}`);
  return named;
}
