/**
 * `POST /applications/{id}/addPassword` and `/removePassword`: client secrets, under the tenant's
 * client secret policy. `deny` refuses them; otherwise the secret's lifetime is clamped to the
 * policy's maximum (the answer shows the clamped endDateTime), its text is returned this once and only
 * its scrypt hash is stored; in `audit` mode (the default) the creation is flagged in the sign-in log.
 * @module
 */
import { randomUUID } from 'node:crypto';
import {
  type Application,
  CredlessError,
  DEFAULT_CLIENT_SECRET_POLICY,
  publicPasswordCredential,
  type StoredPasswordCredential,
} from '@credless/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { generateClientSecret, hashClientSecret } from '../directory/client-secrets.ts';
import { addressedApplication, applicationPaths } from './applications.ts';
import { graphRequestIds } from './graph-errors.ts';
import { GRAPH_ROLES, type GraphHandlerContext, objectBody, requireRole } from './graph-handler.ts';
import type { GraphCaller } from './graph-token.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_DISPLAY_NAME_LENGTH = 256;

const invalid = (field: string, reason: string) => new CredlessError('invalid_value', { field, reason });

function dateField(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const millis = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(millis)) throw invalid(field, 'must be an ISO 8601 date and time');
  return millis;
}

interface PasswordRequest {
  displayName: string | null;
  start: number;
  end: number;
  /** Set when the requested end was later than the policy allows. */
  clamped: boolean;
}

/** Graph's `{ passwordCredential: { displayName, startDateTime, endDateTime } }`, checked and clamped. */
function passwordRequest(
  body: Record<string, unknown>,
  now: number,
  maxLifetimeSeconds: number,
): PasswordRequest {
  const raw = body['passwordCredential'] ?? {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalid('passwordCredential', 'must be an object');
  }
  const input = raw as Record<string, unknown>;
  const displayName = input['displayName'] ?? null;
  if (
    displayName !== null &&
    (typeof displayName !== 'string' || displayName.length > MAX_DISPLAY_NAME_LENGTH)
  ) {
    throw invalid('displayName', `must be a string of at most ${MAX_DISPLAY_NAME_LENGTH} characters`);
  }
  const start = Math.max(now, dateField(input['startDateTime'], 'startDateTime') ?? now);
  const latest = now + maxLifetimeSeconds * 1000;
  const requestedEnd = dateField(input['endDateTime'], 'endDateTime') ?? latest;
  if (requestedEnd <= start) throw invalid('endDateTime', 'must be later than startDateTime and now');
  if (start >= latest) {
    throw invalid(
      'startDateTime',
      `must be within the tenant's maximum secret lifetime (${maxLifetimeSeconds} s)`,
    );
  }
  return { displayName, start, end: Math.min(requestedEnd, latest), clamped: requestedEnd > latest };
}

/** A sign-in log entry for a secret created in audit mode: who added which secret to which app. */
async function auditCreation(
  ctx: GraphHandlerContext,
  request: FastifyRequest,
  caller: GraphCaller,
  application: Application,
  credential: StoredPasswordCredential,
): Promise<void> {
  const ids = graphRequestIds(request);
  await ctx.store.insertSignInLogs([
    {
      id: randomUUID(),
      tenantId: caller.tenant.id,
      createdAt: new Date(ctx.now()),
      appId: application.appId,
      applicationId: application.id,
      credentialName: credential.displayName,
      credentialId: credential.keyId,
      issuer: null,
      // The creator: the client id of the Graph caller.
      subject: caller.appId ?? null,
      audience: null,
      resource: null,
      result: 'success',
      errorCode: null,
      aadsts: null,
      failedStep: null,
      clientRequestId: ids.clientRequestId,
      traceId: ids.requestId,
      latencyMs: 0,
      policyAudit: 'client_secret_created',
    },
  ]);
}

export function passwordCredentialRoutes(app: FastifyInstance, ctx: GraphHandlerContext): void {
  for (const path of applicationPaths('/addPassword')) {
    app.post(path, async (request) => {
      const caller = ctx.caller(request);
      requireRole(caller, GRAPH_ROLES.applicationWrite);
      const policy = caller.tenant.clientSecretPolicy ?? DEFAULT_CLIENT_SECRET_POLICY;
      if (policy.mode === 'deny') throw new CredlessError('client_secret_policy_denied');
      const body = request.body === undefined || request.body === null ? {} : objectBody(request);
      const now = ctx.now();
      const wanted = passwordRequest(body, now, policy.maxLifetimeSeconds);
      const application = await addressedApplication(ctx, request);
      const { secretText, hint } = generateClientSecret();
      const credential: StoredPasswordCredential = {
        keyId: randomUUID(),
        displayName: wanted.displayName,
        hint,
        startDateTime: new Date(wanted.start).toISOString(),
        endDateTime: new Date(wanted.end).toISOString(),
        secretHash: await hashClientSecret(secretText),
      };
      await ctx.store.createPasswordCredential(caller.tenant.id, application.id, credential);
      if (policy.mode === 'audit') await auditCreation(ctx, request, caller, application, credential);
      if (wanted.clamped) {
        request.log.info(
          { appId: application.appId, keyId: credential.keyId, endDateTime: credential.endDateTime },
          "client secret lifetime clamped to the tenant's maximum",
        );
      }
      return {
        '@odata.context': `${ctx.graphBaseUrl()}/$metadata#microsoft.graph.passwordCredential`,
        ...publicPasswordCredential(credential),
        // Shown this once; only its hash is kept.
        secretText,
      };
    });
  }

  for (const path of applicationPaths('/removePassword')) {
    app.post(path, async (request, reply) => {
      const caller = ctx.caller(request);
      requireRole(caller, GRAPH_ROLES.applicationWrite);
      const keyId = objectBody(request)['keyId'];
      if (typeof keyId !== 'string' || !GUID.test(keyId)) throw invalid('keyId', 'must be a GUID');
      const application = await addressedApplication(ctx, request);
      await ctx.store.deletePasswordCredential(caller.tenant.id, application.id, keyId.toLowerCase());
      return reply.code(204).send();
    });
  }
}
