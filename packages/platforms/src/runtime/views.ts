/**
 * What `cluster get pods|deployments|services` shows: kubectl's columns (NAME, READY, STATUS, RESTARTS,
 * AGE; NAME, READY, UP-TO-DATE, AVAILABLE, AGE; NAME, TYPE, PORTS) plus where things are on this
 * machine (host ports, service URLs) and why a Deployment is waiting.
 * @module
 */
import type { RolloutState } from './deployment-controller.ts';
import { templateHash } from './deployments.ts';
import type { DeploymentObject, ServiceObject } from './manifests/objects.ts';
import type { PodRunner } from './pods/pod-runner.ts';
import type { ProxyPort } from './services/service-proxy.ts';

export function podView(runner: PodRunner) {
  const containers = runner.containers();
  const created = runner.pod.metadata.creationTimestamp;
  return {
    name: runner.pod.metadata.name,
    namespace: runner.pod.metadata.namespace,
    ready: `${containers.filter((c) => c.state === 'running').length}/${containers.length}`,
    status: runner.statusText(),
    phase: runner.phase(),
    restarts: containers.reduce((n, c) => n + c.restartCount, 0),
    createdAt: created ? new Date(created as unknown as string).toISOString() : undefined,
    serviceAccountName: runner.pod.spec?.serviceAccountName,
    containers: containers.map((c) => ({
      name: c.name,
      image: c.image,
      state: c.state,
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.message ? { message: c.message } : {}),
      ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
      ...(c.pid !== undefined ? { pid: c.pid } : {}),
      restartCount: c.restartCount,
      ports: c.ports,
    })),
  };
}

export function serviceView(service: ServiceObject, proxies: readonly ProxyPort[]) {
  return {
    name: service.metadata.name,
    namespace: service.metadata.namespace,
    type: service.spec?.type ?? 'ClusterIP',
    selector: service.spec?.selector ?? {},
    ports: proxies.map((p) => ({
      ...(p.name ? { name: p.name } : {}),
      port: p.port,
      hostPort: p.hostPort,
      url: `http://127.0.0.1:${p.hostPort}`,
    })),
    url: proxies[0] ? `http://127.0.0.1:${proxies[0].hostPort}` : undefined,
  };
}

export function deploymentView(deployment: DeploymentObject, pods: PodRunner[], rollout: RolloutState) {
  const replicas = deployment.spec?.replicas ?? 1;
  const hash = templateHash(deployment);
  const running = pods.filter((p) => p.phase() === 'Running');
  const ready = running.filter((p) => p.containers().every((c) => c.state === 'running')).length;
  const created = deployment.metadata.creationTimestamp;
  return {
    name: deployment.metadata.name,
    namespace: deployment.metadata.namespace,
    ready: `${ready}/${replicas}`,
    upToDate: pods.filter((p) => p.pod.metadata.labels?.['pod-template-hash'] === hash && !p.failed).length,
    available: ready,
    // BackOff: pods keep failing and the next replacement waits (reason and message say why).
    status: rollout.failures > 0 ? 'BackOff' : ready >= replicas ? 'Available' : 'Progressing',
    replacements: rollout.replacements,
    failures: rollout.failures,
    ...(rollout.reason ? { reason: rollout.reason } : {}),
    ...(rollout.message ? { message: rollout.message } : {}),
    ...(rollout.backoffMs !== undefined ? { backoffMs: rollout.backoffMs } : {}),
    createdAt: created ? new Date(created as unknown as string).toISOString() : undefined,
  };
}
