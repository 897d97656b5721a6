/**
 * `/applications`: list ($filter on appId/displayName), create, get, update (PATCH), delete, by object
 * id or by `(appId='…')`. Built-in resource applications (Microsoft Graph itself) are not visible; the
 * local administrator is visible but cannot be deleted, renamed or left without a certificate.
 * @module
 */
import { type Application, CredlessError, publicPasswordCredential } from '@credless/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { refuseAdministratorLockout } from '../admin/admin-guard.ts';
import type { UpdateApplicationInput } from '../store/directory-store.ts';
import {
  GRAPH_ROLES,
  type GraphHandlerContext,
  objectBody,
  quotedKey,
  requireRole,
  sendCreated,
} from './graph-handler.ts';
import { collection, entity, parseODataQuery } from './odata.ts';

/** Both ways Graph addresses one application, followed by `suffix`. */
export const applicationPaths = (suffix = ''): string[] => [
  `/applications/:id${suffix}`,
  `/applications(appId=':appId')${suffix}`,
];

export function toGraphApplication(app: Application) {
  return {
    id: app.id,
    appId: app.appId,
    displayName: app.displayName,
    createdDateTime: app.createdDateTime,
    deletedDateTime: null,
    signInAudience: 'AzureADMyOrg',
    identifierUris: app.identifierUris,
    appRoles: app.appRoles,
    requiredResourceAccess: app.requiredResourceAccess,
    api: { requestedAccessTokenVersion: app.accessTokenAcceptedVersion },
    // Graph never returns the certificate itself.
    keyCredentials: (app.keyCredentials ?? []).map(({ key: _key, ...rest }) => ({ ...rest, key: null })),
    // Never the secret or its hash: Graph shows a secret's text only once, when it is added.
    passwordCredentials: (app.passwordCredentials ?? []).map(publicPasswordCredential),
  };
}

const PROPERTIES = Object.keys(toGraphApplication({ keyCredentials: [] } as unknown as Application));

/** The application a request addresses, in the caller's tenant; built-in ones count as absent. */
export async function addressedApplication(
  ctx: GraphHandlerContext,
  request: FastifyRequest,
): Promise<Application> {
  const tenantId = ctx.caller(request).tenant.id;
  const appId = quotedKey(request.params, 'appId');
  const id = (request.params as { id?: string }).id;
  const found =
    appId !== undefined
      ? await ctx.store.getApplicationByAppId(tenantId, appId.toLowerCase())
      : id !== undefined
        ? await ctx.store.getApplication(tenantId, id)
        : undefined;
  if (!found || found.builtIn) throw new CredlessError('not_found', { id: appId ?? id ?? '' });
  return found;
}

/** Graph's writable application properties, mapped to the store's input. */
function applicationInput(body: Record<string, unknown>): UpdateApplicationInput {
  const input: UpdateApplicationInput = {};
  if (body['displayName'] !== undefined) input.displayName = body['displayName'] as string;
  if (body['identifierUris'] !== undefined) input.identifierUris = body['identifierUris'] as string[];
  if (body['appRoles'] !== undefined) input.appRoles = body['appRoles'] as Application['appRoles'];
  if (body['requiredResourceAccess'] !== undefined) {
    input.requiredResourceAccess = body['requiredResourceAccess'] as Application['requiredResourceAccess'];
  }
  const api = body['api'];
  if (api !== undefined && api !== null) {
    if (typeof api !== 'object')
      throw new CredlessError('invalid_value', { field: 'api', reason: 'must be an object' });
    const version = (api as Record<string, unknown>)['requestedAccessTokenVersion'];
    if (version !== undefined) input.accessTokenAcceptedVersion = version as 1 | 2 | null;
  }
  if (body['keyCredentials'] !== undefined) {
    input.keyCredentials = body['keyCredentials'] as NonNullable<UpdateApplicationInput['keyCredentials']>;
  }
  return input;
}

export function applicationRoutes(app: FastifyInstance, ctx: GraphHandlerContext): void {
  const base = () => ctx.graphBaseUrl();

  app.get('/applications', async (request) => {
    const caller = ctx.caller(request);
    requireRole(caller, GRAPH_ROLES.applicationRead);
    const query = parseODataQuery(
      request.query as Record<string, unknown>,
      PROPERTIES,
      ['appId', 'displayName'],
      ['identifierUris'],
    );
    const apps = await ctx.store.listApplications(caller.tenant.id);
    return collection(base(), 'applications', apps.map(toGraphApplication), query);
  });

  app.post('/applications', async (request, reply) => {
    const caller = ctx.caller(request);
    requireRole(caller, GRAPH_ROLES.applicationWrite);
    const body = objectBody(request);
    const input = applicationInput(body);
    const created = await ctx.store.createApplication(caller.tenant.id, {
      ...input,
      displayName: body['displayName'] as string,
    });
    return sendCreated(reply, base(), 'applications', toGraphApplication(created));
  });

  for (const path of applicationPaths()) {
    app.get(path, async (request) => {
      requireRole(ctx.caller(request), GRAPH_ROLES.applicationRead);
      const query = parseODataQuery(request.query as Record<string, unknown>, PROPERTIES, []);
      const found = await addressedApplication(ctx, request);
      return entity(base(), 'applications', toGraphApplication(found), query.select);
    });

    app.patch(path, async (request, reply) => {
      const caller = ctx.caller(request);
      requireRole(caller, GRAPH_ROLES.applicationWrite);
      const found = await addressedApplication(ctx, request);
      const input = applicationInput(objectBody(request));
      refuseAdministratorLockout(found, { kind: 'update', ...input });
      await ctx.store.updateApplication(caller.tenant.id, found.id, input);
      return reply.code(204).send();
    });

    app.delete(path, async (request, reply) => {
      const caller = ctx.caller(request);
      requireRole(caller, GRAPH_ROLES.applicationWrite);
      const found = await addressedApplication(ctx, request);
      refuseAdministratorLockout(found, { kind: 'delete' });
      await ctx.store.deleteApplication(caller.tenant.id, found.id);
      return reply.code(204).send();
    });
  }
}
