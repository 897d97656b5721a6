/**
 * Graph's error body for every failure of the Graph-compatible API:
 * `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`. Directory
 * errors from the catalogue keep their Graph code, status and message; anything else is a 500 whose
 * body says nothing about its cause (the cause goes to the server log).
 * @module
 */
import { randomUUID } from 'node:crypto';
import { CredlessError, ERROR_CATALOGUE } from '@credless/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

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

/** Status and body for an error; `exposed` is false when the cause was hidden (unexpected error). */
export function toGraphError(
  error: unknown,
  ids: GraphRequestIds,
  now: Date,
): { status: number; body: GraphErrorBody; exposed: boolean } {
  const innerError = {
    // Graph writes the date without fraction or zone.
    date: now.toISOString().replace(/\.\d{3}Z$/, ''),
    'request-id': ids.requestId,
    'client-request-id': ids.clientRequestId,
  };
  if (error instanceof CredlessError) {
    const spec = ERROR_CATALOGUE[error.code];
    if (spec.kind === 'directory') {
      return {
        status: spec.status,
        exposed: true,
        body: { error: { code: spec.graph, message: error.message, innerError } },
      };
    }
  }
  return {
    status: 500,
    exposed: false,
    body: {
      error: {
        code: 'UnknownError',
        message: 'An internal error occurred. Please try again; if it persists, see the credless server log.',
        innerError,
      },
    },
  };
}

export function sendGraphError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  now: Date,
): { exposed: boolean } {
  const ids = graphRequestIds(request);
  const { status, body, exposed } = toGraphError(error, ids, now);
  if (status === 401) reply.header('www-authenticate', 'Bearer error="invalid_token"');
  reply
    .code(status)
    .header('cache-control', 'no-store')
    .header('request-id', ids.requestId)
    .header('client-request-id', ids.clientRequestId)
    .send(body);
  return { exposed };
}
