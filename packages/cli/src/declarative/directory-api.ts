/**
 * What plan/apply need from a directory, in Microsoft Graph v1.0 shapes: a narrow port implemented
 * over Graph REST (graph-directory.ts), whichever transport carries the requests.
 * @module
 */
import type { AppRole, RequiredResourceAccess } from '@credless/core';
import { ADMIN_APP_NAME } from '@credless/server';
import { localPlatformAppIds } from './local-platform.ts';

export interface GraphApplication {
  id: string;
  appId: string;
  displayName: string;
  identifierUris: string[];
  appRoles: AppRole[];
  requiredResourceAccess: RequiredResourceAccess[];
  api: { requestedAccessTokenVersion: 1 | 2 | null };
}

/** The writable application properties plan/apply manage (POST and PATCH bodies). */
export type ApplicationBody = Omit<GraphApplication, 'id' | 'appId'>;

export interface GraphFederatedCredential {
  id: string;
  name: string;
  issuer: string;
  subject: string | null;
  claimsMatchingExpression: { value: string; languageVersion: 1 } | null;
  audiences: string[];
  description: string | null;
}

export type FederatedCredentialBody = Omit<GraphFederatedCredential, 'id'>;

export interface GraphServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  appRoles: AppRole[];
}

export interface GraphAppRoleAssignment {
  id: string;
  principalId: string;
  resourceId: string;
  appRoleId: string;
}

export interface GraphGroup {
  id: string;
  displayName: string;
  mailNickname: string;
  description: string | null;
}

export type GroupBody = Omit<GraphGroup, 'id'>;

export interface DirectoryApi {
  /** Where changes go, for messages (a data directory or a Graph URL). */
  readonly target: string;
  /**
   * Applications plan/apply must never delete: the identity doing the apply (the local administrator
   * and credless's local platforms' identities are added to these by readDirectoryState).
   */
  protectedAppIds(): Promise<string[]>;

  listApplications(): Promise<GraphApplication[]>;
  createApplication(body: ApplicationBody): Promise<GraphApplication>;
  patchApplication(id: string, patch: Partial<ApplicationBody>): Promise<void>;
  deleteApplication(id: string): Promise<void>;

  listFederatedCredentials(applicationId: string): Promise<GraphFederatedCredential[]>;
  createFederatedCredential(applicationId: string, body: FederatedCredentialBody): Promise<void>;
  patchFederatedCredential(
    applicationId: string,
    name: string,
    patch: Partial<Omit<FederatedCredentialBody, 'name'>>,
  ): Promise<void>;
  deleteFederatedCredential(applicationId: string, name: string): Promise<void>;

  /** Includes built-in resources (Microsoft Graph), whose appRoles resolve permission names. */
  listServicePrincipals(): Promise<GraphServicePrincipal[]>;
  createServicePrincipal(appId: string): Promise<GraphServicePrincipal>;
  deleteServicePrincipal(id: string): Promise<void>;
  /** Roles the principal holds (GET /servicePrincipals/{id}/appRoleAssignments). */
  listAppRoleAssignments(principalId: string): Promise<GraphAppRoleAssignment[]>;
  /** Admin consent: POST /servicePrincipals/{resourceId}/appRoleAssignedTo. */
  createAppRoleAssignment(assignment: Omit<GraphAppRoleAssignment, 'id'>): Promise<void>;
  deleteAppRoleAssignment(principalId: string, assignmentId: string): Promise<void>;

  listGroups(): Promise<GraphGroup[]>;
  createGroup(body: GroupBody): Promise<GraphGroup>;
  /** PATCH /groups/{id}: mailNickname and description change in place (displayName is the file's key). */
  patchGroup(id: string, patch: Partial<GroupBody>): Promise<void>;
  deleteGroup(id: string): Promise<void>;
  /** Member object ids. */
  listGroupMembers(groupId: string): Promise<string[]>;
  addGroupMember(groupId: string, memberId: string): Promise<void>;
  removeGroupMember(groupId: string, memberId: string): Promise<void>;
}

/** The directory as plan/apply see it: plain data, so the planner stays pure. */
export interface DirectoryState {
  applications: Array<GraphApplication & { federatedIdentityCredentials: GraphFederatedCredential[] }>;
  servicePrincipals: Array<GraphServicePrincipal & { appRoleAssignments: GraphAppRoleAssignment[] }>;
  groups: Array<GraphGroup & { members: string[] }>;
  protectedAppIds: string[];
  /** The protected applications credless's local platforms created (a subset, named in the plan). */
  localPlatformAppIds?: string[];
}

export async function readDirectoryState(api: DirectoryApi): Promise<DirectoryState> {
  const [listed, servicePrincipals, groups, protectedAppIds] = await Promise.all([
    api.listApplications(),
    api.listServicePrincipals(),
    api.listGroups(),
    api.protectedAppIds(),
  ]);
  const applications = await Promise.all(
    listed.map(async (app) => ({
      ...app,
      federatedIdentityCredentials: await api.listFederatedCredentials(app.id),
    })),
  );
  const platformAppIds = localPlatformAppIds(applications);
  return {
    applications,
    servicePrincipals: await Promise.all(
      servicePrincipals.map(async (sp) => ({
        ...sp,
        appRoleAssignments: await api.listAppRoleAssignments(sp.id),
      })),
    ),
    groups: await Promise.all(
      groups.map(async (group) => ({ ...group, members: await api.listGroupMembers(group.id) })),
    ),
    // credless's bootstrap administrator and its local platforms' identities are never pruned,
    // whoever applies.
    protectedAppIds: [
      ...protectedAppIds,
      ...applications.filter((app) => app.displayName === ADMIN_APP_NAME).map((app) => app.appId),
      ...platformAppIds,
    ],
    localPlatformAppIds: platformAppIds,
  };
}
