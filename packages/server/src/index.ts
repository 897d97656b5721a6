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
export type {
  ArmProviderPlatform,
  ArmRegistryRecord,
  KubeletIdentity,
  ManagedClusterInput,
  ManagedClusterPlatform,
  RegistryPlatform,
} from './arm/arm-providers-catalogue.ts';
export { UNPLACED_REGISTRY_GROUP } from './arm/arm-providers-catalogue.ts';
export { localSubscriptionId } from './arm/arm-resources.ts';
export type { AddressConfig, ConfigOverrides, ServerConfig, StorageConfig } from './config.ts';
export {
  ConfigError,
  loadAddressConfig,
  loadConfig,
  loadInProcessConfig,
  loadStorageConfig,
  resolveDataDir,
} from './config.ts';
export type { SignInLink } from './console/console-service.ts';
export type { BuiltInResourceStore } from './directory/built-in-resources.ts';
export { ensureBuiltInApplication } from './directory/built-in-resources.ts';
export { ensureDefaultTenant } from './directory/default-tenant.ts';
export type { DryRunOptions, DryRunReport, SignatureReport } from './explain/dry-run.ts';
export { dryRunExplain } from './explain/dry-run.ts';
export { bearerToken, verifyGraphToken } from './graph/graph-token.ts';
export type {
  InProcessAnswer,
  InProcessApi,
  InProcessApiOptions,
  InProcessArmHost,
  InProcessConnection,
} from './in-process/in-process-api.ts';
export { connectInProcess, openInProcessApi } from './in-process/in-process-api.ts';
export type { EmulatedIssuerFactory, EmulatedIssuerHost } from './in-process/in-process-explain.ts';
export { IssuerKeyCache } from './issuers/issuer-key-cache.ts';
export type { EmulatedIssuerKeys } from './issuers/issuer-key-chain.ts';
export { createIssuerKeyChain } from './issuers/issuer-key-chain.ts';
export { createIssuerAgent } from './issuers/issuer-network-guard.ts';
export { decryptPrivateJwk, encryptPrivateJwk, loadKeyEncryptionKey } from './keys/key-encryption-key.ts';
export { SIGNING_ALGORITHM } from './keys/signing-key-certificate.ts';
export type { JwksKey } from './keys/signing-key-manager.ts';
export type { RunningCredless, StartOptions } from './main.ts';
export { startCredless } from './main.ts';
export type { Closer } from './start/closers.ts';
export type { PluginHost, PluginParts, ServerPlugin } from './start/server-plugin.ts';
export type { ProcessRole } from './start/workers.ts';
export { workerCount } from './start/workers.ts';
export { primaryRole } from './start/workers-primary.ts';
export { reportWorkerReady, servingOnly, workerRole } from './start/workers-worker.ts';
export type { BackupErrorReason, BackupSummary, RestoreSummary } from './store/backup.ts';
export { BackupError, backupEmbeddedStore, backupKekPath, restoreEmbeddedStore } from './store/backup.ts';
export { AKS_SERVER_APPLICATION, AKS_SERVER_DISPLAY_NAME } from './store/built-in-applications.ts';
export type {
  ClusterRecord,
  DirectoryStore,
  EmulatedIssuerKey,
  RoleAssignmentRecord,
  RolePrincipalType,
} from './store/directory-store.ts';
export { openDirectoryStore } from './store/kysely-directory-store.ts';
