/**
 * `/servicePrincipals`: list ($filter on appId/displayName), create (from an appId), get, PATCH,
 * delete, by object id or `(appId='…')`; and app role assignments both ways:
 * `/appRoleAssignments` (roles the principal holds) and `/appRoleAssignedTo` (roles granted on it as
 * a resource — the seed's admin consent).
 * @module
 */
import { type AppRoleAssignment, CredlessError, type ServicePrincipal } from '@credless/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type AdministratorChange, refuseAdministratorLockout } from '../admin/admin-guard.ts';
import type { DirectoryStore } from '../store/directory-store.ts';
import {
  GRAPH_ROLES,
  type GraphHandlerContext,
  objectBody,
  quotedKey,
  requireRole,
  sendCreated,
} from './graph-handler.ts';
import { collection, entity, parseODataQuery } from './odata.ts';

const principalPaths = (suffix = ''): string[] => [
  `/servicePrincipals/:id${suffix}`,
  `/servicePrincipals(appId=':appId')${suffix}`,
];

export async function toGraphServicePrincipal(store: DirectoryStore, principal: ServicePrincipal) {
  const application = await store.getApplication(principal.tenantId, principal.applicationId);
  return {
    id: principal.id,
    appId: principal.appId,
    displayName: principal.displayName,
    appDisplayName: application?.displayName ?? principal.displayName,
    appOwnerOrganizationId: principal.tenantId,
    accountEnabled: principal.accountEnabled,
    appRoleAssignmentRequired: principal.appRoleAssignmentRequired,
    servicePrincipalType: 'Application',
    servicePrincipalNames: [principal.appId, ...(application?.identifierUris ?? [])],
    appRoles: application?.appRoles ?? [],
    keyCredentials: [],
    passwordCredentials: [],
    createdDateTime: principal.createdDateTime,
    deletedDateTime: null,
  };
}

const PRINCIPAL_PROPERTIES = [
  'id',
  'appId',
  'displayName',
  'appDisplayName',
  'appOwnerOrganizationId',
  'accountEnabled',
  'appRoleAssignmentRequired',
  'servicePrincipalType',
  'servicePrincipalNames',
  'appRoles',
  'keyCredentials',
  'passwordCredentials',
  'createdDateTime',
  'deletedDateTime',
];

async function toGraphAssignment(store: DirectoryStore, assignment: AppRoleAssignment) {
  const [principal, resource] = await Promise.all([
    store.getServicePrincipal(assignment.tenantId, assignment.principalId),
    store.getServicePrincipal(assignment.tenantId, assignment.resourceId),
  ]);
  return {
    id: assignment.id,
    appRoleId: assignment.appRoleId,
    createdDateTime: assignment.createdDateTime,
    deletedDateTime: null,
    principalId: assignment.principalId,
    principalType: assignment.principalType,
    principalDisplayName: principal?.displayName ?? null,
    resourceId: assignment.resourceId,
    resourceDisplayName: resource?.displayName ?? null,
  };
}

const ASSIGNMENT_PROPERTIES = [
  'id',
  'appRoleId',
  'createdDateTime',
  'deletedDateTime',
  'principalId',
  'principalType',
  'principalDisplayName',
  'resourceId',
  'resourceDisplayName',
];

async function addressedPrincipal(
  ctx: GraphHandlerContext,
  request: FastifyRequest,
): Promise<ServicePrincipal> {
  const tenantId = ctx.caller(request).tenant.id;
  const appId = quotedKey(request.params, 'appId');
  const id = (request.params as { id?: string }).id;
  const found =
    appId !== undefined
      ? await ctx.store.getServicePrincipalByAppId(tenantId, appId.toLowerCase())
      : id !== undefined
        ? await ctx.store.getServicePrincipal(tenantId, id)
        : undefined;
  if (!found) throw new CredlessError('not_found', { id: appId ?? id ?? '' });
  return found;
}

const readQuery = (
  request: FastifyRequest,
  properties: readonly string[],
  filterable: readonly string[] = [],
  collections: readonly string[] = [],
) => parseODataQuery(request.query as Record<string, unknown>, properties, filterable, collections);

function principalRoutesBasic(app: FastifyInstance, ctx: GraphHandlerContext): void {
  const base = () => ctx.graphBaseUrl();

  app.get('/servicePrincipals', async (request) => {
    const caller = ctx.caller(request);
    requireRole(caller, GRAPH_ROLES.applicationRead);
    const query = readQuery(
      request,
      PRINCIPAL_PROPERTIES,
      ['appId', 'displayName'],
      ['servicePrincipalNames'],
    );
    const principals = await ctx.store.listServicePrincipals(caller.tenant.id);
    const items = await Promise.all(principals.map((p) => toGraphServicePrincipal(ctx.store, p)));
    return collection(base(), 'servicePrincipals', items, query);
  });

  app.post('/servicePrincipals', async (request, reply) => {
    const caller = ctx.caller(request);
    requireRole(caller, GRAPH_ROLES.applicationWrite);
    const body = objectBody(request);
    if (typeof body['appId'] !== 'string') {
      throw new CredlessError('invalid_value', { field: 'appId', reason: 'is required' });
    }
    const created = await ctx.store.createServicePrincipal(caller.tenant.id, {
      appId: body['appId'].toLowerCase(),
      ...(body['accountEnabled'] !== undefined ? { accountEnabled: body['accountEnabled'] as boolean } : {}),
      ...(body['appRoleAssignmentRequired'] !== undefined
        ? { appRoleAssignmentRequired: body['appRoleAssignmentRequired'] as boolean }
        : {}),
    });
    const json = await toGraphServicePrincipal(ctx.store, created);
    return sendCreated(reply, base(), 'servicePrincipals', json);
  });

  for (const path of principalPaths()) {
    app.get(path, async (request) => {
      requireRole(ctx.caller(request), GRAPH_ROLES.applicationRead);
      const query = readQuery(request, PRINCIPAL_PROPERTIES);
      const json = await toGraphServicePrincipal(ctx.store, await addressedPrincipal(ctx, request));
      return entity(base(), 'servicePrincipals', json, query.select);
    });

    app.patch(path, async (request, reply) => {
      const caller = ctx.caller(request);
      requireRole(caller, GRAPH_ROLES.applicationWrite);
      const body = objectBody(request);
      const principal = await changeablePrincipal(ctx, request, {
        kind: 'update',
        accountEnabled: body['accountEnabled'],
      });
      await ctx.store.updateServicePrincipal(caller.tenant.id, principal.id, {
        ...(body['accountEnabled'] !== undefined
          ? { accountEnabled: body['accountEnabled'] as boolean }
          : {}),
        ...(body['appRoleAssignmentRequired'] !== undefined
          ? { appRoleAssignmentRequired: body['appRoleAssignmentRequired'] as boolean }
          : {}),
      });
      return reply.code(204).send();
    });

    app.delete(path, async (request, reply) => {
      const caller = ctx.caller(request);
      requireRole(caller, GRAPH_ROLES.applicationWrite);
      const principal = await changeablePrincipal(ctx, request, { kind: 'deletePrincipal' });
      await ctx.store.deleteServicePrincipal(caller.tenant.id, principal.id);
      return reply.code(204).send();
    });
  }
}

/**
 * The addressed principal unless it is a built-in resource's (Microsoft Graph), which stays as is, or
 * `change` would lock the local administrator out.
 */
async function changeablePrincipal(
  ctx: GraphHandlerContext,
  request: FastifyRequest,
  change: AdministratorChange,
): Promise<ServicePrincipal> {
  const principal = await addressedPrincipal(ctx, request);
  const application = await ctx.store.getApplication(principal.tenantId, principal.applicationId);
  if (application?.builtIn) {
    throw new CredlessError('invalid_value', {
      field: 'id',
      reason: 'a built-in service principal cannot be changed',
    });
  }
  refuseAdministratorLockout(application, change);
  return principal;
}

type AssignmentSide = 'appRoleAssignments' | 'appRoleAssignedTo';

function assignmentRoutes(app: FastifyInstance, ctx: GraphHandlerContext, side: AssignmentSide): void {
  const base = () => ctx.graphBaseUrl();
  const held = side === 'appRoleAssignments';
  const list = (tenantId: string, principalId: string) =>
    held
      ? ctx.store.listAppRoleAssignmentsByPrincipal(tenantId, principalId)
      : ctx.store.listAppRoleAssignmentsByResource(tenantId, principalId);

  for (const path of principalPaths(`/${side}`)) {
    app.get(path, async (request) => {
      const caller = ctx.caller(request);
      requireRole(caller, GRAPH_ROLES.assignmentRead);
      const query = readQuery(request, ASSIGNMENT_PROPERTIES, ['principalId', 'resourceId', 'appRoleId']);
      const principal = await addressedPrincipal(ctx, request);
      const found = await list(caller.tenant.id, principal.id);
      const items = await Promise.all(found.map((a) => toGraphAssignment(ctx.store, a)));
      return collection(base(), `servicePrincipals('${principal.id}')/${side}`, items, query);
    });

    app.post(path, async (request, reply) => {
      const caller = ctx.caller(request);
      requireRole(caller, GRAPH_ROLES.assignmentWrite);
      const body = objectBody(request);
      const principal = await addressedPrincipal(ctx, request);
      // The addressed principal is the holder (appRoleAssignments) or the resource (appRoleAssignedTo).
      const own = held ? 'principalId' : 'resourceId';
      if (body[own] !== undefined && String(body[own]).toLowerCase() !== principal.id) {
        throw new CredlessError('invalid_value', {
          field: own,
          reason: `must be the addressed service principal`,
        });
      }
      for (const field of ['principalId', 'resourceId', 'appRoleId'] as const) {
        if (field !== own && typeof body[field] !== 'string') {
          throw new CredlessError('invalid_value', { field, reason: 'is required' });
        }
      }
      const created = await ctx.store.createAppRoleAssignment(caller.tenant.id, {
        principalId: held ? principal.id : String(body['principalId']).toLowerCase(),
        resourceId: held ? String(body['resourceId']).toLowerCase() : principal.id,
        appRoleId: String(body['appRoleId']).toLowerCase(),
      });
      const json = await toGraphAssignment(ctx.store, created);
      return sendCreated(reply, base(), `servicePrincipals('${principal.id}')/${side}`, json);
    });
  }

  for (const path of principalPaths(`/${side}/:assignmentId`)) {
    app.delete(path, async (request, reply) => {
      const caller = ctx.caller(request);
      requireRole(caller, GRAPH_ROLES.assignmentWrite);
      const principal = await addressedPrincipal(ctx, request);
      const { assignmentId } = request.params as { assignmentId: string };
      // Only an assignment on this side of this principal: an id alone must not reach another's.
      const found = (await list(caller.tenant.id, principal.id)).find((a) => a.id === assignmentId);
      if (!found) throw new CredlessError('not_found', { id: assignmentId });
      await ctx.store.deleteAppRoleAssignment(caller.tenant.id, found.id);
      return reply.code(204).send();
    });
  }
}

export function servicePrincipalRoutes(app: FastifyInstance, ctx: GraphHandlerContext): void {
  principalRoutesBasic(app, ctx);
  assignmentRoutes(app, ctx, 'appRoleAssignments');
  assignmentRoutes(app, ctx, 'appRoleAssignedTo');
}
