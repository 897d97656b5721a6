/**
 * The one way the console's session reaches credless's APIs: a request carrying the session cookie
 * together with that session's X-Credless-Csrf header (and no Authorization of its own) gets the
 * session principal's access token as its bearer, before any route sees it. Every API then decides
 * as it does for any client holding that token. A cookie without the header stays unauthenticated.
 * @module
 */
import type { FastifyRequest } from 'fastify';
import { type ConsoleService, CSRF_HEADER } from './console-service.ts';

export function consoleBearerHook(service: ConsoleService) {
  return async (request: FastifyRequest): Promise<void> => {
    // Cheapest test first: the token path's requests carry neither header.
    if (request.headers[CSRF_HEADER] === undefined || request.headers.authorization !== undefined) return;
    const session = await service.sessionWithCsrf(request);
    const token = session && (await service.bearer(session));
    if (token) request.headers.authorization = `Bearer ${token}`;
  };
}
