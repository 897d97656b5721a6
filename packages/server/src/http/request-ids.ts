import { randomUUID } from 'node:crypto';
import type { RequestIds } from '@credless/core';
import type { FastifyRequest } from 'fastify';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Trace id is ours; the correlation id is the client's `client-request-id` when it is a GUID. */
export function requestIds(request: FastifyRequest): RequestIds {
  const header = request.headers['client-request-id'];
  const query = (request.query as Record<string, unknown> | undefined)?.['client-request-id'];
  const candidate = typeof header === 'string' ? header : typeof query === 'string' ? query : undefined;
  return {
    traceId: randomUUID(),
    correlationId: candidate !== undefined && GUID.test(candidate) ? candidate : randomUUID(),
  };
}
