/**
 * `GET /auditLogs/signIns`: the caller's tenant's sign-in records (token exchanges), newest first, in
 * Graph's signIn shape (service-principal sign-ins: `status.errorCode` 0 or the AADSTS number,
 * `correlationId` the client request id) plus credless's own detail (issuer, subject, failed step,
 * explanation, roles). `$filter` as in sign-in-filter.ts, `$top` 1–1000 (default 100). Needs the
 * application role AuditLog.Read.All, as Graph does.
 * @module
 */
import { CredlessError } from '@credless/core';
import type { FastifyInstance } from 'fastify';
import {
  SIGN_IN_LOG_DEFAULT_LIMIT,
  SIGN_IN_LOG_MAX_LIMIT,
  type SignInLogQuery,
  type SignInLogRecord,
} from '../../store/sign-in-logs.ts';
import { type GraphHandlerContext, requireRole } from '../graph-handler.ts';
import { contextUrl } from '../odata.ts';
import { parseSignInFilter } from './sign-in-filter.ts';

export const SIGN_IN_READ_ROLES = ['AuditLog.Read.All'] as const;
const bad = (reason: string) => new CredlessError('graph_bad_request', { reason });

/** One record as Graph's signIn, credless's fields after Graph's. */
export function toGraphSignIn(record: SignInLogRecord) {
  const { id, createdAt, tenantId: _tenant, appId, clientRequestId, aadsts, ...detail } = record;
  return {
    id,
    createdDateTime: createdAt.toISOString(),
    appId,
    correlationId: clientRequestId,
    isInteractive: false,
    signInEventTypes: ['servicePrincipal'],
    status: {
      errorCode: aadsts ?? 0,
      failureReason: record.errorCode,
      additionalDetails: record.failedStep,
    },
    ...detail,
  };
}

function readQuery(query: Record<string, unknown>, tenantId: string): SignInLogQuery {
  for (const key of Object.keys(query)) {
    if (key.startsWith('$') && key !== '$filter' && key !== '$top') {
      throw bad(`Query option '${key}' is not supported.`);
    }
  }
  const filter = query['$filter'];
  if (filter !== undefined && typeof filter !== 'string') throw bad('Invalid filter clause.');
  const result: SignInLogQuery = { tenantId, ...(filter === undefined ? {} : parseSignInFilter(filter)) };
  const top = query['$top'];
  if (top !== undefined) {
    const value = Number(top);
    if (typeof top !== 'string' || !/^\d+$/.test(top) || value < 1 || value > SIGN_IN_LOG_MAX_LIMIT) {
      throw bad(`Invalid value for '$top': an integer from 1 to ${SIGN_IN_LOG_MAX_LIMIT} is required.`);
    }
    result.limit = value;
  } else {
    result.limit = SIGN_IN_LOG_DEFAULT_LIMIT;
  }
  return result;
}

export function signInRoutes(app: FastifyInstance, ctx: GraphHandlerContext): void {
  app.get('/auditLogs/signIns', async (request) => {
    const caller = ctx.caller(request);
    requireRole(caller, SIGN_IN_READ_ROLES);
    const query = readQuery(request.query as Record<string, unknown>, caller.tenant.id);
    const records = await ctx.store.querySignInLogs(query);
    return {
      '@odata.context': contextUrl(ctx.graphBaseUrl(), 'auditLogs/signIns'),
      value: records.map(toGraphSignIn),
    };
  });
}
