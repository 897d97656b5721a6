/**
 * Graph's error body for every failure of the Graph-compatible API:
 * `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
 * `graphErrorFor` is the one mapping of this edge, from what handlers and storage throw to the wire:
 * directory errors from the catalogue (storage's not_found, duplicate_value, invalid_value included) keep
 * their Graph code, status and message; an unreachable database is 503 serviceNotAvailable with
 * Retry-After; Fastify's own 4xx are the client's bad request; anything else is a 500 whose body says
 * nothing about its cause (the cause goes to the server log).
 * @module
 */
import { randomUUID } from 'node:crypto';
import { CredlessError, ERROR_CATALOGUE } from '@credless/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isTransientStoreError } from '../store/sql-errors.ts';

/** Seconds a client should wait before retrying a request refused because the database is unreachable. */
export const STORE_UNAVAILABLE_RETRY_AFTER_S = 5;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface GraphErrorBody {
  error: {
    code: string;
    message: string;
    innerError: { date: string; 'request-id': string; 'client-request-id': string };
  };
}

export interface GraphRequestIds {
  requestId: string;
  clientRequestId: string;
}

/** Ours, and the client's `client-request-id` when it is a GUID (a fresh one otherwise), as Graph does. */
export function graphRequestIds(request: FastifyRequest): GraphRequestIds {
  const header = request.headers['client-request-id'];
  return {
    requestId: randomUUID(),
    clientRequestId: typeof header === 'string' && GUID.test(header) ? header : randomUUID(),
  };
}

export interface GraphErrorMapping {
  status: number;
  code: string;
  message: string;
  /** Seconds for the Retry-After header, when the client may retry as is. */
  retryAfterSeconds?: number;
  /** False when the cause was hidden (unexpected error: log it). */
  exposed: boolean;
  /** The database was unreachable (log it as a warning, not as a failure of ours). */
  storeUnavailable?: boolean;
}

const UNKNOWN_ERROR: GraphErrorMapping = {
  status: 500,
  code: 'UnknownError',
  message: 'An internal error occurred. Please try again; if it persists, see the credless server log.',
  exposed: false,
};

/** The one mapping from a thrown error to Graph's status, code and message. */
export function graphErrorFor(error: unknown): GraphErrorMapping {
  // The database is unreachable (restart, failover), seen by the store itself or by the token path's
  // cache failing closed (authentication reads it): nothing was changed, and the client may retry.
  const unreachable =
    error instanceof CredlessError ? error.code === 'directory_unavailable' : isTransientStoreError(error);
  if (unreachable) {
    return {
      ...graphErrorFor(new CredlessError('directory_store_unavailable')),
      retryAfterSeconds: STORE_UNAVAILABLE_RETRY_AFTER_S,
      storeUnavailable: true,
    };
  }
  if (error instanceof CredlessError) {
    const spec = ERROR_CATALOGUE[error.code];
    return spec.kind === 'directory'
      ? { status: spec.status, code: spec.graph, message: error.message, exposed: true }
      : UNKNOWN_ERROR;
  }
  // Fastify's own 4xx (unparsable JSON, wrong content type, body too large) are the client's doing.
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const reason = `Invalid request: ${(error as { message?: unknown }).message}`;
    return graphErrorFor(new CredlessError('graph_bad_request', { reason }));
  }
  return UNKNOWN_ERROR;
}

/** Status and body for an error, with what `graphErrorFor` decided. */
export function toGraphError(
  error: unknown,
  ids: GraphRequestIds,
  now: Date,
): GraphErrorMapping & { body: GraphErrorBody } {
  const mapping = graphErrorFor(error);
  const innerError = {
    // Graph writes the date without fraction or zone.
    date: now.toISOString().replace(/\.\d{3}Z$/, ''),
    'request-id': ids.requestId,
    'client-request-id': ids.clientRequestId,
  };
  return { ...mapping, body: { error: { code: mapping.code, message: mapping.message, innerError } } };
}

export function sendGraphError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  now: Date,
): GraphErrorMapping {
  const ids = graphRequestIds(request);
  const mapped = toGraphError(error, ids, now);
  const { status, body } = mapped;
  if (status === 401) reply.header('www-authenticate', 'Bearer error="invalid_token"');
  if (mapped.retryAfterSeconds !== undefined) reply.header('retry-after', String(mapped.retryAfterSeconds));
  reply
    .code(status)
    .header('cache-control', 'no-store')
    .header('request-id', ids.requestId)
    .header('client-request-id', ids.clientRequestId)
    .send(body);
  return mapped;
}
