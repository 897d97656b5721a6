/**
 * @credless/server: the token service (HTTP app, store, keys, TLS) and its start-up.
 * @module
 */

export type { AdminIdentity, AdminIdentityFile } from './admin/admin-identity.ts';
export {
  ADMIN_APP_NAME,
  ADMIN_ROLES,
  adminPaths,
  createAdminAssertion,
  ensureAdminIdentity,
  grantGraphRoles,
  readAdminIdentity,
  rotateAdminKey,
} from './admin/admin-identity.ts';
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
export type { AddressConfig, ConfigOverrides, ServerConfig, StorageConfig } from './config.ts';
export {
  ConfigError,
  loadAddressConfig,
  loadConfig,
  loadInProcessConfig,
  loadStorageConfig,
  resolveDataDir,
} from './config.ts';
export { ensureDefaultTenant } from './directory/default-tenant.ts';
export type { DryRunOptions, DryRunReport, SignatureReport } from './explain/dry-run.ts';
export { dryRunExplain } from './explain/dry-run.ts';
export type {
  InProcessAnswer,
  InProcessApi,
  InProcessConnection,
} from './in-process/in-process-api.ts';
export { connectInProcess, openInProcessApi } from './in-process/in-process-api.ts';
export { IssuerKeyCache } from './issuers/issuer-key-cache.ts';
export { createIssuerKeyChain } from './issuers/issuer-key-chain.ts';
export { createIssuerAgent } from './issuers/issuer-network-guard.ts';
export { loadKeyEncryptionKey } from './keys/key-encryption-key.ts';
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
export type { RunningCredless, StartOptions } from './main.ts';
export { startCredless } from './main.ts';
export type { BackupErrorReason, BackupSummary, RestoreSummary } from './store/backup.ts';
export { BackupError, backupEmbeddedStore, backupKekPath, restoreEmbeddedStore } from './store/backup.ts';
export type { ClusterRecord, DirectoryStore } from './store/directory-store.ts';
export { openDirectoryStore } from './store/kysely-directory-store.ts';
