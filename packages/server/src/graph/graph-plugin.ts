/**
 * The Graph-compatible REST API (v1.0 subset) under `/v1.0`. Every request is authenticated first by
 * a credless-issued Graph token; the token's tenant is the only tenant a request can see or change.
 * Handlers live in one file per resource family; what they share (the caller, role checks, body and
 * key helpers) is in graph-handler.ts, so they never import this plugin back.
 * @module
 */
import { CredlessError } from '@credless/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createRequestThrottle, type Throttled, type ThrottleLimits } from '../http/throttle.ts';
import type { DirectoryStore } from '../store/directory-store.ts';
import { applicationRoutes } from './applications.ts';
import { directoryObjectRoutes } from './directory-objects.ts';
import { federatedCredentialRoutes } from './federated-credentials.ts';
import { sendGraphError } from './graph-errors.ts';
import type { GraphHandlerContext } from './graph-handler.ts';
import { authenticateGraphRequest, type GraphCaller, type GraphTokenOptions } from './graph-token.ts';
import { groupRoutes } from './groups.ts';
import { oauth2PermissionGrantRoutes } from './oauth2-permission-grants.ts';
import { organizationRoutes } from './organization.ts';
import { passwordCredentialRoutes } from './password-credentials.ts';
import { issuerPolicyRoutes } from './routes/issuer-policy.ts';
import { signInRoutes } from './routes/sign-ins.ts';
import { tenantRoutes } from './routes/tenants.ts';
import { servicePrincipalRoutes } from './service-principals.ts';

export interface GraphRouteOptions extends GraphTokenOptions {
  /** The store whose writes invalidate the token path's caches (so changes apply at once). */
  store: DirectoryStore;
  /** Public base of the Graph-compatible API (for @odata.context), e.g. `https://host:8443/v1.0`. */
  graphBaseUrl: () => string;
  /** Per-application and per-source limits (429 TooManyRequests); absent: no throttling. */
  throttle?: ThrottleLimits | undefined;
}

export async function graphRoutes(app: FastifyInstance, options: GraphRouteOptions): Promise<void> {
  const callers = new WeakMap<FastifyRequest, GraphCaller>();
  const now = () => new Date(options.now());
  const throttle = options.throttle ? await createRequestThrottle(app, options.throttle) : undefined;
  const sendThrottled = (request: FastifyRequest, reply: FastifyReply, refusal: Throttled) => {
    reply.header('retry-after', String(refusal.retryAfterSeconds));
    sendGraphError(request, reply, new CredlessError('graph_throttled'), now());
    return reply;
  };

  app.addHook('onRequest', async (request, reply) => {
    // Per source before authenticating, so a flood of bad tokens is refused cheaply too.
    const sourceRefusal = throttle && (await throttle.bySource(request));
    if (sourceRefusal) return sendThrottled(request, reply, sourceRefusal);
    const caller = await authenticateGraphRequest(request, options);
    if (!caller) {
      sendGraphError(request, reply, new CredlessError('graph_token_invalid'), now());
      return reply;
    }
    const clientId = caller.appId ?? caller.principalId;
    const clientRefusal = throttle && clientId && (await throttle.byClient(request, clientId));
    if (clientRefusal) return sendThrottled(request, reply, clientRefusal);
    callers.set(request, caller);
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'no-store');
    return payload;
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { exposed, storeUnavailable } = sendGraphError(request, reply, error, now());
    if (storeUnavailable)
      request.log.warn({ err: error }, 'Graph API request refused: the database is unreachable');
    else if (!exposed)
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
    now: options.now,
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
  passwordCredentialRoutes(app, context);
  oauth2PermissionGrantRoutes(app, context);
  directoryObjectRoutes(app, context);
  // credless's management routes beyond Graph's directory (README, API): sign-ins, issuer policy, tenants.
  signInRoutes(app, context);
  issuerPolicyRoutes(app, context);
  tenantRoutes(app, context);
}
