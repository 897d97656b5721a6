/**
 * POST /{tenant}/oauth2/v2.0/token and the v1 /{tenant}/oauth2/token: client credentials with a
 * federated client assertion. Only form bodies are read; every answer is `no-store`; any failure
 * answers with an Entra-shaped error and no token.
 * @module
 */
import {
  CredlessError,
  type EndpointVersion,
  type ExchangeOutcome,
  type ExchangePorts,
  exchangeClientAssertion,
  type IssuedAccessToken,
  type RequestIds,
} from '@credless/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseFormBody } from '../form-body.ts';
import { requestIds } from '../request-ids.ts';
import { stsErrorBody } from '../sts-errors.ts';
import { createRequestThrottle, type Throttled, type ThrottleLimits } from '../throttle.ts';

export const TOKEN_BODY_LIMIT_BYTES = 64 * 1024;

export interface TokenRouteOptions {
  exchange: ExchangePorts;
  /**
   * Called after every exchange (sign-in records, metrics); must not throw. `latencyMs`: from the
   * handler's start to the outcome.
   */
  onExchange?: (
    outcome: ExchangeOutcome,
    ids: RequestIds,
    request: FastifyRequest,
    latencyMs: number,
  ) => void;
  /** Per-client and per-source limits; absent: no throttling (and no cost on the token path). */
  throttle?: ThrottleLimits;
}

function noStore(reply: FastifyReply, ids: RequestIds): void {
  reply.header('cache-control', 'no-store, no-cache');
  reply.header('pragma', 'no-cache');
  reply.header('x-ms-request-id', ids.traceId);
  reply.header('client-request-id', ids.correlationId);
}

function successBody(version: EndpointVersion, issued: IssuedAccessToken) {
  // Entra answers one second short of the lifetime; MSAL refreshes 5 minutes early anyway.
  const expiresIn = issued.expiresIn - 1;
  if (version === 'v2') {
    return {
      token_type: 'Bearer',
      expires_in: expiresIn,
      ext_expires_in: expiresIn,
      access_token: issued.accessToken,
    };
  }
  return {
    token_type: 'Bearer',
    expires_in: String(expiresIn),
    ext_expires_in: String(expiresIn),
    expires_on: String(issued.expiresOn),
    not_before: String(issued.notBefore),
    resource: issued.resource,
    access_token: issued.accessToken,
  };
}

export async function tokenRoutes(app: FastifyInstance, options: TokenRouteOptions): Promise<void> {
  const { exchange } = options;
  const sendError = (reply: FastifyReply, ids: RequestIds, error: unknown) => {
    const { status, body, exposed } = stsErrorBody(
      error,
      ids,
      new Date(exchange.now()),
      exchange.settings.baseUrl,
    );
    if (!exposed) reply.log.error({ err: error, traceId: ids.traceId }, 'token endpoint failed unexpectedly');
    noStore(reply, ids);
    return reply.code(status).type('application/json; charset=utf-8').send(body);
  };
  const throttle = options.throttle ? await createRequestThrottle(app, options.throttle) : undefined;
  const sendThrottled = (reply: FastifyReply, ids: RequestIds, refusal: Throttled, scope: string) => {
    reply.header('retry-after', String(refusal.retryAfterSeconds));
    const { limit, windowSeconds: window, retryAfterSeconds: retryAfter } = refusal;
    return sendError(
      reply,
      ids,
      new CredlessError('request_throttled', { limit, window, retryAfter, scope }),
    );
  };

  // Read every body as text so that a wrong content type is answered by us, in Entra's shape.
  app.removeAllContentTypeParsers();
  const asText = { parseAs: 'string', bodyLimit: TOKEN_BODY_LIMIT_BYTES } as const;
  const keepText = (_request: FastifyRequest, body: string | Buffer, done: (e: null, b: unknown) => void) =>
    done(null, body);
  // The form type by name too: Fastify remembers the parser per header value then, while the
  // catch-all alone re-parses every request's content type to find it.
  app.addContentTypeParser('application/x-www-form-urlencoded', asText, keepText);
  app.addContentTypeParser('*', asText, keepText);
  app.setErrorHandler((error: { statusCode?: number }, request, reply) => {
    const ids = requestIds(request);
    if (error.statusCode === 413) {
      return sendError(reply, ids, new CredlessError('request_too_large', { limit: TOKEN_BODY_LIMIT_BYTES }));
    }
    if (error.statusCode === 400 || error.statusCode === 415) {
      return sendError(
        reply,
        ids,
        new CredlessError('malformed_request', { reason: 'the body could not be read' }),
      );
    }
    return sendError(reply, ids, error);
  });

  const handle = (version: EndpointVersion) => async (request: FastifyRequest, reply: FastifyReply) => {
    const startedAt = performance.now();
    const ids = requestIds(request);
    const sourceRefusal = throttle && (await throttle.bySource(request));
    if (sourceRefusal) return sendThrottled(reply, ids, sourceRefusal, 'address');
    if (request.method !== 'POST') {
      return sendError(reply, ids, new CredlessError('method_not_allowed', { method: request.method }));
    }
    const form = parseFormBody(
      request.headers['content-type'],
      typeof request.body === 'string' ? request.body : '',
    );
    if (!form.ok) return sendError(reply, ids, form.error);
    const clientId = form.params.get('client_id');
    const clientRefusal = throttle && clientId && (await throttle.byClient(request, clientId));
    if (clientRefusal) return sendThrottled(reply, ids, clientRefusal, 'client');
    const { tenant } = request.params as { tenant: string };
    const outcome = await exchangeClientAssertion({ tenant, version, params: form.params }, exchange);
    options.onExchange?.(outcome, ids, request, performance.now() - startedAt);
    if (!outcome.issued) return sendError(reply, ids, outcome.error);
    noStore(reply, ids);
    // A string with its content type is sent as is: no serializer lookup on the way out.
    return reply
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(successBody(version, outcome.issued)));
  };

  const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
  app.route({ method: methods, url: '/:tenant/oauth2/v2.0/token', handler: handle('v2') });
  app.route({ method: methods, url: '/:tenant/oauth2/token', handler: handle('v1') });
}
