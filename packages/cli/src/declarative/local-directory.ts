/**
 * DirectoryApi over the local store (the data directory or CREDLESS_DATABASE_URL), for
 * `credless plan|apply` without a running server. Objects are mapped to the Graph shapes the
 * Graph-compatible API serves, so the planner sees the same data either way.
 * @module
 */
import type { Application, FederatedIdentityCredential, ServicePrincipal } from '@credless/core';
import { type DirectoryStore, readAdminIdentity } from '@credless/server';
import type {
  DirectoryApi,
  GraphApplication,
  GraphFederatedCredential,
  GraphServicePrincipal,
} from './directory-api.ts';

const toApplication = (app: Application): GraphApplication => ({
  id: app.id,
  appId: app.appId,
  displayName: app.displayName,
  identifierUris: app.identifierUris,
  appRoles: app.appRoles,
  requiredResourceAccess: app.requiredResourceAccess,
  api: { requestedAccessTokenVersion: app.accessTokenAcceptedVersion },
});

const toCredential = (fic: FederatedIdentityCredential): GraphFederatedCredential => ({
  id: fic.id,
  name: fic.name,
  issuer: fic.issuer,
  subject: fic.subject,
  claimsMatchingExpression: fic.claimsMatchingExpression,
  audiences: fic.audiences,
  description: fic.description,
});

export interface LocalDirectoryOptions {
  store: DirectoryStore;
  tenantId: string;
  /** The data directory, to protect the local administrator's application from --prune. */
  dataDir?: string;
}

export function localDirectory(options: LocalDirectoryOptions): DirectoryApi {
  const { store, tenantId } = options;
  // A principal's appRoles are its application's (built-in ones included: Microsoft Graph's).
  const servicePrincipal = async (sp: ServicePrincipal): Promise<GraphServicePrincipal> => {
    const app = await store.getApplication(tenantId, sp.applicationId);
    return { id: sp.id, appId: sp.appId, displayName: sp.displayName, appRoles: app?.appRoles ?? [] };
  };

  return {
    target: options.dataDir ? `the data directory ${options.dataDir}` : 'the local store',

    async protectedAppIds() {
      const admin = options.dataDir ? await readAdminIdentity(options.dataDir) : undefined;
      return admin ? [admin.clientId] : [];
    },

    async listApplications() {
      return (await store.listApplications(tenantId)).map(toApplication);
    },
    async createApplication(body) {
      return toApplication(
        await store.createApplication(tenantId, {
          displayName: body.displayName,
          identifierUris: body.identifierUris,
          appRoles: body.appRoles,
          requiredResourceAccess: body.requiredResourceAccess,
          accessTokenAcceptedVersion: body.api.requestedAccessTokenVersion,
        }),
      );
    },
    async patchApplication(id, patch) {
      await store.updateApplication(tenantId, id, {
        ...(patch.displayName !== undefined ? { displayName: patch.displayName } : {}),
        ...(patch.identifierUris !== undefined ? { identifierUris: patch.identifierUris } : {}),
        ...(patch.appRoles !== undefined ? { appRoles: patch.appRoles } : {}),
        ...(patch.requiredResourceAccess !== undefined
          ? { requiredResourceAccess: patch.requiredResourceAccess }
          : {}),
        ...(patch.api !== undefined
          ? { accessTokenAcceptedVersion: patch.api.requestedAccessTokenVersion }
          : {}),
      });
    },
    async deleteApplication(id) {
      await store.deleteApplication(tenantId, id);
    },

    async listFederatedCredentials(applicationId) {
      return (await store.listFederatedIdentityCredentials(tenantId, applicationId)).map(toCredential);
    },
    async createFederatedCredential(applicationId, body) {
      await store.createFederatedIdentityCredential(tenantId, applicationId, body);
    },
    async patchFederatedCredential(applicationId, name, patch) {
      await store.updateFederatedIdentityCredential(tenantId, applicationId, name, patch);
    },
    async deleteFederatedCredential(applicationId, name) {
      await store.deleteFederatedIdentityCredential(tenantId, applicationId, name);
    },

    async listServicePrincipals() {
      return Promise.all((await store.listServicePrincipals(tenantId)).map(servicePrincipal));
    },
    async createServicePrincipal(appId) {
      return servicePrincipal(await store.createServicePrincipal(tenantId, { appId }));
    },
    async deleteServicePrincipal(id) {
      await store.deleteServicePrincipal(tenantId, id);
    },
    async listAppRoleAssignments(principalId) {
      return (await store.listAppRoleAssignmentsByPrincipal(tenantId, principalId)).map((a) => ({
        id: a.id,
        principalId: a.principalId,
        resourceId: a.resourceId,
        appRoleId: a.appRoleId,
      }));
    },
    async createAppRoleAssignment(assignment) {
      await store.createAppRoleAssignment(tenantId, assignment);
    },
    async deleteAppRoleAssignment(_principalId, assignmentId) {
      await store.deleteAppRoleAssignment(tenantId, assignmentId);
    },

    async listGroups() {
      return (await store.listGroups(tenantId)).map((group) => ({
        id: group.id,
        displayName: group.displayName,
        mailNickname: group.mailNickname,
        description: group.description,
      }));
    },
    async createGroup(body) {
      const group = await store.createGroup(tenantId, {
        displayName: body.displayName,
        mailNickname: body.mailNickname,
        description: body.description,
        securityEnabled: true,
        mailEnabled: false,
      });
      return {
        id: group.id,
        displayName: group.displayName,
        mailNickname: group.mailNickname,
        description: group.description,
      };
    },
    async patchGroup(id, patch) {
      await store.updateGroup(tenantId, id, patch);
    },
    async deleteGroup(id) {
      await store.deleteGroup(tenantId, id);
    },
    async listGroupMembers(groupId) {
      return (await store.listGroupMembers(tenantId, groupId)).map((member) => member.id);
    },
    async addGroupMember(groupId, memberId) {
      await store.createGroupMember(tenantId, groupId, memberId);
    },
    async removeGroupMember(groupId, memberId) {
      await store.deleteGroupMember(tenantId, groupId, memberId);
    },
  };
}
