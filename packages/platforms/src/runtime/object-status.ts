/**
 * The runtime's objects as the API server serves them: the stored object (as written, with the
 * server's metadata) plus its live status, the way the kubelet and the Deployment controller report
 * it — pods' phase, conditions and containerStatuses; Deployments' replica counts and conditions.
 * @module
 */
import type { RolloutState } from './deployment-controller.ts';
import { templateHash } from './deployments.ts';
import type { DeploymentObject, KubeObject, PodObject } from './manifests/objects.ts';
import type { PodRunner } from './pods/pod-runner.ts';
import { HOST_PORTS } from './services/service-ports.ts';

/** kubectl's resource names of the runtime's kinds. */
export const RESOURCE_OF_KIND = {
  Namespace: 'namespaces',
  ServiceAccount: 'serviceaccounts',
  ConfigMap: 'configmaps',
  Secret: 'secrets',
  Service: 'services',
  Pod: 'pods',
  Deployment: 'deployments',
} as const satisfies Record<KubeObject['kind'], string>;

/** A served object: apiVersion, kind and metadata always present. */
export type Served = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown> & { name: string };
};

const isoOrNow = (value: unknown) => (value ? new Date(value as string).toISOString() : undefined);

/** Strips the runtime's bookkeeping (cluster-scoped objects have no namespace). */
function base(object: KubeObject): Served {
  const copy = structuredClone(object) as unknown as Served;
  if (copy.metadata['namespace'] === '') delete copy.metadata['namespace'];
  return copy;
}

function containerStatus(container: ReturnType<PodRunner['containers']>[number]) {
  const state =
    container.state === 'running'
      ? { running: { startedAt: container.startedAt ?? null } }
      : container.state === 'terminated'
        ? {
            terminated: {
              exitCode: container.exitCode ?? 0,
              reason: container.exitCode === 0 ? 'Completed' : 'Error',
            },
          }
        : {
            waiting: {
              ...(container.reason ? { reason: container.reason } : {}),
              ...(container.message ? { message: container.message } : {}),
            },
          };
  return {
    name: container.name,
    image: container.image,
    imageID: '',
    ready: container.state === 'running',
    started: container.state === 'running',
    restartCount: container.restartCount,
    state,
    // How the run before ended, while the container waits to restart or runs again (describe's Last State).
    lastState:
      container.state !== 'terminated' && container.lastTerminated
        ? { terminated: container.lastTerminated }
        : {},
    ...(container.pid !== undefined ? { containerID: `credless://${container.pid}` } : {}),
  };
}

/** A pod with the kubelet's status (a stored pod without a runner is Pending). */
export function servedPod(pod: PodObject, runner: PodRunner | undefined): Served {
  const served = base(pod);
  const created = isoOrNow(pod.metadata.creationTimestamp);
  if (!runner) return { ...served, status: { phase: 'Pending', qosClass: 'BestEffort' } };
  const containers = runner.containers();
  const ready = containers.length > 0 && containers.every((c) => c.state === 'running');
  const condition = (type: string, status: boolean) => ({
    type,
    status: status ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: created ?? null,
  });
  return {
    ...served,
    status: {
      phase: runner.phase(),
      conditions: [
        condition('PodScheduled', true),
        condition('Initialized', true),
        condition('ContainersReady', ready),
        condition('Ready', ready),
      ],
      hostIP: '127.0.0.1',
      podIP: '127.0.0.1',
      podIPs: [{ ip: '127.0.0.1' }],
      startTime: created ?? null,
      containerStatuses: containers.map(containerStatus),
      qosClass: 'BestEffort',
    },
  };
}

/** A Deployment with the controller's status: what `kubectl rollout status` and `get deploy` read. */
export function servedDeployment(
  deployment: DeploymentObject,
  pods: PodRunner[],
  rollout: RolloutState,
): Served {
  const replicas = deployment.spec?.replicas ?? 1;
  const hash = templateHash(deployment);
  const current = pods.filter((p) => !p.failed);
  const updated = current.filter((p) => p.pod.metadata.labels?.['pod-template-hash'] === hash);
  const ready = current.filter(
    (p) => p.phase() === 'Running' && p.containers().every((c) => c.state === 'running'),
  );
  const since = isoOrNow(deployment.metadata.creationTimestamp) ?? null;
  const condition = (type: string, ok: boolean, reason: string, message: string) => ({
    type,
    status: ok ? 'True' : 'False',
    lastUpdateTime: since,
    lastTransitionTime: since,
    reason,
    message,
  });
  const name = deployment.metadata.name;
  const available = ready.length >= replicas;
  return {
    ...base(deployment),
    status: {
      observedGeneration: deployment.metadata.generation ?? 1,
      replicas: current.length,
      updatedReplicas: updated.length,
      readyReplicas: ready.length,
      availableReplicas: ready.length,
      ...(current.length - ready.length > 0 ? { unavailableReplicas: current.length - ready.length } : {}),
      conditions: [
        condition(
          'Available',
          available,
          available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          available
            ? 'Deployment has minimum availability.'
            : 'Deployment does not have minimum availability.',
        ),
        rollout.failures > 0
          ? condition('Progressing', false, rollout.reason ?? 'BackOff', rollout.message ?? '')
          : condition(
              'Progressing',
              true,
              updated.length >= replicas ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
              `ReplicaSet "${name}-${hash}" ${updated.length >= replicas ? 'has successfully progressed' : 'is progressing'}.`,
            ),
      ],
    },
  };
}

/** Objects without a status of their own (namespaces get theirs: Active). */
export function servedPlain(object: KubeObject): Served {
  const served = base(object);
  if (object.kind === 'Namespace') return { ...served, status: { phase: 'Active' } };
  if (object.kind === 'Service') return { ...withNodePorts(served), status: { loadBalancer: {} } };
  return served;
}

/**
 * The local cluster's one node is this machine (127.0.0.1), and every Service port listens on a host port
 * of it: for NodePort and LoadBalancer Services that host port is the node port, as a cluster without a
 * cloud load balancer (kind, minikube) shows it — reach the Service at 127.0.0.1:<nodePort>. No load
 * balancer address is made up: EXTERNAL-IP stays <pending>.
 */
function withNodePorts(service: Served): Served {
  const spec = service['spec'] as
    | { type?: string; ports?: Array<{ port: number; nodePort?: number }> }
    | undefined;
  if (!spec?.ports || (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer')) return service;
  const hostPorts = new Map(
    String((service.metadata['annotations'] as Record<string, string> | undefined)?.[HOST_PORTS] ?? '')
      .split(',')
      .map((pair) => pair.split(':').map(Number) as [number, number]),
  );
  const ports = spec.ports.map((port) => {
    const hostPort = hostPorts.get(port.port);
    return port.nodePort === undefined && hostPort ? { ...port, nodePort: hostPort } : port;
  });
  return { ...service, spec: { ...spec, ports } };
}
