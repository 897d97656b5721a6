/**
 * Server-side printing, as kube-apiserver answers `Accept: application/json;as=Table;g=meta.k8s.io;v=v1`:
 * kubectl's columns per kind (pods NAME/READY/STATUS/RESTARTS/AGE, deployments READY/UP-TO-DATE/
 * AVAILABLE/AGE, services TYPE/CLUSTER-IP/EXTERNAL-IP/PORT(S)/AGE, namespaces STATUS/AGE…) with the
 * cells computed as kube's printers do (ages as HumanDuration). Pure.
 * @module
 */

/** The fields the printers read (of any served kind; what a kind lacks is absent). */
interface Obj {
  metadata?: { name?: string; creationTimestamp?: string; deletionTimestamp?: string };
  spec?: {
    containers?: Array<{ name: string; image?: string }>;
    nodeName?: string;
    replicas?: number;
    type?: string;
    clusterIP?: string;
    externalIPs?: string[];
    ports?: Array<{ port: number; nodePort?: number; protocol?: string }>;
    selector?: Record<string, unknown>;
    template?: { spec?: { containers?: Array<{ name: string; image?: string }> } };
  };
  status?: {
    phase?: string;
    reason?: string;
    podIP?: string;
    containerStatuses?: Array<{
      ready?: boolean;
      restartCount?: number;
      state?: { waiting?: { reason?: string }; terminated?: { reason?: string; exitCode?: number } };
    }>;
    readyReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
  };
  data?: object;
  binaryData?: object;
  type?: string;
  secrets?: unknown[];
  // Events
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  involvedObject?: { kind?: string; name?: string; fieldPath?: string };
  source?: { component?: string; host?: string };
}
type Port = NonNullable<NonNullable<Obj['spec']>['ports']>[number];
type ContainerStatus = NonNullable<NonNullable<Obj['status']>['containerStatuses']>[number];
type Column = {
  name: string;
  type: string;
  format?: string;
  priority?: number;
  cell: (o: Obj, now: number) => unknown;
};

/** k8s.io/apimachinery's duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${hours / 24}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  const days = Math.floor(hours / 24) % 365;
  if (hours < 24 * 365 * 8) return days === 0 ? `${years}y` : `${years}y${days}d`;
  return `${years}y`;
}

const since = (time: unknown, now: number) =>
  time ? humanDuration(now - new Date(time as string).getTime()) : '<unknown>';
const name: Column = { name: 'Name', type: 'string', format: 'name', cell: (o) => o.metadata?.name };
const age: Column = {
  name: 'Age',
  type: 'string',
  cell: (o, now) => since(o.metadata?.creationTimestamp, now),
};
const count = (value: unknown) => Object.keys((value as object | undefined) ?? {}).length;

/** kubectl's STATUS of a pod: a container's waiting or terminated reason, else the phase. */
function podStatus(pod: Obj): string {
  if (pod.metadata?.deletionTimestamp) return 'Terminating';
  let reason: string = pod.status?.reason ?? pod.status?.phase ?? 'Pending';
  for (const c of pod.status?.containerStatuses ?? []) {
    if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
    else if (c.state?.terminated)
      reason = c.state.terminated.reason ?? (c.state.terminated.exitCode === 0 ? 'Completed' : 'Error');
  }
  return reason;
}

function restarts(pod: Obj): string {
  const statuses: ContainerStatus[] = pod.status?.containerStatuses ?? [];
  return String(statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0));
}

function eventLastSeen(event: Obj, now: number): string {
  const first = since(event.firstTimestamp, now);
  const last = event.lastTimestamp ? since(event.lastTimestamp, now) : first;
  return (event.count ?? 1) > 1 ? `${last} (x${event.count} over ${first})` : last;
}

const servicePorts = (svc: Obj) =>
  (svc.spec?.ports ?? [])
    .map((p: Port) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`)
    .join(',') || '<none>';
const selectorText = (selector: unknown) =>
  Object.entries((selector as Record<string, unknown> | undefined) ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',') || '<none>';
const containersOf = (o: Obj) => o.spec?.template?.spec?.containers ?? [];

const COLUMNS: Record<string, Column[]> = {
  Pod: [
    name,
    {
      name: 'Ready',
      type: 'string',
      cell: (o) =>
        `${(o.status?.containerStatuses ?? []).filter((c) => c.ready).length}/${o.spec?.containers?.length ?? 0}`,
    },
    { name: 'Status', type: 'string', cell: podStatus },
    { name: 'Restarts', type: 'string', cell: restarts },
    age,
    { name: 'IP', type: 'string', priority: 1, cell: (o) => o.status?.podIP ?? '<none>' },
    { name: 'Node', type: 'string', priority: 1, cell: (o) => o.spec?.nodeName ?? '<none>' },
  ],
  Deployment: [
    name,
    {
      name: 'Ready',
      type: 'string',
      cell: (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 1}`,
    },
    { name: 'Up-to-date', type: 'integer', cell: (o) => o.status?.updatedReplicas ?? 0 },
    { name: 'Available', type: 'integer', cell: (o) => o.status?.availableReplicas ?? 0 },
    age,
    {
      name: 'Containers',
      type: 'string',
      priority: 1,
      cell: (o) =>
        containersOf(o)
          .map((c) => c.name)
          .join(','),
    },
    {
      name: 'Images',
      type: 'string',
      priority: 1,
      cell: (o) =>
        containersOf(o)
          .map((c) => c.image)
          .join(','),
    },
    {
      name: 'Selector',
      type: 'string',
      priority: 1,
      cell: (o) => selectorText(o.spec?.selector?.['matchLabels']),
    },
  ],
  Service: [
    name,
    { name: 'Type', type: 'string', cell: (o) => o.spec?.type ?? 'ClusterIP' },
    { name: 'Cluster-IP', type: 'string', cell: (o) => o.spec?.clusterIP ?? '<none>' },
    { name: 'External-IP', type: 'string', cell: (o) => (o.spec?.externalIPs ?? []).join(',') || '<none>' },
    { name: 'Port(s)', type: 'string', cell: servicePorts },
    age,
    { name: 'Selector', type: 'string', priority: 1, cell: (o) => selectorText(o.spec?.selector) },
  ],
  Namespace: [name, { name: 'Status', type: 'string', cell: (o) => o.status?.phase ?? 'Active' }, age],
  ConfigMap: [name, { name: 'Data', type: 'integer', cell: (o) => count(o.data) + count(o.binaryData) }, age],
  Secret: [
    name,
    { name: 'Type', type: 'string', cell: (o) => o.type ?? 'Opaque' },
    { name: 'Data', type: 'integer', cell: (o) => count(o.data) },
    age,
  ],
  ServiceAccount: [name, { name: 'Secrets', type: 'integer', cell: (o) => (o.secrets ?? []).length }, age],
  // kube's printEvent: a repeated Event's LAST SEEN reads "5s (x3 over 2m)".
  Event: [
    { name: 'Last Seen', type: 'string', cell: eventLastSeen },
    { name: 'Type', type: 'string', cell: (o) => o.type },
    { name: 'Reason', type: 'string', cell: (o) => o.reason },
    {
      name: 'Object',
      type: 'string',
      cell: (o) => `${String(o.involvedObject?.kind ?? '').toLowerCase()}/${o.involvedObject?.name}`,
    },
    { name: 'Subobject', type: 'string', priority: 1, cell: (o) => o.involvedObject?.fieldPath ?? '' },
    {
      name: 'Source',
      type: 'string',
      priority: 1,
      cell: (o) => [o.source?.component, o.source?.host].filter(Boolean).join(', '),
    },
    { name: 'Message', type: 'string', cell: (o) => String(o.message ?? '').trim() },
    { name: 'First Seen', type: 'string', priority: 1, cell: (o, now) => since(o.firstTimestamp, now) },
    { name: 'Count', type: 'string', priority: 1, cell: (o) => o.count ?? 1 },
    { name: 'Name', type: 'string', format: 'name', priority: 1, cell: (o) => o.metadata?.name },
  ],
};

/** Whether the Accept header asks for a Table (kubectl get asks for one, with JSON as the fallback). */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '')
    .split(',')
    .some((type) => /;\s*as=Table/.test(type) && /g=meta\.k8s\.io/.test(type) && /v=v1(?!beta)/.test(type));
}

/** The row's `object`: as `includeObject` asks (default: the metadata only, PartialObjectMetadata). */
function rowObject(object: Obj, include: string | null): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return object;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

/** A Table of objects of one kind (kinds without printers get NAME and AGE, as kube's default). */
export function toTable(
  kind: string,
  objects: Obj[],
  options: { now: number; resourceVersion: string; includeObject: string | null },
) {
  const columns = COLUMNS[kind] ?? [name, age];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: options.resourceVersion },
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: '',
      priority: c.priority ?? 0,
    })),
    rows: objects.map((o) => ({
      cells: columns.map((c) => c.cell(o, options.now)),
      object: rowObject(o, options.includeObject),
    })),
  };
}
