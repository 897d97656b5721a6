/**
 * `/groups`: create, list ($filter on displayName/mailNickname), get, update (PATCH), delete, and members
 * (`GET /members`, `POST /members/$ref` with an `@odata.id`, `DELETE /members/{id}/$ref`). Members are
 * service principals or groups of the caller's tenant.
 * @module
 */
import { CredlessError } from '@credless/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Group, GroupMember, UpdateGroupInput } from '../store/directory-store.ts';
import {
  GRAPH_ROLES,
  type GraphHandlerContext,
  objectBody,
  requireRole,
  sendCreated,
} from './graph-handler.ts';
import { collection, entity, parseODataQuery } from './odata.ts';

export function toGraphGroup(group: Group) {
  return {
    id: group.id,
    displayName: group.displayName,
    description: group.description,
    mailNickname: group.mailNickname,
    mailEnabled: group.mailEnabled,
    securityEnabled: group.securityEnabled,
    mail: null,
    groupTypes: [],
    createdDateTime: group.createdDateTime,
    deletedDateTime: null,
  };
}

const PROPERTIES = Object.keys(toGraphGroup({} as Group));

function toGraphMember(member: GroupMember) {
  return {
    '@odata.type': `#microsoft.graph.${member.type}`,
    id: member.id,
    displayName: member.displayName,
    ...(member.appId !== undefined ? { appId: member.appId } : {}),
  };
}

/** The object id in `@odata.id` (`https://graph.microsoft.com/v1.0/directoryObjects/{id}` or any base). */
function referencedId(request: FastifyRequest): string {
  const reference = objectBody(request)['@odata.id'];
  const match =
    typeof reference === 'string' ? /\/directoryObjects\/([0-9a-fA-F-]{36})$/.exec(reference) : null;
  if (!match) {
    throw new CredlessError('invalid_value', {
      field: '@odata.id',
      reason: 'must be a directory object URL such as https://graph.microsoft.com/v1.0/directoryObjects/{id}',
    });
  }
  return (match[1] as string).toLowerCase();
}

const GROUP_FIELDS = [
  'displayName',
  'mailNickname',
  'description',
  'mailEnabled',
  'securityEnabled',
] as const;

/** Graph's writable group properties present in a body (the store checks their values). */
function groupInput(body: Record<string, unknown>): UpdateGroupInput {
  const input: Record<string, unknown> = {};
  for (const field of GROUP_FIELDS) if (body[field] !== undefined) input[field] = body[field];
  return input as UpdateGroupInput;
}

async function addressedGroup(ctx: GraphHandlerContext, request: FastifyRequest): Promise<Group> {
  const { id } = request.params as { id: string };
  const found = await ctx.store.getGroup(ctx.caller(request).tenant.id, id);
  if (!found) throw new CredlessError('not_found', { id });
  return found;
}

export function groupRoutes(app: FastifyInstance, ctx: GraphHandlerContext): void {
  const base = () => ctx.graphBaseUrl();

  app.get('/groups', async (request) => {
    const caller = ctx.caller(request);
    requireRole(caller, GRAPH_ROLES.groupRead);
    const query = parseODataQuery(
      request.query as Record<string, unknown>,
      PROPERTIES,
      ['displayName', 'mailNickname'],
      ['groupTypes'],
    );
    const groups = await ctx.store.listGroups(caller.tenant.id);
    return collection(base(), 'groups', groups.map(toGraphGroup), query);
  });

  app.post('/groups', async (request, reply) => {
    const caller = ctx.caller(request);
    requireRole(caller, GRAPH_ROLES.groupWrite);
    const input = groupInput(objectBody(request));
    const created = await ctx.store.createGroup(caller.tenant.id, {
      ...input,
      displayName: input.displayName as string,
      mailNickname: input.mailNickname as string,
    });
    return sendCreated(reply, base(), 'groups', toGraphGroup(created));
  });

  app.patch('/groups/:id', async (request, reply) => {
    const caller = ctx.caller(request);
    requireRole(caller, GRAPH_ROLES.groupWrite);
    const input = groupInput(objectBody(request));
    await ctx.store.updateGroup(caller.tenant.id, (await addressedGroup(ctx, request)).id, input);
    return reply.code(204).send();
  });

  app.get('/groups/:id', async (request) => {
    requireRole(ctx.caller(request), GRAPH_ROLES.groupRead);
    const query = parseODataQuery(request.query as Record<string, unknown>, PROPERTIES, []);
    return entity(base(), 'groups', toGraphGroup(await addressedGroup(ctx, request)), query.select);
  });

  app.delete('/groups/:id', async (request, reply) => {
    const caller = ctx.caller(request);
    requireRole(caller, GRAPH_ROLES.groupWrite);
    await ctx.store.deleteGroup(caller.tenant.id, (await addressedGroup(ctx, request)).id);
    return reply.code(204).send();
  });

  app.get('/groups/:id/members', async (request) => {
    const caller = ctx.caller(request);
    requireRole(caller, GRAPH_ROLES.groupRead);
    const query = parseODataQuery(
      request.query as Record<string, unknown>,
      ['id', 'displayName', 'appId'],
      ['displayName'],
    );
    const group = await addressedGroup(ctx, request);
    const members = await ctx.store.listGroupMembers(caller.tenant.id, group.id);
    return collection(base(), 'directoryObjects', members.map(toGraphMember), query);
  });

  app.post('/groups/:id/members/$ref', async (request, reply) => {
    const caller = ctx.caller(request);
    requireRole(caller, GRAPH_ROLES.groupWrite);
    const memberId = referencedId(request);
    const group = await addressedGroup(ctx, request);
    await ctx.store.createGroupMember(caller.tenant.id, group.id, memberId);
    return reply.code(204).send();
  });

  app.delete('/groups/:id/members/:memberId/$ref', async (request, reply) => {
    const caller = ctx.caller(request);
    requireRole(caller, GRAPH_ROLES.groupWrite);
    const group = await addressedGroup(ctx, request);
    const { memberId } = request.params as { memberId: string };
    await ctx.store.deleteGroupMember(caller.tenant.id, group.id, memberId);
    return reply.code(204).send();
  });
}
