/**
 * The console's HTTP side, one encapsulated plugin:
 *   POST   /console/api/session          { code } → 200 Session + the session cookie (401 invalid_code)
 *   GET    /console/api/session          the cookie's Session (401 no_session)
 *   DELETE /console/api/session          sign out → 204, cookie cleared
 *   GET    /console/api/sessions         { value: [...] } the sessions this one may see
 *   DELETE /console/api/sessions/{id}    revoke → 204
 *   POST   /v1.0/credless/consoleSignInCodes  { appId? } → 201 a sign-in link (Graph token, no escalation)
 * plus the pages (console-static.ts). Every change needs the session's X-Credless-Csrf header as well as
 * its SameSite=Strict cookie. Codes, cookies and CSRF tokens are never logged.
 * @module
 */
import { CredlessError } from '@credless/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendGraphError } from '../graph/graph-errors.ts';
import { GRAPH_ROLES, requireRole } from '../graph/graph-handler.ts';
import { authenticateGraphRequest, type GraphTokenOptions } from '../graph/graph-token.ts';
import {
  type ConsoleService,
  iso,
  SESSION_COOKIE,
  type SessionView,
  sessionCookie,
  uncoveredRoles,
} from './console-service.ts';
import type { ConsoleSession } from './console-sessions.ts';
import { consoleStaticRoutes } from './console-static.ts';

export interface ConsoleRouteOptions {
  service: ConsoleService;
  /** The console's build (undefined: not installed); see console-static.ts. */
  distDir: string | undefined;
  /** How Graph tokens are verified (the sign-in code route's caller). */
  graphToken: GraphTokenOptions;
}

const COOKIE_ATTRIBUTES = 'Path=/; HttpOnly; Secure; SameSite=Strict';

function setSessionCookie(reply: FastifyReply, value: string, maxAgeSeconds: number): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=${value}; Max-Age=${maxAgeSeconds}; ${COOKIE_ATTRIBUTES}`);
}

const clearSessionCookie = (reply: FastifyReply) => setSessionCookie(reply, '', 0);

function listed(session: ConsoleSession, current: ConsoleSession) {
  const { appId, displayName, objectId } = session.principal;
  return {
    id: session.id,
    principal: { appId, displayName, objectId },
    createdAt: iso(session.createdAt),
    expiresAt: iso(session.expiresAt),
    lastUsedAt: iso(session.lastUsedAt),
    current: session.id === current.id,
  };
}

/** The `{ appId? }` body of a sign-in code request. */
function requestedAppId(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  const appId = typeof body === 'object' && !Array.isArray(body) ? (body as { appId?: unknown }).appId : body;
  if (appId === undefined) return undefined;
  if (typeof appId !== 'string' || appId.length === 0 || appId.length > 256) {
    throw new CredlessError('invalid_value', {
      field: 'appId',
      reason: 'must be an application (client) id',
    });
  }
  return appId;
}

export async function consoleRoutes(app: FastifyInstance, options: ConsoleRouteOptions): Promise<void> {
  const { service } = options;
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { exposed } = sendGraphError(request, reply, error, new Date(options.graphToken.now()));
    if (!exposed) request.log.error({ err: error, url: request.url.split('?')[0] }, 'console request failed');
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
  await consoleStaticRoutes(app, options.distDir);

  /** The request's session with its CSRF header; a stale cookie is cleared on the way out. */
  const requireSession = async (request: FastifyRequest, reply: FastifyReply): Promise<ConsoleSession> => {
    const session = await service.sessionWithCsrf(request);
    if (session) return session;
    if (sessionCookie(request) !== undefined && !(await service.session(request))) clearSessionCookie(reply);
    throw new CredlessError('console_no_session');
  };

  app.post('/console/api/session', async (request, reply): Promise<SessionView> => {
    const code = (request.body as { code?: unknown } | undefined)?.code;
    const { cookie, view } = await service.redeem(code);
    setSessionCookie(reply, cookie, Math.floor(service.sessionLifetimeMs / 1000));
    // An audit trail by ids only: the code, cookie and CSRF token never reach the log.
    request.log.info(
      { consoleSessionId: view.id, appId: view.principal.appId, tenantId: view.tenantId },
      'console session opened',
    );
    return view;
  });

  app.get('/console/api/session', async (request, reply): Promise<SessionView> => {
    const session = await service.session(request);
    if (!session) {
      // A cookie that names no live session: it has ended (and goes); no cookie: never signed in.
      if (sessionCookie(request) === undefined) throw new CredlessError('console_not_signed_in');
      clearSessionCookie(reply);
      throw new CredlessError('console_no_session');
    }
    return service.view(session);
  });

  app.delete('/console/api/session', async (request, reply) => {
    const session = await requireSession(request, reply);
    await service.revoke(session.id);
    request.log.info({ consoleSessionId: session.id }, 'console session signed out');
    clearSessionCookie(reply);
    return reply.code(204).send();
  });

  app.get('/console/api/sessions', async (request, reply) => {
    const current = await requireSession(request, reply);
    const visible = await service.visibleSessions(current);
    return { value: visible.map((session) => listed(session, current)) };
  });

  app.delete('/console/api/sessions/:id', async (request, reply) => {
    const current = await requireSession(request, reply);
    const { id } = request.params as { id: string };
    const target = (await service.visibleSessions(current)).find((session) => session.id === id);
    if (!target) throw new CredlessError('not_found', { id });
    await service.revoke(target.id);
    request.log.info({ consoleSessionId: target.id, by: current.id }, 'console session revoked');
    if (target.id === current.id) clearSessionCookie(reply);
    return reply.code(204).send();
  });

  // Beside Graph's /v1.0 routes, authenticated the same way; here because the codes live in this service.
  app.post('/v1.0/credless/consoleSignInCodes', async (request, reply) => {
    const caller = await authenticateGraphRequest(request, options.graphToken);
    if (!caller) throw new CredlessError('graph_token_invalid');
    // Acting as an application's principal is what writing its credentials allows anyway.
    requireRole(caller, GRAPH_ROLES.applicationWrite);
    const appId = requestedAppId(request.body) ?? caller.appId;
    if (!appId) throw new CredlessError('invalid_value', { field: 'appId', reason: 'is required' });
    const principal = { tenantId: caller.tenant.id, appId };
    const target = await service.principal(principal);
    const beyond = uncoveredRoles(caller.roles, target.roles);
    if (beyond.length > 0) {
      throw new CredlessError('console_roles_exceed_caller', { appId, roles: beyond.join(', ') });
    }
    return reply.code(201).send(await service.signInLink(principal));
  });
}
