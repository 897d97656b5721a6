/**
 * The Microsoft resource applications Entra has in every tenant, as credless pre-registers them. Graph
 * and the Service Management API are created with each tenant (and added to older tenants at start);
 * the AKS server application is added on demand by the cluster API.
 * @module
 */
import {
  AKS_SERVER_APP_ID,
  GRAPH_APP_ID,
  GRAPH_APP_ROLES,
  GRAPH_DISPLAY_NAME,
  GRAPH_RESOURCE_URI,
  MANAGEMENT_APP_ID,
  MANAGEMENT_DISPLAY_NAME,
  MANAGEMENT_RESOURCE_URIS,
  PORTAL_APP_ID,
  PORTAL_DISPLAY_NAME,
} from '@credless/core';
import type { CreateApplicationInput } from './applications.ts';

export type BuiltInApplication = CreateApplicationInput & { appId: string; builtIn: true };

// Every built-in resource gets v1 tokens, as Entra issues for them: aud is the requested resource.
export const GRAPH_APPLICATION: BuiltInApplication = {
  appId: GRAPH_APP_ID,
  displayName: GRAPH_DISPLAY_NAME,
  identifierUris: [GRAPH_RESOURCE_URI],
  appRoles: [...GRAPH_APP_ROLES],
  accessTokenAcceptedVersion: 1,
  builtIn: true,
};

/** No app roles: ARM authorizes with its own role assignments, so its tokens carry none. */
export const MANAGEMENT_APPLICATION: BuiltInApplication = {
  appId: MANAGEMENT_APP_ID,
  displayName: MANAGEMENT_DISPLAY_NAME,
  identifierUris: [...MANAGEMENT_RESOURCE_URIS],
  accessTokenAcceptedVersion: 1,
  builtIn: true,
};

export const AKS_SERVER_DISPLAY_NAME = 'Azure Kubernetes Service AAD Server';
export const AKS_SERVER_APPLICATION: BuiltInApplication = {
  appId: AKS_SERVER_APP_ID,
  displayName: AKS_SERVER_DISPLAY_NAME,
  accessTokenAcceptedVersion: 1,
  builtIn: true,
};

/** The portal's API: az gets a token for it (by appId) to call its admin-consent route. No roles. */
export const PORTAL_APPLICATION: BuiltInApplication = {
  appId: PORTAL_APP_ID,
  displayName: PORTAL_DISPLAY_NAME,
  accessTokenAcceptedVersion: 1,
  builtIn: true,
};

/** Created with every tenant, each with its service principal. */
export const TENANT_RESOURCE_APPLICATIONS: readonly BuiltInApplication[] = [
  GRAPH_APPLICATION,
  MANAGEMENT_APPLICATION,
  PORTAL_APPLICATION,
];
