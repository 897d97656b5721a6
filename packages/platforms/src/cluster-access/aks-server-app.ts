/**
 * The built-in "Azure Kubernetes Service AAD Server" application (appId 6dae42f8-…), the resource of
 * every local cluster's Kubernetes API, as Entra has it in every tenant. Created on demand (cluster
 * credentials, role assignments) rather than with every tenant, so existing tenants get it too.
 * @module
 */
import {
  AKS_SERVER_APPLICATION,
  type BuiltInResourceStore,
  ensureBuiltInApplication,
} from '@credless/server';

export { AKS_SERVER_DISPLAY_NAME } from '@credless/server';

/** Makes sure the tenant has the AKS server application and its service principal (idempotent, race-safe). */
export function ensureAksServerApplication(store: BuiltInResourceStore, tenantId: string): Promise<void> {
  return ensureBuiltInApplication(store, tenantId, AKS_SERVER_APPLICATION);
}
