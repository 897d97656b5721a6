/**
 * POST /{tenant}/explain with JSON `{ "appId": "…", "token": "…", "verifySignature"?: false }`: dry-runs a token against one
 * application's federated identity credentials and answers the report (which credential matches, or
 * the nearest misses with a field-by-field diff). Issues nothing, records nothing. Guarded like Graph's
 * application reads: a bearer Graph token of this tenant with Application.Read.All or
 * Application.ReadWrite.All. The token under test is never logged or echoed.
 * @module
 */
import { CredlessError } from '@credless/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { DryRunReport } from '../../explain/dry-run.ts';
import { bearerToken, type GraphTokenOptions, verifyGraphToken } from '../../graph/graph-token.ts';

export const EXPLAIN_ROLES = ['Application.Read.All', 'Application.ReadWrite.All'] as const;
/** A token is at most 16 KiB by default; leave room for the JSON around it. */
export const EXPLAIN_BODY_LIMIT_BYTES = 64 * 1024;

export interface ExplainRouteOptions extends GraphTokenOptions {
  /** Runs the dry run for one application of the tenant; throws `not_found`/`assertion_malformed`. */
  explain: (input: {
    tenantId: string;
    app: string;
    token: string;
    /** False: the issuer's keys are not looked for (the report says the signature was not checked). */
    verifySignature: boolean;
  }) => Promise<DryRunReport>;
}

const graphError = (reply: FastifyReply, status: number, code: string, message: string) =>
  reply.code(status).header('cache-control', 'no-store').send({ error: { code, message } });

function readBody(body: unknown): { appId: string; token: string; verifySignature: boolean } | string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return 'the body must be a JSON object { "appId": "…", "token": "…" }';
  }
  const { appId, token, verifySignature } = body as Record<string, unknown>;
  if (typeof appId !== 'string' || appId.length === 0 || appId.length > 256) {
    return "'appId' must be a non-empty string (the application's client id or object id)";
  }
  if (typeof token !== 'string' || token.length === 0) return "'token' must be a non-empty string (a JWT)";
  if (verifySignature !== undefined && typeof verifySignature !== 'boolean') {
    return "'verifySignature' must be true or false";
  }
  return { appId, token, verifySignature: verifySignature !== false };
}

export async function explainRoutes(app: FastifyInstance, options: ExplainRouteOptions): Promise<void> {
  app.post('/:tenant/explain', { bodyLimit: EXPLAIN_BODY_LIMIT_BYTES }, async (request, reply) => {
    const { tenant: tenantParam } = request.params as { tenant: string };
    const tenant = await options.directory.findTenant(tenantParam);
    const bearer = bearerToken(request);
    // Unknown tenant and missing token answer alike: nothing about tenants leaks without a token.
    const caller = bearer && tenant ? await verifyGraphToken(bearer, tenant, options) : undefined;
    if (!tenant || caller === undefined) {
      reply.header('www-authenticate', 'Bearer error="invalid_token"');
      return graphError(reply, 401, 'InvalidAuthenticationToken', 'Access token is missing or invalid.');
    }
    if (!EXPLAIN_ROLES.some((role) => caller.roles.includes(role))) {
      return graphError(
        reply,
        403,
        'Authorization_RequestDenied',
        `Insufficient privileges to complete the operation: the application role ${EXPLAIN_ROLES.join(' or ')} is required.`,
      );
    }
    const body = readBody(request.body);
    if (typeof body === 'string') return graphError(reply, 400, 'BadRequest', body);
    try {
      const report = await options.explain({
        tenantId: tenant.id,
        app: body.appId,
        token: body.token,
        verifySignature: body.verifySignature,
      });
      return reply.header('cache-control', 'no-store').send(report);
    } catch (error) {
      if (error instanceof CredlessError && error.code === 'not_found') {
        return graphError(reply, 404, 'Request_ResourceNotFound', error.message);
      }
      if (error instanceof CredlessError && error.code === 'assertion_malformed') {
        return graphError(reply, 400, 'BadRequest', error.message);
      }
      throw error;
    }
  });
}
