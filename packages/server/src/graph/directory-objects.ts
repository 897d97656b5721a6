/**
 * `/directoryObjects`: the membership functions az's `ad group member check` and friends call —
 * `{id}/checkMemberGroups`, `{id}/getMemberGroups`, `{id}/getMemberObjects` (transitive, over nested
 * groups) — and `getByIds`. Directory objects here are service principals, groups and applications
 * of the caller's tenant; each kind is visible only with a role that reads it.
 * @module
 */
import { CredlessError } from '@credless/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { toGraphApplication } from './applications.ts';
import { GRAPH_ROLES, type GraphHandlerContext, objectBody, requireRole } from './graph-handler.ts';
import type { GraphCaller } from './graph-token.ts';
import { toGraphGroup } from './groups.ts';
import { contextUrl } from './odata.ts';
import { toGraphServicePrincipal } from './service-principals.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Graph's limits: checkMemberGroups takes 20 group ids, getByIds 1000 ids. */
const MAX_CHECK_GROUP_IDS = 20;
const MAX_BY_IDS = 1000;
/** Nesting deeper than this is a cycle or a mistake; stop walking. */
const MAX_NESTING = 32;
const TYPES = ['servicePrincipal', 'group', 'application'] as const;
type ObjectType = (typeof TYPES)[number];

const invalid = (field: string, reason: string) => new CredlessError('invalid_value', { field, reason });

const hasAny = (caller: GraphCaller, roles: readonly string[]) => roles.some((r) => caller.roles.includes(r));

function guidList(body: Record<string, unknown>, field: string, max: number): string[] {
  const value = body[field];
  if (!Array.isArray(value) || value.length === 0 || value.length > max) {
    throw invalid(field, `must be an array of 1 to ${max} object ids`);
  }
  return value.map((id) => {
    if (typeof id !== 'string' || !GUID.test(id)) throw invalid(field, `'${String(id)}' is not an object id`);
    return id.toLowerCase();
  });
}

/** Every group the object is in, directly or through nested groups. */
async function transitiveGroupIds(ctx: GraphHandlerContext, tenantId: string, memberId: string) {
  const seen = new Set<string>();
  let level = [memberId];
  for (let depth = 0; depth < MAX_NESTING && level.length > 0; depth++) {
    const parents = await ctx.store.listGroupIdsOfMembers(tenantId, level);
    level = parents.filter((id) => !seen.has(id));
    for (const id of level) seen.add(id);
  }
  return [...seen];
}

/** The addressed object must be a service principal or group of the tenant (the kinds that can be members). */
async function addressedMember(ctx: GraphHandlerContext, request: FastifyRequest): Promise<string> {
  const { id } = request.params as { id: string };
  if (!GUID.test(id)) throw invalid('id', `'${id}' is not an object id`);
  const tenantId = ctx.caller(request).tenant.id;
  const key = id.toLowerCase();
  const found =
    (await ctx.store.getServicePrincipal(tenantId, key)) ?? (await ctx.store.getGroup(tenantId, key));
  if (!found) throw new CredlessError('not_found', { id });
  return key;
}

async function findObject(
  ctx: GraphHandlerContext,
  caller: GraphCaller,
  id: string,
  types: readonly ObjectType[],
) {
  const tenantId = caller.tenant.id;
  const canReadApps = hasAny(caller, GRAPH_ROLES.applicationRead);
  if (types.includes('servicePrincipal') && canReadApps) {
    const principal = await ctx.store.getServicePrincipal(tenantId, id);
    if (principal) {
      return {
        '@odata.type': '#microsoft.graph.servicePrincipal',
        ...(await toGraphServicePrincipal(ctx.store, principal)),
      };
    }
  }
  if (types.includes('group') && hasAny(caller, GRAPH_ROLES.groupRead)) {
    const group = await ctx.store.getGroup(tenantId, id);
    if (group) return { '@odata.type': '#microsoft.graph.group', ...toGraphGroup(group) };
  }
  if (types.includes('application') && canReadApps) {
    const application = await ctx.store.getApplication(tenantId, id);
    if (application && !application.builtIn) {
      return { '@odata.type': '#microsoft.graph.application', ...toGraphApplication(application) };
    }
  }
  return undefined;
}

function requestedTypes(body: Record<string, unknown>): readonly ObjectType[] {
  const types = body['types'];
  if (types === undefined || types === null) return TYPES;
  if (!Array.isArray(types)) throw invalid('types', 'must be an array of type names');
  return types.map((type) => {
    const name = typeof type === 'string' ? type.replace(/^#?microsoft\.graph\./i, '') : '';
    const known = TYPES.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    if (!known) throw invalid('types', `'${String(type)}' is not one of ${TYPES.join(', ')}`);
    return known;
  });
}

export function directoryObjectRoutes(app: FastifyInstance, ctx: GraphHandlerContext): void {
  const strings = (value: string[]) => ({
    '@odata.context': contextUrl(ctx.graphBaseUrl(), 'Collection(Edm.String)'),
    value,
  });

  app.post('/directoryObjects/:id/checkMemberGroups', async (request) => {
    const caller = ctx.caller(request);
    requireRole(caller, GRAPH_ROLES.groupRead);
    const wanted = guidList(objectBody(request), 'groupIds', MAX_CHECK_GROUP_IDS);
    const member = await addressedMember(ctx, request);
    const groups = new Set(await transitiveGroupIds(ctx, caller.tenant.id, member));
    return strings(wanted.filter((id) => groups.has(id)));
  });

  for (const fn of ['getMemberGroups', 'getMemberObjects']) {
    app.post(`/directoryObjects/:id/${fn}`, async (request) => {
      const caller = ctx.caller(request);
      requireRole(caller, GRAPH_ROLES.groupRead);
      const body = objectBody(request);
      const only = body['securityEnabledOnly'];
      if (only !== undefined && typeof only !== 'boolean') {
        throw invalid('securityEnabledOnly', 'must be true or false');
      }
      const member = await addressedMember(ctx, request);
      const ids = await transitiveGroupIds(ctx, caller.tenant.id, member);
      if (only !== true) return strings(ids);
      const groups = await Promise.all(ids.map((id) => ctx.store.getGroup(caller.tenant.id, id)));
      return strings(groups.flatMap((group) => (group?.securityEnabled ? [group.id] : [])));
    });
  }

  app.post('/directoryObjects/getByIds', async (request) => {
    const caller = ctx.caller(request);
    requireRole(caller, [...GRAPH_ROLES.applicationRead, ...GRAPH_ROLES.groupRead]);
    const body = objectBody(request);
    const ids = guidList(body, 'ids', MAX_BY_IDS);
    const types = requestedTypes(body);
    const found = await Promise.all([...new Set(ids)].map((id) => findObject(ctx, caller, id, types)));
    return {
      '@odata.context': contextUrl(ctx.graphBaseUrl(), 'directoryObjects'),
      value: found.filter((item) => item !== undefined),
    };
  });
}
