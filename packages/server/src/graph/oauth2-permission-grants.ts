/**
 * `/oauth2PermissionGrants`: delegated permission grants, as az's `ad app permission grant` and
 * `list-grants` use them — list ($filter on clientId, resourceId, consentType), create, get, PATCH
 * (scope), delete. Stored and shown; app-only tokens never depend on them.
 * @module
 */
import { CredlessError } from '@credless/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ConsentType, OAuth2PermissionGrant } from '../store/directory-store.ts';
import {
  GRAPH_ROLES,
  type GraphHandlerContext,
  objectBody,
  requireRole,
  sendCreated,
} from './graph-handler.ts';
import { collection, entity, parseODataQuery } from './odata.ts';

const SEGMENT = 'oauth2PermissionGrants';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Graph's grant ids are opaque base64url; ours are GUIDs. Anything else cannot name one. */
const GRANT_ID = /^[A-Za-z0-9_-]{1,128}$/;

export function toGraphGrant(grant: OAuth2PermissionGrant) {
  return {
    id: grant.id,
    clientId: grant.clientId,
    consentType: grant.consentType,
    principalId: grant.principalId,
    resourceId: grant.resourceId,
    scope: grant.scope,
  };
}

const PROPERTIES = Object.keys(toGraphGrant({} as OAuth2PermissionGrant));
const WRITABLE = ['clientId', 'consentType', 'principalId', 'resourceId', 'scope', 'expiryTime', 'startTime'];

function objectId(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || !GUID.test(value)) {
    throw new CredlessError('invalid_value', {
      field,
      reason: 'must be a service principal object id (GUID)',
    });
  }
  return value.toLowerCase();
}

function checkProperties(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (key === 'id' || key.startsWith('@odata.') || allowed.includes(key)) continue;
    throw new CredlessError('graph_bad_request', {
      reason: `Property '${key}' does not exist on type 'microsoft.graph.oAuth2PermissionGrant'.`,
    });
  }
}

async function addressedGrant(
  ctx: GraphHandlerContext,
  request: FastifyRequest,
): Promise<OAuth2PermissionGrant> {
  const { id } = request.params as { id: string };
  if (!GRANT_ID.test(id)) {
    throw new CredlessError('invalid_value', { field: 'id', reason: 'is not a permission grant id' });
  }
  const found = await ctx.store.getOAuth2PermissionGrant(ctx.caller(request).tenant.id, id);
  if (!found) throw new CredlessError('not_found', { id });
  return found;
}

export function oauth2PermissionGrantRoutes(app: FastifyInstance, ctx: GraphHandlerContext): void {
  const base = () => ctx.graphBaseUrl();

  app.get(`/${SEGMENT}`, async (request) => {
    const caller = ctx.caller(request);
    requireRole(caller, GRAPH_ROLES.grantRead);
    const query = parseODataQuery(request.query as Record<string, unknown>, PROPERTIES, [
      'clientId',
      'resourceId',
      'consentType',
      'principalId',
    ]);
    const grants = await ctx.store.listOAuth2PermissionGrants(caller.tenant.id);
    return collection(base(), SEGMENT, grants.map(toGraphGrant), query);
  });

  app.post(`/${SEGMENT}`, async (request, reply) => {
    const caller = ctx.caller(request);
    requireRole(caller, GRAPH_ROLES.grantWrite);
    const body = objectBody(request);
    checkProperties(body, WRITABLE);
    const consentType = body['consentType'] ?? 'AllPrincipals';
    const created = await ctx.store.createOAuth2PermissionGrant(caller.tenant.id, {
      clientId: objectId(body, 'clientId'),
      resourceId: objectId(body, 'resourceId'),
      consentType: consentType as ConsentType,
      ...(consentType === 'Principal' ? { principalId: objectId(body, 'principalId') } : {}),
      scope: body['scope'] as string,
    });
    return sendCreated(reply, base(), SEGMENT, toGraphGrant(created));
  });

  app.get(`/${SEGMENT}/:id`, async (request) => {
    requireRole(ctx.caller(request), GRAPH_ROLES.grantRead);
    const query = parseODataQuery(request.query as Record<string, unknown>, PROPERTIES, []);
    return entity(base(), SEGMENT, toGraphGrant(await addressedGrant(ctx, request)), query.select);
  });

  app.patch(`/${SEGMENT}/:id`, async (request, reply) => {
    const caller = ctx.caller(request);
    requireRole(caller, GRAPH_ROLES.grantWrite);
    const body = objectBody(request);
    // Graph lets a PATCH change the scope (and the times, which credless does not keep).
    checkProperties(body, ['scope', 'expiryTime', 'startTime']);
    const grant = await addressedGrant(ctx, request);
    if (body['scope'] !== undefined) {
      await ctx.store.updateOAuth2PermissionGrantScope(caller.tenant.id, grant.id, body['scope'] as string);
    }
    return reply.code(204).send();
  });

  app.delete(`/${SEGMENT}/:id`, async (request, reply) => {
    const caller = ctx.caller(request);
    requireRole(caller, GRAPH_ROLES.grantWrite);
    const grant = await addressedGrant(ctx, request);
    await ctx.store.deleteOAuth2PermissionGrant(caller.tenant.id, grant.id);
    return reply.code(204).send();
  });
}
