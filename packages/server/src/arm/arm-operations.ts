/**
 * ARM's long-running operations for managed clusters: a PUT answers 201 (or 200) with
 * `Azure-AsyncOperation`, a DELETE 202 with it and `Location`; the client polls
 * `…/locations/{location}/operations/{id}` until `Succeeded` (or `Failed`), as az does. The operation
 * id carries what it is about (kind, resource id, start), so any replica answers a poll from the store's
 * state: a create is InProgress until a replica serves the cluster's API, a delete until it is gone.
 * @module
 */
import { CredlessError } from '@credless/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  type ArmProviderDeps,
  type ArmRequestContext,
  apiVersionOf,
  armRequestContext,
  armUrl,
} from './arm-providers-catalogue.ts';
import type { ArmProviderRoutes } from './arm-providers-routing.ts';

export type OperationKind = 'create' | 'delete';

export interface ArmOperation {
  kind: OperationKind;
  resourceId: string;
  /** Milliseconds since the epoch. */
  startedAt: number;
}

export type OperationState = { status: 'InProgress' | 'Succeeded' } | { status: 'Failed'; message: string };

const ID = /^[A-Za-z0-9_-]{16,1400}$/;

export const encodeOperationId = (operation: ArmOperation): string =>
  Buffer.from(
    JSON.stringify({ k: operation.kind, r: operation.resourceId, t: operation.startedAt }),
  ).toString('base64url');

/** The operation an id names, when it is one of this subscription's; anything else is not found. */
export function decodeOperationId(id: string, subscription: string): ArmOperation {
  const notFound = () => new CredlessError('arm_operation_not_found', { id: id.slice(0, 200) });
  if (!ID.test(id)) throw notFound();
  let parsed: { k?: unknown; r?: unknown; t?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(id, 'base64url').toString('utf8'));
  } catch {
    throw notFound();
  }
  const { k, r, t } = parsed ?? {};
  if (
    (k !== 'create' && k !== 'delete') ||
    typeof r !== 'string' ||
    !r.toLowerCase().startsWith(`/subscriptions/${subscription}/`) ||
    typeof t !== 'number' ||
    !Number.isFinite(t)
  ) {
    throw notFound();
  }
  return { kind: k, resourceId: r, startedAt: t };
}

export interface OperationRoutes {
  namespace: string;
  /** The state of an operation, read from the store; may throw ARM errors (e.g. AuthorizationFailed). */
  stateOf(ctx: ArmRequestContext, operation: ArmOperation): Promise<OperationState>;
}

/** The headers a long-running operation's first answer carries. */
export function operationHeaders(
  request: FastifyRequest,
  namespace: string,
  location: string,
  operation: ArmOperation,
): Record<string, string> {
  const { subscriptionId } = request.params as { subscriptionId: string };
  const id = encodeOperationId(operation);
  const base = `/subscriptions/${subscriptionId}/providers/${namespace}/locations/${location}`;
  const version = apiVersionOf(request);
  return {
    'azure-asyncoperation': armUrl(request, `${base}/operations/${id}`, version),
    ...(operation.kind === 'delete'
      ? { location: armUrl(request, `${base}/operationresults/${id}`, version) }
      : {}),
    // Retry-After 0 would make azure-core wait its default 30 s; 1 s is the shortest honoured.
    'retry-after': '1',
  };
}

export function registerOperationRoutes(
  provider: ArmProviderRoutes,
  deps: ArmProviderDeps,
  routes: OperationRoutes,
): void {
  const base = `/subscriptions/:subscriptionId/providers/${routes.namespace}/locations/:location`;
  const read = async (request: FastifyRequest) => {
    const ctx = await armRequestContext(deps, request);
    const { operationId } = request.params as { operationId: string };
    const operation = decodeOperationId(operationId, ctx.subscription);
    return { operation, operationId, state: await routes.stateOf(ctx, operation) };
  };

  // Azure-AsyncOperation: the status document.
  provider.add(
    'GET',
    `${base}/operations/:operationId`,
    async (request: FastifyRequest, reply: FastifyReply) => {
      const { operation, operationId, state } = await read(request);
      if (state.status === 'InProgress') reply.header('retry-after', '1');
      return {
        id: request.url.split('?')[0],
        name: operationId,
        status: state.status,
        startTime: new Date(operation.startedAt).toISOString(),
        ...(state.status === 'InProgress' ? {} : { endTime: new Date().toISOString() }),
        ...(state.status === 'Failed' ? { error: { code: 'OperationFailed', message: state.message } } : {}),
      };
    },
  );
  // Location: 202 while running, then 204 (a failed one answers its error).
  provider.add('GET', `${base}/operationresults/:operationId`, async (request, reply) => {
    const { state } = await read(request);
    if (state.status === 'InProgress') return reply.code(202).header('retry-after', '1').send();
    if (state.status === 'Failed') {
      return reply.code(500).send({ error: { code: 'OperationFailed', message: state.message } });
    }
    return reply.code(204).send();
  });
}
