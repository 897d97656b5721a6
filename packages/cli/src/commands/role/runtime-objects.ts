/**
 * The local runtime's pods and services as kube objects, for the clusters' Kubernetes API
 * (`kubectl get pods|services` through the AKS-like endpoint). Pods are the admitted (webhook-mutated)
 * objects with their current phase; services carry their ports.
 * @module
 */

import type { ClusterObjectSource, LocalClusters } from '@credless/platforms';

export function runtimeObjectSource(clusters: Pick<LocalClusters, 'runtime'>): ClusterObjectSource {
  return async (cluster, resource, namespace) => {
    const runtime = await clusters.runtime({
      name: cluster.name,
      resourceGroup: cluster.resourceGroup,
      tenant: cluster.tenantId,
    });
    if (resource === 'services') {
      return runtime.services(namespace).map((service) => ({
        metadata: { name: service.name, namespace: service.namespace },
        spec: {
          type: service.type,
          selector: service.selector,
          ports: service.ports.map((port) => ({
            ...(port.name ? { name: port.name } : {}),
            port: port.port,
            protocol: 'TCP',
          })),
        },
      }));
    }
    return runtime.pods(namespace).map((view) => {
      const pod = runtime.pod(view.namespace as string, view.name as string)?.pod;
      return {
        ...(pod ?? { metadata: { name: view.name, namespace: view.namespace } }),
        status: {
          phase: view.phase,
          containerStatuses: view.containers.map((container) => ({
            name: container.name,
            image: container.image,
            ready: container.state === 'running',
            restartCount: container.restartCount,
          })),
        },
      } as Record<string, unknown>;
    });
  };
}
