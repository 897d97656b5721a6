/**
 * The built-in "Azure Kubernetes Service AAD Server" application (appId 6dae42f8-…), the resource of
 * every local cluster's Kubernetes API, as Entra has it in every tenant. Created on demand (cluster
 * credentials, role assignments) rather than with every tenant, so existing tenants get it too.
 * @module
 */
import { AKS_SERVER_APP_ID, CredlessError } from '@credless/core';
import type { DirectoryStore } from '../store/directory-store.ts';

export const AKS_SERVER_DISPLAY_NAME = 'Azure Kubernetes Service AAD Server';

type AksServerStore = Pick<
  DirectoryStore,
  'getApplicationByAppId' | 'createApplication' | 'getServicePrincipalByAppId' | 'createServicePrincipal'
>;

const isDuplicate = (error: unknown) => error instanceof CredlessError && error.code === 'duplicate_value';

/** Makes sure the tenant has the AKS server application and its service principal (idempotent, race-safe). */
export async function ensureAksServerApplication(store: AksServerStore, tenantId: string): Promise<void> {
  if (!(await store.getApplicationByAppId(tenantId, AKS_SERVER_APP_ID))) {
    try {
      await store.createApplication(tenantId, {
        appId: AKS_SERVER_APP_ID,
        displayName: AKS_SERVER_DISPLAY_NAME,
        // v1 tokens, as Entra issues for AKS: aud is the app id (the requested resource).
        accessTokenAcceptedVersion: 1,
        builtIn: true,
      });
    } catch (error) {
      if (!isDuplicate(error)) throw error;
    }
  }
  if (!(await store.getServicePrincipalByAppId(tenantId, AKS_SERVER_APP_ID))) {
    try {
      await store.createServicePrincipal(tenantId, { appId: AKS_SERVER_APP_ID });
    } catch (error) {
      if (!isDuplicate(error)) throw error;
    }
  }
}
