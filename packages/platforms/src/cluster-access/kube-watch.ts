/**
 * `?watch=1` as kube-apiserver answers it: one JSON object per line, `{"type":"ADDED|MODIFIED|DELETED",
 * "object":…}`, for the changes of one resource in a namespace (or all), filtered by label and field
 * selectors. Without a resourceVersion (or with "0") the objects as they are come first as ADDED;
 * from a list's resourceVersion, the changes after it; from one older than the kept history, an
 * ERROR event with 410 Expired (the client lists again). Ends at timeoutSeconds, when the client
 * goes, or when the listener closes.
 * @module
 */
import { CredlessError, ERROR_CATALOGUE } from '@credless/core';
import type { FastifyReply } from 'fastify';
import type { ClusterEvents, ObjectChange, ServedObject, WatchEventType } from '../runtime/events.ts';
import { kubeStatus } from './kube-request.ts';
import { fieldSelector, labelSelector } from './kube-selectors.ts';
import type { KubeStreams } from './kube-streams.ts';

export interface WatchTarget {
  /** The API resource (plural): pods, deployments, events… */
  resource: string;
  /** Its kind and apiVersion (a BOOKMARK names them). */
  kind: string;
  apiVersion: string;
  /** Undefined: every namespace. */
  namespace?: string | undefined;
  /** The objects as they are now, for a watch that starts without a resourceVersion. */
  current(): ServedObject[];
}

/** How an event's object is written: as is, or (for `as=Table`) as a Table. */
export type WatchRenderer = (object: ServedObject) => unknown;

/** kube-apiserver's default when a client gives no timeoutSeconds (its min-request-timeout). */
const DEFAULT_TIMEOUT_SECONDS = 1800;

export function serveWatch(
  streams: KubeStreams,
  reply: FastifyReply,
  events: ClusterEvents,
  target: WatchTarget,
  query: URLSearchParams,
  render: WatchRenderer = (object) => object,
): void {
  // Everything that can be refused is checked before the stream starts (a 400, not a broken stream).
  const labels = labelSelector(query.get('labelSelector'));
  const fields = fieldSelector(query.get('fieldSelector'));
  const timeoutSeconds = parseCount(query.get('timeoutSeconds'), 'timeoutSeconds') ?? DEFAULT_TIMEOUT_SECONDS;
  const from = query.get('resourceVersion') ?? '';
  // client-go's WatchList: the state as initial events, then a bookmark saying they are all there.
  const initialEvents = query.get('sendInitialEvents') === 'true';
  if (initialEvents && query.get('resourceVersionMatch') !== 'NotOlderThan')
    throw new CredlessError('kube_request_invalid', {
      reason:
        'resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
    });
  const matches = (object: ServedObject) =>
    (target.namespace === undefined || object.metadata['namespace'] === target.namespace) &&
    labels(object.metadata['labels'] as Record<string, string> | undefined) &&
    fields(object);

  let backlog: Array<{ type: WatchEventType | 'ERROR' | 'BOOKMARK'; object: unknown }>;
  if (from === '' || from === '0' || initialEvents) {
    backlog = target.current().map((object) => ({ type: 'ADDED', object }));
    if (initialEvents)
      backlog.push({
        type: 'BOOKMARK',
        object: {
          kind: target.kind,
          apiVersion: target.apiVersion,
          metadata: {
            resourceVersion: events.versions.current,
            annotations: { 'k8s.io/initial-events-end': 'true' },
          },
        },
      });
  } else {
    const version = parseCount(from, 'resourceVersion') as number;
    const missed = events.since(version);
    backlog = missed
      ? missed.filter((c) => c.resource === target.resource).map(({ type, object }) => ({ type, object }))
      : [
          {
            type: 'ERROR',
            object: statusOf(
              new CredlessError('kube_resource_version_expired', {
                requested: from,
                oldest: events.oldestVersion,
              }),
            ),
          },
        ];
  }

  let unsubscribe = () => {};
  let timer: NodeJS.Timeout | undefined;
  const stream = streams.open(reply, 'application/json', () => {
    unsubscribe();
    clearTimeout(timer);
  });
  const send = (type: WatchEventType | 'ERROR' | 'BOOKMARK', object: unknown) => {
    const written = type === 'ERROR' || type === 'BOOKMARK' ? object : render(object as ServedObject);
    stream.write(`${JSON.stringify({ type, object: written })}\n`);
  };
  // Subscribed in the same tick as the backlog is written: no change falls between them.
  unsubscribe = events.subscribe((change: ObjectChange) => {
    if (change.resource === target.resource && matches(change.object)) send(change.type, change.object);
  });
  timer = setTimeout(() => stream.end(), timeoutSeconds * 1000);
  for (const { type, object } of backlog) {
    if (type === 'ERROR' || type === 'BOOKMARK' || matches(object as ServedObject)) send(type, object);
  }
  if (backlog.some((event) => event.type === 'ERROR')) stream.end();
}

function parseCount(text: string | null, name: string): number | undefined {
  if (text === null || text === '') return undefined;
  if (!/^\d+$/.test(text))
    throw new CredlessError('kube_request_invalid', { reason: `invalid ${name} "${text}": not a number` });
  return Number(text);
}

/** A catalogue error as a kube Status (its `graph` field is the Status reason). */
const statusOf = (error: CredlessError) =>
  kubeStatus(error.status, (ERROR_CATALOGUE[error.code] as { graph: string }).graph, error.message);
