/**
 * `/organization`: the caller's tenant, as Graph shows it (list with one entry, get by id, PATCH
 * displayName). Another tenant's id is simply not found.
 * @module
 */
import { CredlessError, type Tenant } from '@credless/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GRAPH_ROLES, type GraphHandlerContext, objectBody, requireRole } from './graph-handler.ts';
import { collection, entity, parseODataQuery } from './odata.ts';

export function toGraphOrganization(tenant: Tenant) {
  return {
    id: tenant.id,
    displayName: tenant.displayName,
    tenantType: 'AAD',
    countryLetterCode: null,
    createdDateTime: tenant.createdDateTime,
    deletedDateTime: null,
    verifiedDomains: [
      { capabilities: 'None', isDefault: true, isInitial: true, name: tenant.defaultDomain, type: 'Managed' },
    ],
  };
}

const PROPERTIES = Object.keys(toGraphOrganization({} as Tenant));

function ownTenant(ctx: GraphHandlerContext, request: FastifyRequest): Tenant {
  const { tenant } = ctx.caller(request);
  const { id } = request.params as { id: string };
  if (id.toLowerCase() !== tenant.id) throw new CredlessError('not_found', { id });
  return tenant;
}

export function organizationRoutes(app: FastifyInstance, ctx: GraphHandlerContext): void {
  const base = () => ctx.graphBaseUrl();

  app.get('/organization', async (request) => {
    const caller = ctx.caller(request);
    requireRole(caller, GRAPH_ROLES.organizationRead);
    const query = parseODataQuery(request.query as Record<string, unknown>, PROPERTIES, ['displayName']);
    // Fresh from the store: the caller's tenant object may predate a rename.
    const tenant = (await ctx.store.findTenant(caller.tenant.id)) ?? caller.tenant;
    return collection(base(), 'organization', [toGraphOrganization(tenant)], query);
  });

  app.get('/organization/:id', async (request) => {
    requireRole(ctx.caller(request), GRAPH_ROLES.organizationRead);
    const query = parseODataQuery(request.query as Record<string, unknown>, PROPERTIES, []);
    const tenant = ownTenant(ctx, request);
    const fresh = (await ctx.store.findTenant(tenant.id)) ?? tenant;
    return entity(base(), 'organization', toGraphOrganization(fresh), query.select);
  });

  app.patch('/organization/:id', async (request, reply) => {
    const caller = ctx.caller(request);
    requireRole(caller, GRAPH_ROLES.organizationWrite);
    const tenant = ownTenant(ctx, request);
    const body = objectBody(request);
    for (const key of Object.keys(body)) {
      if (key !== 'displayName') {
        throw new CredlessError('invalid_value', { field: key, reason: 'only displayName can be changed' });
      }
    }
    if (body['displayName'] !== undefined) {
      await ctx.store.updateTenant(tenant.id, { displayName: body['displayName'] as string });
    }
    return reply.code(204).send();
  });
}
