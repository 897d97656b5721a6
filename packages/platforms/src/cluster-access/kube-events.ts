/**
 * core/v1 Events of a local cluster (`kubectl get events`, and the Events section of `kubectl
 * describe`, which lists them by `involvedObject.name/namespace/kind/uid` field selector): the ones
 * the runtime recorded, as an EventList at the cluster's current resourceVersion.
 * @module
 */
import { CredlessError } from '@credless/core';
import type { ClusterEvents, ServedObject } from '../runtime/events.ts';
import { fieldSelector, labelSelector } from './kube-selectors.ts';

/** Fields kube-apiserver lets select Events by; any other is a BadRequest there too. */
export const EVENT_FIELDS = new Set([
  'metadata.name',
  'metadata.namespace',
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
]);

/** The Events of a namespace (all when undefined) the query selects. */
export function listEvents(
  events: ClusterEvents,
  namespace: string | undefined,
  query: URLSearchParams,
): { items: ServedObject[]; resourceVersion: string } {
  const labels = labelSelector(query.get('labelSelector'));
  checkFieldNames(query.get('fieldSelector'));
  const fields = fieldSelector(query.get('fieldSelector'));
  const resourceVersion = events.versions.current;
  const items = events
    .events(namespace)
    .filter(
      (event) => labels(event.metadata['labels'] as Record<string, string> | undefined) && fields(event),
    )
    .map((event) => ({
      ...event,
      metadata: {
        ...event.metadata,
        resourceVersion:
          events.versionOf('events', String(event.metadata['namespace']), event.metadata.name) ??
          resourceVersion,
      },
    }));
  // `limit` is not honoured, as the API lets a server choose: every Event comes, and no continue token.
  return { items, resourceVersion };
}

/** kube-apiserver's refusal of a field it does not index Events by. */
function checkFieldNames(selector: string | null): void {
  for (const term of (selector ?? '').split(',')) {
    const field = term.split(/!=|==|=/)[0]?.trim() ?? '';
    if (field !== '' && !EVENT_FIELDS.has(field))
      throw new CredlessError('kube_request_invalid', {
        reason: `field label not supported: ${field}`,
      });
  }
}

/** An Event by name (undefined: none). */
export function findEvent(events: ClusterEvents, namespace: string, name: string): ServedObject | undefined {
  return listEvents(events, namespace, new URLSearchParams()).items.find((e) => e.metadata.name === name);
}
