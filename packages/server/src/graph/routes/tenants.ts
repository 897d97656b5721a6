/**
 * `/credless/tenants` (credless's own; Graph's `/organization` shows the caller's tenant only): the
 * tenants of this installation and their client secret policy.
 *   GET  /credless/tenants                         every tenant            (operator)
 *   POST /credless/tenants                         { defaultDomain, displayName } → 201 (operator)
 *   GET  /credless/tenants/{id or domain}          one tenant              (own tenant, or operator)
 *   GET  /credless/tenants/{id}/clientSecretPolicy { mode, maxLifetimeSeconds } (own tenant, or operator)
 *   PATCH  …/clientSecretPolicy                    { mode?, maxLifetimeSeconds? } → the policy (operator)
 *   DELETE …/clientSecretPolicy                    back to the default (audit, one day) → 204 (operator)
 * The operator is a caller of the installation's first tenant (the default tenant, made at first
 * start, where the local administrator lives): other tenants' administrators see only their own.
 * Reading needs Organization.Read.All (or .ReadWrite.All, Directory.Read.All), changing
 * Organization.ReadWrite.All.
 * @module
 */
import {
  type ClientSecretMode,
  CredlessError,
  DEFAULT_CLIENT_SECRET_POLICY,
  type Tenant,
} from '@credless/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  GRAPH_ROLES,
  type GraphHandlerContext,
  objectBody,
  requireRole,
  sendCreated,
} from '../graph-handler.ts';
import { contextUrl } from '../odata.ts';

const PATH = 'credless/tenants';
const invalid = (field: string, reason: string) => new CredlessError('invalid_value', { field, reason });

export const toTenantView = (tenant: Tenant) => ({
  id: tenant.id,
  defaultDomain: tenant.defaultDomain,
  displayName: tenant.displayName,
  createdDateTime: tenant.createdDateTime,
  clientSecretPolicy: tenant.clientSecretPolicy ?? DEFAULT_CLIENT_SECRET_POLICY,
});

function readPolicyPatch(body: Record<string, unknown>): { mode?: string; maxLifetimeSeconds?: number } {
  const patch: { mode?: string; maxLifetimeSeconds?: number } = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'mode' && typeof value === 'string') patch.mode = value;
    else if (key === 'maxLifetimeSeconds' && typeof value === 'number') patch.maxLifetimeSeconds = value;
    else if (key === 'mode' || key === 'maxLifetimeSeconds') throw invalid(key, 'has the wrong type');
    else throw invalid(key, 'is not one of mode, maxLifetimeSeconds');
  }
  return patch;
}

export function tenantRoutes(app: FastifyInstance, ctx: GraphHandlerContext): void {
  const base = () => ctx.graphBaseUrl();

  /** Refuses a caller outside the first tenant. */
  const requireOperator = async (request: FastifyRequest, roles: readonly string[]) => {
    const caller = ctx.caller(request);
    requireRole(caller, roles);
    const [first] = await ctx.store.listTenants();
    if (caller.tenant.id !== first?.id) {
      throw new CredlessError('graph_role_missing', {
        roles: `${roles.join(', ')} in the installation's first (operator) tenant`,
      });
    }
  };

  /** The tenant `{id}` names: the caller's own, or (operator) any; another tenant's is not found. */
  const tenantOf = async (request: FastifyRequest, roles: readonly string[]): Promise<Tenant> => {
    const caller = ctx.caller(request);
    requireRole(caller, roles);
    const { id } = request.params as { id: string };
    const tenant = await ctx.store.findTenant(id);
    if (tenant && tenant.id !== caller.tenant.id) {
      await requireOperator(request, roles).catch(() => {
        throw new CredlessError('not_found', { id });
      });
    }
    if (!tenant) throw new CredlessError('not_found', { id });
    return tenant;
  };

  app.get(`/${PATH}`, async (request) => {
    await requireOperator(request, GRAPH_ROLES.organizationRead);
    const tenants = await ctx.store.listTenants();
    return { '@odata.context': contextUrl(base(), PATH), value: tenants.map(toTenantView) };
  });

  app.post(`/${PATH}`, async (request, reply) => {
    await requireOperator(request, GRAPH_ROLES.organizationWrite);
    const body = objectBody(request);
    for (const key of Object.keys(body)) {
      if (key !== 'defaultDomain' && key !== 'displayName') {
        throw invalid(key, 'is not one of defaultDomain, displayName');
      }
    }
    const { defaultDomain, displayName } = body;
    if (typeof defaultDomain !== 'string') throw invalid('defaultDomain', 'must be a string');
    if (typeof displayName !== 'string') throw invalid('displayName', 'must be a string');
    const tenant = await ctx.store.createTenant({ defaultDomain, displayName });
    return sendCreated(reply, base(), PATH, toTenantView(tenant));
  });

  app.get(`/${PATH}/:id`, async (request) => ({
    '@odata.context': contextUrl(base(), PATH, { entity: true }),
    ...toTenantView(await tenantOf(request, GRAPH_ROLES.organizationRead)),
  }));

  const policyAnswer = (tenant: Tenant) => ({
    '@odata.context': contextUrl(base(), `${PATH}/clientSecretPolicy`, { entity: true }),
    ...(tenant.clientSecretPolicy ?? DEFAULT_CLIENT_SECRET_POLICY),
  });

  app.get(`/${PATH}/:id/clientSecretPolicy`, async (request) =>
    policyAnswer(await tenantOf(request, GRAPH_ROLES.organizationRead)),
  );

  app.patch(`/${PATH}/:id/clientSecretPolicy`, async (request) => {
    await requireOperator(request, GRAPH_ROLES.organizationWrite);
    const tenant = await tenantOf(request, GRAPH_ROLES.organizationWrite);
    const patch = readPolicyPatch(objectBody(request));
    const current = tenant.clientSecretPolicy ?? DEFAULT_CLIENT_SECRET_POLICY;
    // The store checks mode and lifetime.
    await ctx.store.updateClientSecretPolicy(tenant.id, {
      mode: (patch.mode ?? current.mode) as ClientSecretMode,
      maxLifetimeSeconds: patch.maxLifetimeSeconds ?? current.maxLifetimeSeconds,
    });
    return policyAnswer((await ctx.store.findTenant(tenant.id)) ?? tenant);
  });

  app.delete(`/${PATH}/:id/clientSecretPolicy`, async (request, reply) => {
    await requireOperator(request, GRAPH_ROLES.organizationWrite);
    const tenant = await tenantOf(request, GRAPH_ROLES.organizationWrite);
    await ctx.store.updateClientSecretPolicy(tenant.id, null);
    return reply.code(204).send();
  });
}
