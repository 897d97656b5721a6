/**
 * Validates rendered objects against the Kubernetes schemas: kubernetes-models checks types, required
 * fields and enums (JSON Schema from the OpenAPI spec), and — because those schemas allow any extra
 * property — the typed models of @kubernetes/client-node find fields Kubernetes does not know (a typo
 * such as `readOnlyRootFileSystem` would otherwise be dropped silently by the API server).
 * @module
 */
import * as k8s from '@kubernetes/client-node';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { MutatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import type { K8sObject } from '../../scripts/chart.ts';
import { crdFieldTree, type FieldTree, unknownCrdFields } from './crd-fields.ts';

interface ModelClass {
  new (data: never): { validate(): void };
}

/**
 * apiVersion/kind -> [kubernetes-models class, @kubernetes/client-node model name, or for a custom
 * resource the field tree of its kubernetes-models declaration (crd-fields.ts)].
 */
const MODELS: Record<string, [ModelClass, string | (() => FieldTree)]> = {
  'v1/ConfigMap': [ConfigMap as unknown as ModelClass, 'V1ConfigMap'],
  'v1/Namespace': [Namespace as unknown as ModelClass, 'V1Namespace'],
  'v1/Service': [Service as unknown as ModelClass, 'V1Service'],
  'v1/ServiceAccount': [ServiceAccount as unknown as ModelClass, 'V1ServiceAccount'],
  'apps/v1/Deployment': [Deployment as unknown as ModelClass, 'V1Deployment'],
  'policy/v1/PodDisruptionBudget': [PodDisruptionBudget as unknown as ModelClass, 'V1PodDisruptionBudget'],
  'rbac.authorization.k8s.io/v1/ClusterRole': [ClusterRole as unknown as ModelClass, 'V1ClusterRole'],
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': [
    ClusterRoleBinding as unknown as ModelClass,
    'V1ClusterRoleBinding',
  ],
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': [
    MutatingWebhookConfiguration as unknown as ModelClass,
    'V1MutatingWebhookConfiguration',
  ],
  'networking.k8s.io/v1/Ingress': [Ingress as unknown as ModelClass, 'V1Ingress'],
  'monitoring.coreos.com/v1/ServiceMonitor': [
    ServiceMonitor as unknown as ModelClass,
    () =>
      crdFieldTree('@kubernetes-models/prometheus-operator', 'monitoring.coreos.com/v1', 'ServiceMonitor'),
  ],
};

interface Attribute {
  baseName: string;
  type: string;
}

function attributesOf(typeName: string): Attribute[] | undefined {
  const model = (k8s as unknown as Record<string, { getAttributeTypeMap?: () => Attribute[] }>)[typeName];
  return model?.getAttributeTypeMap?.();
}

/** Paths of properties the typed model does not declare, e.g. `spec.template.spec.containers[0].bogus`. */
export function unknownFields(value: unknown, typeName: string, path = ''): string[] {
  const array = /^Array<(.+)>$/.exec(typeName);
  if (array) {
    return Array.isArray(value)
      ? value.flatMap((item, index) => unknownFields(item, array[1]!, `${path}[${index}]`))
      : [];
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(typeName);
  if (map) {
    if (typeof value !== 'object' || value === null) return [];
    return Object.entries(value).flatMap(([key, item]) => unknownFields(item, map[1]!, `${path}.${key}`));
  }
  const attributes = attributesOf(typeName);
  // Leaves (string, number, IntOrString, any…) and type mismatches are kubernetes-models' job.
  if (!attributes || typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, item]) => {
    const attribute = attributes.find((candidate) => candidate.baseName === key);
    const where = path ? `${path}.${key}` : key;
    return attribute ? unknownFields(item, attribute.type, where) : [where];
  });
}

/** Throws with every problem found in one object, naming it. */
export function validateObject(object: K8sObject): void {
  const key = `${object.apiVersion}/${object.kind}`;
  const name = `${object.kind} ${object.metadata?.name}`;
  const entry = MODELS[key];
  if (!entry) throw new Error(`${name}: no schema registered for ${key}`);
  const [Model, clientModel] = entry;
  try {
    new Model(object as never).validate();
  } catch (error) {
    throw new Error(`${name} does not match the Kubernetes schema: ${(error as Error).message}`);
  }
  const unknown =
    typeof clientModel === 'string'
      ? unknownFields(object, clientModel)
      : [
          ...unknownCrdFields({ ...object, metadata: undefined }, clientModel()),
          ...unknownFields(object.metadata, 'V1ObjectMeta', 'metadata'),
        ];
  if (unknown.length > 0)
    throw new Error(`${name} has fields Kubernetes does not know: ${unknown.join(', ')}`);
}
