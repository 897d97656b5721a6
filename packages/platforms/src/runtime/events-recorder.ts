/**
 * The runtime's Events beyond the kubelet's: the object an Event is about, what admission injected
 * and where the pod was scheduled, and the Deployment controller's scaling.
 * @module
 */
import type { V1Container } from '@kubernetes/client-node';
import { WEBHOOK_NAME } from './admission/admission-client.ts';
import type { ClusterEvents, InvolvedObject } from './events.ts';
import type { DeploymentObject, KubeObject, PodObject } from './manifests/objects.ts';

/** An Event's involvedObject; a container's Events name it by fieldPath, as the kubelet does. */
export function involved(object: KubeObject, container?: string): InvolvedObject {
  return {
    apiVersion: object.kind === 'Deployment' ? 'apps/v1' : 'v1',
    kind: object.kind,
    namespace: object.metadata.namespace,
    name: object.metadata.name,
    uid: object.metadata.uid,
    ...(container !== undefined ? { fieldPath: `spec.containers{${container}}` } : {}),
  };
}

/** The Events of a pod's creation: the webhook's mutation, then the scheduler's assignment to `node`. */
export function recordAdmission(
  events: ClusterEvents,
  pod: PodObject,
  admitted: PodObject,
  node: string,
): void {
  const mutation = admissionMessage(pod, admitted);
  if (mutation) events.record(involved(admitted), 'Normal', 'Mutated', mutation, WEBHOOK_NAME);
  const { namespace, name } = admitted.metadata;
  const assigned = `Successfully assigned ${namespace}/${name} to ${node}`;
  events.record(involved(admitted), 'Normal', 'Scheduled', assigned, 'default-scheduler');
}

/** The Deployment controller's ScalingReplicaSet Events for one reconcile (`owned`: its pods before it). */
export function recordScaling(
  events: ClusterEvents,
  deployment: DeploymentObject,
  owned: PodObject[],
  remove: PodObject[],
  create: number,
  hash: string,
): void {
  for (const message of scalingMessages(deployment, owned, remove, create, hash))
    events.record(involved(deployment), 'Normal', 'ScalingReplicaSet', message, 'deployment-controller');
}

/** What the mutating webhook added to the pod (environment, volumes), as one Event message. */
function admissionMessage(before: PodObject, after: PodObject): string | undefined {
  const names = (containers: V1Container[] | undefined) =>
    new Set((containers ?? []).flatMap((c) => (c.env ?? []).map((e) => `${c.name}/${e.name}`)));
  const had = names(before.spec?.containers);
  const added = [...names(after.spec?.containers)].filter((name) => !had.has(name));
  const volumes = new Set((before.spec?.volumes ?? []).map((v) => v.name));
  const newVolumes = (after.spec?.volumes ?? []).map((v) => v.name).filter((name) => !volumes.has(name));
  if (added.length === 0 && newVolumes.length === 0) return undefined;
  const env = [...new Set(added.map((name) => name.split('/')[1]))];
  const what = [
    ...(env.length ? [`env ${env.join(', ')}`] : []),
    ...(newVolumes.length ? [`projected volume ${newVolumes.join(', ')}`] : []),
  ];
  return `Injected workload identity (webhook ${WEBHOOK_NAME}): ${what.join('; ')}`;
}

/**
 * The Deployment controller's ScalingReplicaSet messages for one reconcile (kube names the ReplicaSet
 * of a template `<deployment>-<hash>`): a ReplicaSet whose size changes scales; replacing a failed pod
 * by a new one does not.
 */
function scalingMessages(
  deployment: DeploymentObject,
  owned: PodObject[],
  remove: PodObject[],
  create: number,
  hash: string,
): string[] {
  const hashOf = (pod: PodObject) => pod.metadata.labels?.['pod-template-hash'] ?? '';
  const hashes = new Set([...owned.map(hashOf), hash]);
  const messages: string[] = [];
  for (const each of hashes) {
    const before = owned.filter((p) => hashOf(p) === each).length;
    const after = before - remove.filter((p) => hashOf(p) === each).length + (each === hash ? create : 0);
    if (after === before) continue;
    const direction = after > before ? 'up' : 'down';
    messages.push(
      `Scaled ${direction} replica set ${deployment.metadata.name}-${each} from ${before} to ${after}`,
    );
  }
  // Up before down, as a rollout reads: the new ReplicaSet grows, the old one shrinks.
  return messages.sort((a, b) => Number(b.startsWith('Scaled up')) - Number(a.startsWith('Scaled up')));
}
