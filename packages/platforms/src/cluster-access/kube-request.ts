/**
 * kube-apiserver's request info, reduced to what authorization needs: the verb, the resource and
 * namespace of a resource path, or a non-resource path (`/version`, `/api`, discovery). And the
 * Status objects it answers errors with.
 * @module
 */
import type { KubeVerb } from '@credless/core';

export interface KubeRequestInfo {
  verb: KubeVerb;
  /** The path as kube sees it, below the cluster's server URL. */
  path: string;
  /** Absent for non-resource paths. */
  resource?: string;
  namespace?: string;
  name?: string;
  /** `log` of `…/pods/<name>/log`, `status` of `…/<name>/status`. */
  subresource?: string;
  /** API group ('' for the core group) and version of a resource path. */
  group?: string;
  version?: string;
}

const WRITE_VERBS: Record<string, KubeVerb> = {
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
};

/** Parses `/api/v1/…` and `/apis/<group>/<version>/…`; anything else is a non-resource path. */
export function kubeRequestInfo(method: string, path: string, query: URLSearchParams): KubeRequestInfo {
  const segments = path.split('/').filter(Boolean);
  let rest: string[] | undefined;
  let group = '';
  let version: string | undefined;
  if (segments[0] === 'api' && segments.length >= 3) {
    version = segments[1];
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    group = segments[1] as string;
    version = segments[2];
    rest = segments.slice(3);
  }
  const upper = method.toUpperCase();
  if (rest === undefined) {
    return { verb: upper === 'GET' || upper === 'HEAD' ? 'get' : (WRITE_VERBS[upper] ?? 'delete'), path };
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource] = rest;
  const watch = query.get('watch') === 'true' || query.get('watch') === '1';
  let verb: KubeVerb;
  if (upper === 'GET' || upper === 'HEAD') verb = watch ? 'watch' : name === undefined ? 'list' : 'get';
  else if (upper === 'DELETE') verb = name === undefined ? 'deletecollection' : 'delete';
  else verb = WRITE_VERBS[upper] ?? 'create';
  // `GET /api/v1/namespaces/<ns>` reads the namespace object itself.
  if (resource === undefined && namespace !== undefined) {
    return {
      verb: verb === 'list' ? 'get' : verb,
      path,
      resource: 'namespaces',
      name: namespace,
      group,
      ...(version ? { version } : {}),
    };
  }
  return {
    verb,
    path,
    ...(resource !== undefined ? { resource } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
    group,
    ...(version ? { version } : {}),
  };
}

/** What kube-apiserver says a forbidden request tried, e.g. `cannot list resource "pods" in API group "" in the namespace "default"`. */
export function describeTarget(info: KubeRequestInfo): { what: string; target: string } {
  if (info.resource === undefined) return { what: 'forbidden', target: `path "${info.path}"` };
  const scope =
    info.namespace === undefined ? 'at the cluster scope' : `in the namespace "${info.namespace}"`;
  const what =
    info.name === undefined
      ? `${info.resource} is forbidden`
      : `${info.resource} "${info.name}" is forbidden`;
  return { what, target: `resource "${info.resource}" in API group "${info.group ?? ''}" ${scope}` };
}

export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: Record<string, unknown>;
  code: number;
}

export function kubeStatus(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
): KubeStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}
