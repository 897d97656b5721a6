/**
 * Well-known identifiers that clients hard-code: the Graph resource and its application roles.
 * Ids are Microsoft's, so scripts written for Entra (`--api-permissions df021288-…=Role`) work unchanged.
 * @module
 */
import type { AppRole } from './types.ts';

export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const GRAPH_RESOURCE_URI = 'https://graph.microsoft.com';
export const GRAPH_DISPLAY_NAME = 'Microsoft Graph';
export const DEFAULT_FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';
export const AKS_SERVER_APP_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';
/** Windows Azure Service Management API: the resource az signs in to (Azure Resource Manager). */
export const MANAGEMENT_APP_ID = '797f4846-ba00-4fd7-ba43-dac1f8f63013';
export const MANAGEMENT_DISPLAY_NAME = 'Windows Azure Service Management API';
/** Both identifiers Entra knows it by; az asks for the first (`…//.default`), ARM accepts either. */
export const MANAGEMENT_RESOURCE_URIS: readonly string[] = Object.freeze([
  'https://management.core.windows.net/',
  'https://management.azure.com/',
]);

const graphRole = (id: string, value: string, displayName: string, description: string): AppRole => ({
  id,
  value,
  displayName,
  description,
  allowedMemberTypes: ['Application'],
  isEnabled: true,
  origin: 'Application',
});

export const GRAPH_APP_ROLES: readonly AppRole[] = Object.freeze([
  graphRole(
    'df021288-bdef-4463-88db-98f22de89214',
    'User.Read.All',
    "Read all users' full profiles",
    'Allows the app to read user profiles without a signed in user.',
  ),
  graphRole(
    '498476ce-e0fe-48b0-b801-37ba7e2685c6',
    'Organization.Read.All',
    'Read organization information',
    'Allows the app to read the organization and related resources, without a signed-in user.',
  ),
  graphRole(
    '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9',
    'Application.ReadWrite.All',
    'Read and write all applications',
    'Allows the app to create, read, update and delete applications and service principals without a signed-in user.',
  ),
  graphRole(
    '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30',
    'Application.Read.All',
    'Read all applications',
    'Allows the app to read all applications and service principals without a signed-in user.',
  ),
  graphRole(
    '5b567255-7703-4780-807c-7be8301ae99b',
    'Group.Read.All',
    'Read all groups',
    'Allows the app to read group properties and memberships without a signed-in user.',
  ),
  graphRole(
    '62a82d76-70ea-41e2-9197-370581804d09',
    'Group.ReadWrite.All',
    'Read and write all groups',
    'Allows the app to create groups, read and update group memberships and delete groups without a signed-in user.',
  ),
  graphRole(
    '7ab1d382-f21e-4acd-a863-ba3e13f7da61',
    'Directory.Read.All',
    'Read directory data',
    "Allows the app to read data in your organization's directory without a signed-in user.",
  ),
  graphRole(
    '06b708a9-e830-4db3-a914-8e69da51d44f',
    'AppRoleAssignment.ReadWrite.All',
    'Manage app permission grants and app role assignments',
    'Allows the app to manage permission grants for application permissions to any API and app role assignments for any app, without a signed-in user.',
  ),
  graphRole(
    'b0afded3-3588-46d8-8b3d-9842eff778da',
    'AuditLog.Read.All',
    'Read all audit log data',
    'Allows the app to read and query your audit log activities, without a signed-in user.',
  ),
  // Graph-compatible API: PATCH /organization.
  graphRole(
    '292d869f-3427-49a8-9dab-8c70152b74e9',
    'Organization.ReadWrite.All',
    'Read and write organization information',
    'Allows the app to read and write the organization and related resources, without a signed-in user.',
  ),
  // credless's issuer policy (/v1.0/credless/issuerPolicy): Entra's roles for tenant-wide app policies.
  graphRole(
    '246dd0d5-5bd0-4def-940b-0421030a5b68',
    'Policy.Read.All',
    "Read your organization's policies",
    "Allows the app to read all your organization's policies without a signed in user.",
  ),
  graphRole(
    'be74164b-cff1-491c-8741-e671cb536e13',
    'Policy.ReadWrite.ApplicationConfiguration',
    "Read and write your organization's application configuration policies",
    "Allows the app to read and write your organization's application configuration policies, without a signed-in user.",
  ),
]);

/** The Azure portal's own API (main.iam.ad.ext.azure.com), which `az ad app permission admin-consent` calls. */
export const PORTAL_APP_ID = '74658136-14ec-4630-ad9b-26e160ff0fc6';
export const PORTAL_DISPLAY_NAME = 'ADIbizaUX';
