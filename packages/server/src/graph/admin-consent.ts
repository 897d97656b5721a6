/**
 * Admin consent as the Azure portal's API serves it to az (`az ad app permission admin-consent`):
 * `POST /api/RegisteredApplications/{appId}/Consent?onBehalfOfAll=true` with a token for the portal's
 * resource (PORTAL_APP_ID). It grants the application permissions the app requests — one app role
 * assignment per requested role, as `credless ad app permission admin-consent` does — and needs the
 * same authorization: the caller must hold AppRoleAssignment.ReadWrite.All on Microsoft Graph (checked
 * on its assignments, since portal tokens carry no Graph roles). Served on the main listener; the host
 * name main.iam.ad.ext.azure.com is mapped to it by the Host-based routing.
 * @module
 */
import {
  type Application,
  type AppRoleAssignment,
  CredlessError,
  GRAPH_APP_ID,
  PORTAL_APP_ID,
} from '@credless/core';
import type { FastifyInstance } from 'fastify';
import type { DirectoryStore } from '../store/directory-store.ts';
import { sendGraphError } from './graph-errors.ts';
import { GRAPH_ROLES } from './graph-handler.ts';
import { authenticateGraphRequest, type GraphCaller, type GraphTokenOptions } from './graph-token.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Grants every application permission (`Role`) the app requests, on each requested resource;
 * idempotent (existing assignments are returned as they are).
 */
export async function grantRequestedAppRoles(
  store: DirectoryStore,
  tenantId: string,
  client: Application,
): Promise<AppRoleAssignment[]> {
  const principal = await store.getServicePrincipalByAppId(tenantId, client.appId);
  if (!principal) throw new CredlessError('not_found', { id: `service principal for ${client.appId}` });
  const granted: AppRoleAssignment[] = [];
  for (const entry of client.requiredResourceAccess) {
    const resource = await store.getServicePrincipalByAppId(tenantId, entry.resourceAppId);
    if (!resource)
      throw new CredlessError('not_found', { id: `service principal for ${entry.resourceAppId}` });
    for (const access of entry.resourceAccess.filter((item) => item.type === 'Role')) {
      granted.push(
        await store.createAppRoleAssignment(tenantId, {
          principalId: principal.id,
          resourceId: resource.id,
          appRoleId: access.id,
        }),
      );
    }
  }
  return granted;
}

/** Whether the caller's service principal holds one of `roles` on Microsoft Graph. */
async function holdsGraphRole(store: DirectoryStore, caller: GraphCaller, roles: readonly string[]) {
  if (caller.principalId === undefined) return false;
  const tenantId = caller.tenant.id;
  const graph = await store.getServicePrincipalByAppId(tenantId, GRAPH_APP_ID);
  const graphApp = graph && (await store.getApplication(tenantId, graph.applicationId));
  if (!graph || !graphApp) return false;
  const roleIds = new Set(
    graphApp.appRoles.filter((role) => roles.includes(role.value)).map((role) => role.id),
  );
  const held = await store.listAppRoleAssignmentsByPrincipal(tenantId, caller.principalId);
  return held.some((assignment) => assignment.resourceId === graph.id && roleIds.has(assignment.appRoleId));
}

export interface PortalConsentOptions extends GraphTokenOptions {
  store: DirectoryStore;
}

export async function portalConsentRoutes(
  app: FastifyInstance,
  options: PortalConsentOptions,
): Promise<void> {
  const now = () => new Date(options.now());
  // v1 portal tokens carry the resource as requested: the appId.
  const tokenOptions: GraphTokenOptions = { ...options, audiences: [PORTAL_APP_ID] };

  // The portal reads no body here (az sends none, or `{}`): accept any, small.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) =>
    done(null, body),
  );

  app.post('/api/RegisteredApplications/:appId/Consent', async (request, reply) => {
    try {
      const caller = await authenticateGraphRequest(request, tokenOptions);
      if (!caller) throw new CredlessError('graph_token_invalid');
      const { appId } = request.params as { appId: string };
      if (!GUID.test(appId)) {
        throw new CredlessError('invalid_value', {
          field: 'appId',
          reason: `'${appId}' is not an application id`,
        });
      }
      const { onBehalfOfAll } = request.query as { onBehalfOfAll?: unknown };
      if (onBehalfOfAll !== 'true') {
        throw new CredlessError('invalid_value', {
          field: 'onBehalfOfAll',
          reason: 'must be true: only admin consent for the whole tenant is served',
        });
      }
      if (!(await holdsGraphRole(options.store, caller, GRAPH_ROLES.assignmentWrite))) {
        throw new CredlessError('graph_role_missing', { roles: GRAPH_ROLES.assignmentWrite.join(', ') });
      }
      const client = await options.store.getApplicationByAppId(caller.tenant.id, appId.toLowerCase());
      if (!client || client.builtIn) throw new CredlessError('not_found', { id: appId });
      await grantRequestedAppRoles(options.store, caller.tenant.id, client);
      return reply.code(204).header('cache-control', 'no-store').send();
    } catch (error) {
      const { exposed } = sendGraphError(request, reply, error, now());
      if (!exposed) request.log.error({ err: error }, 'portal consent request failed');
      return reply;
    }
  });
}
