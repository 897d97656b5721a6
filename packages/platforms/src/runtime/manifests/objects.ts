/**
 * The Kubernetes objects the local cluster understands: a useful subset of core/v1 and apps/v1,
 * typed with @kubernetes/client-node's models.
 * @module
 */
import type {
  V1ConfigMap,
  V1Deployment,
  V1ObjectMeta,
  V1Pod,
  V1Service,
  V1ServiceAccount,
} from '@kubernetes/client-node';

export const SUPPORTED_KINDS = {
  ServiceAccount: 'v1',
  ConfigMap: 'v1',
  Pod: 'v1',
  Service: 'v1',
  Deployment: 'apps/v1',
} as const;

export type Kind = keyof typeof SUPPORTED_KINDS;

/** Every object the runtime holds has a name and a namespace. */
export type Meta = V1ObjectMeta & { name: string; namespace: string };
type Named<T> = Omit<T, 'metadata'> & { metadata: Meta };

export type ServiceAccountObject = Named<V1ServiceAccount> & { kind: 'ServiceAccount' };
export type ConfigMapObject = Named<V1ConfigMap> & { kind: 'ConfigMap' };
export type PodObject = Named<V1Pod> & { kind: 'Pod' };
export type ServiceObject = Named<V1Service> & { kind: 'Service' };
export type DeploymentObject = Named<V1Deployment> & { kind: 'Deployment' };
export type KubeObject =
  | ServiceAccountObject
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
};

export function parseKind(text: string): Kind | undefined {
  return KIND_ALIASES[text.toLowerCase()];
}
