/**
 * @credless/runtime: the local cluster runtime (pods admitted through the webhook and run as local
 * processes, projected tokens, Services on localhost) and the registries it pulls from.
 * @module
 */
export type { ApplyResult, ClusterRuntimeOptions, CredlessAccess, ObjectRef } from './cluster-runtime.ts';
export { ClusterRuntime, HOST_PORTS } from './cluster-runtime.ts';
export { callRuntime, runtimeSocketPath } from './control/control-client.ts';
export type { ControlRequest } from './control/control-server.ts';
export type { ClusterSelector } from './host.ts';
export { LocalClusters } from './host.ts';
export { IMAGE_MANIFEST } from './images/image-command.ts';
export {
  attachRegistry,
  detachRegistry,
  KUBELET_SUBJECT,
  kubeletIdentifierUri,
} from './images/kubelet-identity.ts';
export type { BuildImageOptions, RegistryContext } from './images/registry.ts';
export {
  ACR_PULL_ROLE_ID,
  buildImage,
  createRegistry,
  findRegistry,
  parseImage,
  registryView,
} from './images/registry.ts';
export type { LoadOptions } from './manifests/load.ts';
export { loadManifests, substitutePlaceholders } from './manifests/load.ts';
export type { Kind, KubeObject } from './manifests/objects.ts';
export { parseKind, SUPPORTED_KINDS } from './manifests/objects.ts';
export type { RunningLocalRuntime, StartLocalRuntimeOptions } from './start.ts';
export { startLocalRuntime } from './start.ts';
