/**
 * @credless/platforms: the local platforms plugged into the server (LocalPlatforms) — emulated issuers
 * (local clusters, GitHub Actions), the local clusters' Kubernetes API — the local cluster runtime (pods
 * admitted through the webhook and run as local processes, projected tokens, Services on localhost, the
 * registries it pulls from), and the operations on them the CLI runs (clusters, role assignments, CI
 * job tokens).
 * @module
 */

export { AKS_SERVER_DISPLAY_NAME, ensureAksServerApplication } from './cluster-access/aks-server-app.ts';
export type { ClusterApiOptions, ClusterObjectSource } from './cluster-access/cluster-api.ts';
export { CLUSTER_API_VERSION, clusterApiUrl } from './cluster-access/cluster-api.ts';
export { ClusterApiListeners } from './cluster-access/cluster-api-listeners.ts';
export type {
  AssignRoleInput,
  RoleAssignmentQuery,
  RoleAssignmentView,
} from './cluster-access/role-assignments.ts';
export {
  assignRole,
  decideClusterAccess,
  deleteRoleAssignments,
  listRoleAssignmentViews,
  roleAssignmentView,
} from './cluster-access/role-assignments.ts';
export type { KubeconfigEntry } from './local-issuers/cluster-kubeconfig.ts';
export { kubeconfigEntry, kubeconfigText } from './local-issuers/cluster-kubeconfig.ts';
export type { ClusterView, CreateLocalClusterInput } from './local-issuers/clusters.ts';
export {
  clusterResourceId,
  clusterView,
  createLocalCluster,
  findClusterById,
  parseClusterResourceId,
} from './local-issuers/clusters.ts';
export type { GitHubActionsJobOptions } from './local-issuers/github-actions-job.ts';
export {
  gitHubActionsJob,
  gitHubActionsJobVariables,
  mintActionsRequestToken,
  REQUEST_TOKEN_MAX_SECONDS,
  verifyActionsRequestToken,
} from './local-issuers/github-actions-job.ts';
export { kubernetesKeyId } from './local-issuers/issuer-signing-key.ts';
export type {
  IssuedServiceAccountToken,
  LocalIssuersOptions,
  ServiceAccountTokenRequest,
} from './local-issuers/local-issuers.ts';
export { issueServiceAccountToken, LocalIssuers } from './local-issuers/local-issuers.ts';
export { LocalPlatforms } from './local-platforms.ts';
export { localArmProviders } from './resource-manager/local-arm-providers.ts';
export type {
  ApplyResult,
  ClusterRuntimeOptions,
  CredlessAccess,
  ObjectRef,
} from './runtime/cluster-runtime.ts';
export { ClusterRuntime } from './runtime/cluster-runtime.ts';
export { callRuntime, runtimeSocketPath } from './runtime/control/control-client.ts';
export type { ControlRequest } from './runtime/control/control-server.ts';
export type { ClusterSelector } from './runtime/host.ts';
export { LocalClusters } from './runtime/host.ts';
export { IMAGE_MANIFEST } from './runtime/images/image-command.ts';
export {
  attachRegistry,
  detachRegistry,
  KUBELET_SUBJECT,
  kubeletIdentifierUri,
} from './runtime/images/kubelet-identity.ts';
export type { BuildImageOptions, RegistryContext } from './runtime/images/registry.ts';
export {
  ACR_PULL_ROLE_ID,
  buildImage,
  createRegistry,
  findRegistry,
  parseImage,
  registryView,
} from './runtime/images/registry.ts';
export type { LoadOptions } from './runtime/manifests/load.ts';
export { loadManifests, substitutePlaceholders } from './runtime/manifests/load.ts';
export type { Kind, KubeObject } from './runtime/manifests/objects.ts';
export { parseKind, SUPPORTED_KINDS } from './runtime/manifests/objects.ts';
export { HOST_PORTS } from './runtime/services/service-ports.ts';
export type { RunningLocalRuntime, StartLocalRuntimeOptions } from './runtime/start.ts';
export { startLocalRuntime } from './runtime/start.ts';
