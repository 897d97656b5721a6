/**
 * The Graph-compatible REST API (v1.0 subset) under `/v1.0`. Every request is authenticated first by
 * a credless-issued Graph token; the token's tenant is the only tenant a request can see or change.
 * Handlers live in one file per resource family and share this plumbing: the caller, role checks,
 * the Graph error mapper and the OData helpers.
 * @module
 */
import { CredlessError } from '@credless/core';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { DirectoryStore } from '../store/directory-store.ts';
import { applicationRoutes } from './applications.ts';
import { federatedCredentialRoutes } from './federated-credentials.ts';
import { sendGraphError } from './graph-errors.ts';
import { authenticateGraphRequest, type GraphCaller, type GraphTokenOptions } from './graph-token.ts';
import { groupRoutes } from './groups.ts';
import { organizationRoutes } from './organization.ts';
import { servicePrincipalRoutes } from './service-principals.ts';

export interface GraphRouteOptions extends GraphTokenOptions {
  /** The store whose writes invalidate the token path's caches (so changes apply at once). */
  store: DirectoryStore;
  /** Public base of the Graph-compatible API (for @odata.context), e.g. `https://host:8443/v1.0`. */
  graphBaseUrl: () => string;
}

/** What every handler gets: the options and the authenticated caller of a request. */
export interface GraphHandlerContext {
  store: DirectoryStore;
  graphBaseUrl: () => string;
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

export async function graphRoutes(app: FastifyInstance, options: GraphRouteOptions): Promise<void> {
  const callers = new WeakMap<FastifyRequest, GraphCaller>();
  const now = () => new Date(options.now());

  app.addHook('onRequest', async (request, reply) => {
    const caller = await authenticateGraphRequest(request, options);
    if (!caller) {
      sendGraphError(request, reply, new CredlessError('graph_token_invalid'), now());
      return reply;
    }
    callers.set(request, caller);
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'no-store');
    return payload;
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    // Fastify's own 4xx (unparsable JSON, wrong content type, body too large) are the client's doing.
    const clientError =
      typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500;
    const mapped = clientError
      ? new CredlessError('graph_bad_request', { reason: `Invalid request: ${error.message}` })
      : error;
    const { exposed } = sendGraphError(request, reply, mapped, now());
    if (!exposed)
      request.log.error({ err: error, url: request.url.split('?')[0] }, 'Graph API request failed');
  });
  app.setNotFoundHandler((request, reply) => {
    const segment = request.url.split('?')[0] ?? '';
    sendGraphError(
      request,
      reply,
      new CredlessError('graph_bad_request', { reason: `Resource not found for the segment '${segment}'.` }),
      now(),
    );
  });

  const context: GraphHandlerContext = {
    store: options.store,
    graphBaseUrl: options.graphBaseUrl,
    caller: (request) => {
      const caller = callers.get(request);
      if (!caller) throw new Error('Graph handler ran without an authenticated caller');
      return caller;
    },
  };
  applicationRoutes(app, context);
  federatedCredentialRoutes(app, context);
  servicePrincipalRoutes(app, context);
  groupRoutes(app, context);
  organizationRoutes(app, context);
}
