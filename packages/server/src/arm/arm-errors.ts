/**
 * Azure Resource Manager's error body `{"error":{"code","message"}}` with its request-id headers.
 * Catalogue errors keep their code, status and message; anything else is a 500 that hides its cause.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { CredlessError, ERROR_CATALOGUE } from '@credless/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface ArmErrorBody {
  error: { code: string; message: string };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** ARM's ids: ours as `x-ms-request-id`, the client's `x-ms-client-request-id` echoed when a GUID. */
export function setArmRequestIds(request: FastifyRequest, reply: FastifyReply): void {
  const requestId = randomUUID();
  const client = request.headers['x-ms-client-request-id'];
  reply.header('x-ms-request-id', requestId);
  reply.header('x-ms-correlation-request-id', requestId);
  if (typeof client === 'string' && GUID.test(client)) reply.header('x-ms-client-request-id', client);
}

export function toArmError(error: unknown): { status: number; body: ArmErrorBody; exposed: boolean } {
  if (error instanceof CredlessError) {
    const spec = ERROR_CATALOGUE[error.code];
    if (spec.kind === 'directory') {
      return {
        status: spec.status,
        exposed: true,
        body: { error: { code: spec.graph, message: error.message } },
      };
    }
  }
  return {
    status: 500,
    exposed: false,
    body: {
      error: {
        code: 'InternalServerError',
        message: 'An internal error occurred. Please try again; if it persists, see the credless server log.',
      },
    },
  };
}

export function sendArmError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
): { exposed: boolean } {
  const { status, body, exposed } = toArmError(error);
  if (!reply.hasHeader('x-ms-request-id')) setArmRequestIds(request, reply);
  if (status === 401) reply.header('www-authenticate', 'Bearer error="invalid_token"');
  reply.code(status).header('cache-control', 'no-store').send(body);
  return { exposed };
}
