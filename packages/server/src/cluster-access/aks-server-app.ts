/**
 * The built-in "Azure Kubernetes Service AAD Server" application (appId 6dae42f8-…), the resource of
 * every local cluster's Kubernetes API, as Entra has it in every tenant. Created on demand (cluster
 * credentials, role assignments) rather than with every tenant, so existing tenants get it too.
 * @module
 */
import { type BuiltInResourceStore, ensureBuiltInApplication } from '../directory/built-in-resources.ts';
import { AKS_SERVER_APPLICATION } from '../store/built-in-applications.ts';

export { AKS_SERVER_DISPLAY_NAME } from '../store/built-in-applications.ts';

/** Makes sure the tenant has the AKS server application and its service principal (idempotent, race-safe). */
export function ensureAksServerApplication(store: BuiltInResourceStore, tenantId: string): Promise<void> {
  return ensureBuiltInApplication(store, tenantId, AKS_SERVER_APPLICATION);
}
