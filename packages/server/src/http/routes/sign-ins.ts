/**
 * GET /{tenant}/signins: the tenant's sign-in records, newest first, in Graph's camelCase style
 * (`{ value: [...] }`). Guarded like Graph's auditLogs: a bearer access token issued by this credless
 * for Microsoft Graph in this tenant, carrying the application role AuditLog.Read.All.
 * @module
 */
import type { TokenDirectory } from '@credless/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { bearerToken, verifyGraphToken } from '../../graph/graph-token.ts';
import type { JwksKey } from '../../keys/signing-key-manager.ts';
import type { SignInLogQuery, SignInLogRecord } from '../../store/sign-in-logs.ts';

export const AUDIT_LOG_READ_ROLE = 'AuditLog.Read.All';
const MAX_LIMIT = 1000;
/** `1h`, `30m`, `7d`… accepted by `since` besides ISO timestamps. */
const DURATION = /^(\d{1,6})([smhd])$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export interface SignInRouteOptions {
  baseUrl: () => string;
  directory: Pick<TokenDirectory, 'findTenant'>;
  getJwks: (tenantId: string) => Promise<{ keys: JwksKey[] }>;
  querySignInLogs: (query: SignInLogQuery) => Promise<SignInLogRecord[]>;
  now: () => number;
}

/** The record as Graph-style JSON: camelCase, ISO `createdDateTime`. */
export function signInToJson(record: SignInLogRecord) {
  const { id, createdAt, tenantId: _tenantId, ...rest } = record;
  return { id, createdDateTime: createdAt.toISOString(), ...rest };
}

/** A moment from an ISO timestamp or a duration back from now (`1h`); undefined when neither. */
export function parseSince(value: string, now: number): Date | undefined {
  const duration = DURATION.exec(value);
  if (duration) return new Date(now - Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS]);
  const time = Date.parse(value);
  return /^\d{4}-\d{2}-\d{2}/.test(value) && Number.isFinite(time) ? new Date(time) : undefined;
}

const graphError = (reply: FastifyReply, status: number, code: string, message: string) =>
  reply.code(status).header('cache-control', 'no-store').send({ error: { code, message } });

type Query = Record<string, string | undefined>;

function readQuery(query: Query, tenantId: string, now: number): SignInLogQuery | string {
  const result: SignInLogQuery = { tenantId };
  if (query['appId']) result.appId = query['appId'];
  if (query['failed'] !== undefined) {
    if (query['failed'] !== 'true' && query['failed'] !== 'false') return "'failed' must be true or false";
    if (query['failed'] === 'true') result.result = 'failure';
  }
  for (const field of ['since', 'until'] as const) {
    const raw = query[field];
    if (raw === undefined) continue;
    const date = parseSince(raw, now);
    if (!date) return `'${field}' must be an ISO 8601 timestamp or a duration such as 1h`;
    result[field] = date;
  }
  if (query['limit'] !== undefined) {
    const limit = Number(query['limit']);
    if (!/^\d+$/.test(query['limit']) || limit < 1 || limit > MAX_LIMIT)
      return `'limit' must be an integer between 1 and ${MAX_LIMIT}`;
    result.limit = limit;
  }
  return result;
}

export async function signInRoutes(app: FastifyInstance, options: SignInRouteOptions): Promise<void> {
  app.get('/:tenant/signins', async (request, reply) => {
    const { tenant: tenantParam } = request.params as { tenant: string };
    const tenant = await options.directory.findTenant(tenantParam);
    const token = bearerToken(request);
    // Unknown tenant and missing token answer alike: nothing about tenants leaks without a token.
    const roles = token && tenant ? (await verifyGraphToken(token, tenant, options))?.roles : undefined;
    if (!tenant || roles === undefined) {
      reply.header('www-authenticate', 'Bearer error="invalid_token"');
      return graphError(reply, 401, 'InvalidAuthenticationToken', 'Access token is missing or invalid.');
    }
    if (!roles.includes(AUDIT_LOG_READ_ROLE)) {
      return graphError(
        reply,
        403,
        'Authorization_RequestDenied',
        `Insufficient privileges to complete the operation: the application role ${AUDIT_LOG_READ_ROLE} is required.`,
      );
    }
    const query = readQuery((request.query ?? {}) as Query, tenant.id, options.now());
    if (typeof query === 'string') return graphError(reply, 400, 'BadRequest', query);
    const records = await options.querySignInLogs(query);
    return reply.header('cache-control', 'no-store').send({ value: records.map(signInToJson) });
  });
}
