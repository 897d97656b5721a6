/**
 * Request throttling for the token endpoint and the Graph API: a fixed-window count per source
 * address and per client, each in its own bounded LRU store (@fastify/rate-limit's local store). The
 * routes call it themselves, so each answers a refusal in its own wire shape (Entra's or Graph's).
 * @module
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface ThrottleLimits {
  /** Requests per window from one client (client_id / the Graph caller's appId). */
  perClient: number;
  /** Requests per window from one source address (IPv6 grouped by /64). */
  perSource: number;
  windowMs: number;
}

export interface Throttled {
  /** Whole seconds until the window that refused the request ends (at least 1): `Retry-After`. */
  retryAfterSeconds: number;
  limit: number;
  windowSeconds: number;
}

export interface RequestThrottle {
  /** Counts the request against its source address; the refusal when over the limit. */
  bySource(request: FastifyRequest): Promise<Throttled | undefined>;
  /** Counts the request against `clientId`; the refusal when over the limit. */
  byClient(request: FastifyRequest, clientId: string): Promise<Throttled | undefined>;
}

/** Distinct keys each store remembers (least recently used dropped first): bounded memory. */
const KEYS_PER_STORE = 10_000;

export async function createRequestThrottle(
  app: FastifyInstance,
  limits: ThrottleLimits,
): Promise<RequestThrottle> {
  // Only the limiter factory is used: no route gets the plugin's own hook or error shape.
  if (!app.hasDecorator('createRateLimit')) await app.register(rateLimit, { global: false });
  const clientKeys = new WeakMap<FastifyRequest, string>();
  const common = { timeWindow: limits.windowMs, cache: KEYS_PER_STORE };
  const source = app.createRateLimit({ ...common, max: limits.perSource });
  const client = app.createRateLimit({
    ...common,
    max: limits.perClient,
    keyGenerator: (request) => clientKeys.get(request) ?? '',
  });
  const verdict = (result: Awaited<ReturnType<typeof source>>): Throttled | undefined =>
    result.isAllowed || !result.isExceeded
      ? undefined
      : {
          retryAfterSeconds: Math.max(1, result.ttlInSeconds),
          limit: result.max,
          windowSeconds: Math.ceil(result.timeWindow / 1000),
        };
  return {
    bySource: async (request) => verdict(await source(request)),
    byClient: async (request, clientId) => {
      clientKeys.set(request, clientId.toLowerCase());
      return verdict(await client(request));
    },
  };
}
