/**
 * The API resources a local cluster serves, as kube-apiserver's discovery describes them: the kinds
 * the runtime keeps (core/v1 and apps/v1), their verbs, short names and categories (`kubectl get all`).
 * @module
 */
import type { Kind } from '../runtime/manifests/objects.ts';

export interface ServedResource {
  name: string;
  singularName: string;
  /** A kind the runtime keeps, or one served from elsewhere (Events: the runtime's record; a Scale). */
  kind: Kind | 'Event' | 'Scale' | 'SelfSubjectAccessReview' | 'SelfSubjectReview';
  /** A subresource of another group-version's kind (deployments/scale: autoscaling/v1 Scale). */
  subresourceOf?: { group: string; version: string };
  group: '' | 'apps' | 'authorization.k8s.io' | 'authentication.k8s.io';
  version: 'v1';
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
}

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

export const SERVED_RESOURCES: readonly ServedResource[] = [
  {
    name: 'namespaces',
    singularName: 'namespace',
    kind: 'Namespace',
    group: '',
    version: 'v1',
    namespaced: false,
    shortNames: ['ns'],
    verbs: VERBS,
  },
  {
    name: 'serviceaccounts',
    singularName: 'serviceaccount',
    kind: 'ServiceAccount',
    group: '',
    version: 'v1',
    namespaced: true,
    shortNames: ['sa'],
    verbs: VERBS,
  },
  {
    name: 'configmaps',
    singularName: 'configmap',
    kind: 'ConfigMap',
    group: '',
    version: 'v1',
    namespaced: true,
    shortNames: ['cm'],
    verbs: VERBS,
  },
  {
    name: 'secrets',
    singularName: 'secret',
    kind: 'Secret',
    group: '',
    version: 'v1',
    namespaced: true,
    verbs: VERBS,
  },
  {
    name: 'services',
    singularName: 'service',
    kind: 'Service',
    group: '',
    version: 'v1',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    verbs: VERBS,
  },
  {
    name: 'pods',
    singularName: 'pod',
    kind: 'Pod',
    group: '',
    version: 'v1',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    verbs: VERBS,
  },
  {
    name: 'pods/log',
    singularName: '',
    kind: 'Pod',
    group: '',
    version: 'v1',
    namespaced: true,
    verbs: ['get'],
  },
  {
    name: 'events',
    singularName: 'event',
    kind: 'Event',
    group: '',
    version: 'v1',
    namespaced: true,
    shortNames: ['ev'],
    verbs: ['get', 'list', 'watch'],
  },
  {
    name: 'deployments',
    singularName: 'deployment',
    kind: 'Deployment',
    group: 'apps',
    version: 'v1',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    verbs: VERBS,
  },
  {
    name: 'deployments/scale',
    singularName: '',
    kind: 'Scale',
    group: 'apps',
    version: 'v1',
    namespaced: true,
    subresourceOf: { group: 'autoscaling', version: 'v1' },
    verbs: ['get', 'patch', 'update'],
  },
  {
    name: 'selfsubjectaccessreviews',
    singularName: 'selfsubjectaccessreview',
    kind: 'SelfSubjectAccessReview',
    group: 'authorization.k8s.io',
    version: 'v1',
    namespaced: false,
    verbs: ['create'],
  },
  {
    name: 'selfsubjectreviews',
    singularName: 'selfsubjectreview',
    kind: 'SelfSubjectReview',
    group: 'authentication.k8s.io',
    version: 'v1',
    namespaced: false,
    verbs: ['create'],
  },
];

/** The served resource a path names (group, version and plural as in the URL). */
export function findResource(group: string, version: string, name: string): ServedResource | undefined {
  return SERVED_RESOURCES.find((r) => r.group === group && r.version === version && r.name === name);
}

export const apiVersionOf = (resource: Pick<ServedResource, 'group' | 'version'>) =>
  resource.group ? `${resource.group}/${resource.version}` : resource.version;
