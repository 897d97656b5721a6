/**
 * The Kubernetes objects the local cluster understands: a useful subset of core/v1 and apps/v1,
 * typed with @kubernetes/client-node's models.
 * @module
 */
import type {
  V1ConfigMap,
  V1Deployment,
  V1Namespace,
  V1ObjectMeta,
  V1Pod,
  V1Secret,
  V1Service,
  V1ServiceAccount,
} from '@kubernetes/client-node';

export const SUPPORTED_KINDS = {
  Namespace: 'v1',
  ServiceAccount: 'v1',
  Secret: 'v1',
  ConfigMap: 'v1',
  Pod: 'v1',
  Service: 'v1',
  Deployment: 'apps/v1',
} as const;

export type Kind = keyof typeof SUPPORTED_KINDS;

/** Kinds outside namespaces: the runtime keeps them with namespace ''. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set(['Namespace']);

/** Every object the runtime holds has a name and a namespace ('' for cluster-scoped kinds). */
export type Meta = V1ObjectMeta & { name: string; namespace: string };
type Named<T> = Omit<T, 'metadata'> & { metadata: Meta };

export type NamespaceObject = Named<V1Namespace> & { kind: 'Namespace' };
export type ServiceAccountObject = Named<V1ServiceAccount> & { kind: 'ServiceAccount' };
export type SecretObject = Named<V1Secret> & { kind: 'Secret' };
export type ConfigMapObject = Named<V1ConfigMap> & { kind: 'ConfigMap' };
export type PodObject = Named<V1Pod> & { kind: 'Pod' };
export type ServiceObject = Named<V1Service> & { kind: 'Service' };
export type DeploymentObject = Named<V1Deployment> & { kind: 'Deployment' };
export type KubeObject =
  | NamespaceObject
  | ServiceAccountObject
  | SecretObject
  | ConfigMapObject
  | PodObject
  | ServiceObject
  | DeploymentObject;

export const objectKey = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;
export const keyOf = (object: KubeObject) =>
  objectKey(object.kind, object.metadata.namespace, object.metadata.name);

/** Kind names as kubectl accepts them (pod, pods, po, svc, deploy…). */
const KIND_ALIASES: Record<string, Kind> = {
  pod: 'Pod',
  pods: 'Pod',
  po: 'Pod',
  service: 'Service',
  services: 'Service',
  svc: 'Service',
  deployment: 'Deployment',
  deployments: 'Deployment',
  deploy: 'Deployment',
  configmap: 'ConfigMap',
  configmaps: 'ConfigMap',
  cm: 'ConfigMap',
  serviceaccount: 'ServiceAccount',
  serviceaccounts: 'ServiceAccount',
  sa: 'ServiceAccount',
  namespace: 'Namespace',
  namespaces: 'Namespace',
  ns: 'Namespace',
  secret: 'Secret',
  secrets: 'Secret',
};

export function parseKind(text: string): Kind | undefined {
  return KIND_ALIASES[text.toLowerCase()];
}
