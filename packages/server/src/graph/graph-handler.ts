/**
 * What every Graph route handler shares: its context (the store and the authenticated caller), the
 * roles that allow reading or writing each resource family, and the request-body and key helpers.
 * Below graph-plugin.ts, which registers the handlers: they import this, never the plugin.
 * @module
 */
import { CredlessError } from '@credless/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DirectoryStore } from '../store/directory-store.ts';
import type { GraphCaller } from './graph-token.ts';
import { entity } from './odata.ts';

/** What every handler gets: the options and the authenticated caller of a request. */
export interface GraphHandlerContext {
  store: DirectoryStore;
  graphBaseUrl: () => string;
  /** The server's clock (milliseconds): the token path's, so new credentials start when it says. */
  now: () => number;
  caller(request: FastifyRequest): GraphCaller;
}

/** Application roles (token `roles`) that allow reading or writing each resource family. */
export const GRAPH_ROLES = {
  applicationRead: ['Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All'],
  applicationWrite: ['Application.ReadWrite.All'],
  assignmentRead: [
    'AppRoleAssignment.ReadWrite.All',
    'Application.Read.All',
    'Application.ReadWrite.All',
    'Directory.Read.All',
  ],
  assignmentWrite: ['AppRoleAssignment.ReadWrite.All'],
  // Delegated permission grants: Graph's own role, or the one that grants application permissions.
  grantRead: [
    'DelegatedPermissionGrant.ReadWrite.All',
    'AppRoleAssignment.ReadWrite.All',
    'Application.Read.All',
    'Application.ReadWrite.All',
    'Directory.Read.All',
  ],
  grantWrite: ['DelegatedPermissionGrant.ReadWrite.All', 'AppRoleAssignment.ReadWrite.All'],
  groupRead: ['Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All'],
  groupWrite: ['Group.ReadWrite.All'],
  // The seed's sample reads /organization with User.Read.All.
  organizationRead: [
    'Organization.Read.All',
    'Organization.ReadWrite.All',
    'User.Read.All',
    'Directory.Read.All',
  ],
  organizationWrite: ['Organization.ReadWrite.All'],
} as const;

export function requireRole(caller: GraphCaller, anyOf: readonly string[]): void {
  if (!anyOf.some((role) => caller.roles.includes(role))) {
    throw new CredlessError('graph_role_missing', { roles: anyOf.join(', ') });
  }
}

/** The JSON object body of a request, or Graph's 400. */
export function objectBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new CredlessError('graph_bad_request', { reason: 'The request body must be a JSON object.' });
  }
  return body as Record<string, unknown>;
}

/**
 * A key in Graph's `segment(key='value')` form. The router keeps the closing `')` in the parameter
 * (its name is `key')`), so it is stripped here; '' stands for one quote.
 */
export function quotedKey(params: unknown, key: string): string | undefined {
  const raw = (params as Record<string, string | undefined>)[`${key}')`];
  if (raw === undefined || !raw.endsWith("')")) return undefined;
  return raw.slice(0, -2).replaceAll("''", "'");
}

/** Graph's 201: the created entity, with its URL (`<collection path>/<id>`) in `Location`. */
export function sendCreated(
  reply: FastifyReply,
  graphBaseUrl: string,
  path: string,
  item: Record<string, unknown> & { id: string },
): FastifyReply {
  return reply
    .code(201)
    .header('location', `${graphBaseUrl}/${path}/${item.id}`)
    .send(entity(graphBaseUrl, path, item));
}
