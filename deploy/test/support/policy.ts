/**
 * The deployment contract, checked on any rendered object set (the chart with any values, the plain
 * manifests): what azure-workload-identity's deployment guarantees (reference/azure-workload-identity.md)
 * plus Pod Security "restricted" and the wiring between objects (selectors, ports, Secrets, RBAC).
 * @module
 */
import assert from 'node:assert/strict';
import type { K8sObject } from '../../scripts/chart.ts';
import { isTruthy } from '../../scripts/helm-subset.ts';

type Json = Record<string, unknown>;
const obj = (value: unknown) => (value ?? {}) as Json;
const arr = (value: unknown) => (value ?? []) as Json[];

export const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'MutatingWebhookConfiguration',
]);

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  assert.equal(found.length, 1, `expected exactly one ${kind} ${name}, found ${found.length}`);
  return found[0]!;
}

export const podSpec = (deployment: K8sObject) => obj(obj(obj(deployment['spec'])['template'])['spec']);
export const podLabels = (deployment: K8sObject) =>
  obj(obj(obj(obj(deployment['spec'])['template'])['metadata'])['labels']);
export const containers = (deployment: K8sObject) => [
  ...arr(podSpec(deployment)['initContainers']),
  ...arr(podSpec(deployment)['containers']),
];

export function envOf(container: Json): Map<string, Json> {
  return new Map(arr(container['env']).map((e) => [e['name'] as string, e]));
}

const selects = (selector: Json, labels: Json) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Pod Security Standards "restricted", for the pod and every (init) container. */
export function assertRestricted(deployment: K8sObject): void {
  const name = deployment.metadata.name;
  const pod = podSpec(deployment);
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'])
    assert.notEqual(pod[field], true, `${name}: ${field} is not allowed`);
  const podContext = obj(pod['securityContext']);
  assert.equal(podContext['runAsNonRoot'], true, `${name}: pod runAsNonRoot`);
  assert.deepEqual(podContext['seccompProfile'], { type: 'RuntimeDefault' }, `${name}: pod seccompProfile`);
  for (const volume of arr(pod['volumes'])) {
    const sources = Object.keys(volume).filter((k) => k !== 'name');
    assert.ok(
      sources.every((s) => ['emptyDir', 'secret', 'configMap', 'projected'].includes(s)),
      `${name}: volume ${volume['name']} uses ${sources.join(', ')}`,
    );
  }
  const list = containers(deployment);
  assert.ok(list.length > 0, `${name}: no containers`);
  for (const container of list) {
    const where = `${name}/${container['name']}`;
    const context = obj(container['securityContext']);
    assert.equal(context['runAsNonRoot'], true, `${where}: runAsNonRoot`);
    assert.equal(context['allowPrivilegeEscalation'], false, `${where}: allowPrivilegeEscalation false`);
    assert.equal(context['readOnlyRootFilesystem'], true, `${where}: readOnlyRootFilesystem`);
    assert.notEqual(context['privileged'], true, `${where}: privileged`);
    assert.deepEqual(obj(context['capabilities']), { drop: ['ALL'] }, `${where}: capabilities drop ALL only`);
    assert.deepEqual(context['seccompProfile'], { type: 'RuntimeDefault' }, `${where}: seccompProfile`);
    assert.ok(obj(obj(container['resources'])['limits'])['memory'], `${where}: memory limit`);
  }
}

/** Every Service selects exactly one Deployment's pods, and every port targets a container port. */
export function assertServicesMatchPods(objects: K8sObject[]): void {
  for (const service of objects.filter((o) => o.kind === 'Service')) {
    const selector = obj(obj(service['spec'])['selector']);
    const targets = objects.filter((o) => o.kind === 'Deployment' && selects(selector, podLabels(o)));
    assert.equal(targets.length, 1, `Service ${service.metadata.name} selects ${targets.length} Deployments`);
    const ports = containers(targets[0]!).flatMap((c) => arr(c['ports']));
    for (const port of arr(obj(service['spec'])['ports'])) {
      const target = port['targetPort'] ?? port['port'];
      const match = ports.find((p) => p['name'] === target || p['containerPort'] === target);
      assert.ok(
        match,
        `Service ${service.metadata.name} port ${port['name']} targets ${target}: no such container port`,
      );
      if (typeof target === 'string') assert.equal(match['protocol'] ?? 'TCP', port['protocol'] ?? 'TCP');
    }
  }
}

/** Namespaced objects live in the release namespace; cluster-scoped ones have none. */
export function assertNamespaces(objects: K8sObject[], namespace: string): void {
  for (const o of objects) {
    if (CLUSTER_SCOPED.has(o.kind))
      assert.equal(o.metadata.namespace, undefined, `${o.kind} ${o.metadata.name}`);
    else assert.equal(o.metadata.namespace, namespace, `${o.kind} ${o.metadata.name} namespace`);
  }
}

/**
 * The PodDisruptionBudget the values ask for covers the Deployment's pods (exactly one, with exactly
 * the values' minAvailable or maxUnavailable, never both), or none when the values disable it.
 */
export function assertDisruptionBudget(
  objects: K8sObject[],
  deployment: K8sObject,
  budget: { enabled: boolean; minAvailable: number | string; maxUnavailable: number | string },
): K8sObject | undefined {
  const budgets = objects.filter(
    (o) =>
      o.kind === 'PodDisruptionBudget' &&
      o.metadata.namespace === deployment.metadata.namespace &&
      selects(obj(obj(obj(o['spec'])['selector'])['matchLabels']), podLabels(deployment)),
  );
  const name = deployment.metadata.name;
  if (!budget.enabled) return void assert.equal(budgets.length, 0, `${name}: PodDisruptionBudget disabled`);
  assert.equal(budgets.length, 1, `${name}: PodDisruptionBudgets selecting its pods`);
  const spec = obj(budgets[0]!['spec']);
  const expected = Object.fromEntries(
    (['minAvailable', 'maxUnavailable'] as const)
      .filter((field) => isTruthy(budget[field]))
      .map((field) => [field, budget[field]]),
  );
  assert.equal(Object.keys(expected).length, 1, `${name}: set one of minAvailable and maxUnavailable`);
  const { selector: _selector, ...rest } = spec;
  assert.deepEqual(rest, expected, `${name}: PodDisruptionBudget`);
  return budgets[0]!;
}

/** The Deployment's selector matches its own pod template (else the API server refuses it). */
export function assertSelectorMatchesTemplate(deployment: K8sObject): void {
  const selector = obj(obj(obj(deployment['spec'])['selector'])['matchLabels']);
  assert.ok(
    selects(selector, podLabels(deployment)),
    `${deployment.metadata.name}: selector/template labels`,
  );
}
