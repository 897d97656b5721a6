/**
 * Discovery as kube-apiserver answers it (the legacy, non-aggregated documents: kubectl falls back to
 * them when the answer to its aggregated-discovery Accept header is plain JSON): `/api`, `/api/v1`,
 * `/apis`, `/apis/<group>`, `/apis/<group>/<version>`, from the served resource table.
 * @module
 */
import { apiVersionOf, SERVED_RESOURCES, type ServedResource } from './kube-resources.ts';

const GROUPS: string[] = [...new Set(SERVED_RESOURCES.map((r) => r.group).filter((g) => g !== ''))];

function resourceList(groupVersion: string, resources: ServedResource[]) {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: resources.map((r) => ({
      name: r.name,
      singularName: r.singularName,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.subresourceOf ?? {}),
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    })),
  };
}

function apiGroup(group: string) {
  const versions = [...new Set(SERVED_RESOURCES.filter((r) => r.group === group).map(apiVersionOf))];
  const list = versions.map((groupVersion) => ({ groupVersion, version: groupVersion.split('/')[1] }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: list, preferredVersion: list[0] };
}

/** The discovery document of a path, or undefined when the path is not a discovery path. */
export function discoveryDocument(path: string, serverAddress: string): unknown {
  if (path === '/api')
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  if (path === '/apis') return { kind: 'APIGroupList', apiVersion: 'v1', groups: GROUPS.map(apiGroup) };
  if (path === '/api/v1')
    return resourceList(
      'v1',
      SERVED_RESOURCES.filter((r) => r.group === ''),
    );
  const [, apis, group, version, ...rest] = path.split('/');
  if (apis !== 'apis' || !group || !GROUPS.includes(group) || rest.length > 0) return undefined;
  if (version === undefined) return apiGroup(group);
  const resources = SERVED_RESOURCES.filter((r) => r.group === group && r.version === version);
  return resources.length > 0 ? resourceList(`${group}/${version}`, resources) : undefined;
}
