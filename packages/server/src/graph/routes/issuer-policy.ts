/**
 * `/credless/issuerPolicy` (credless's own, not Graph's): the caller's tenant's trusted-issuer policy —
 * mode for issuers not on the list (off, audit, enforce), the shared-issuer guard — and the trusted
 * issuers with their limits and pinned keys (shown by key id; the keys stay in the store).
 *   GET    /credless/issuerPolicy                      the policy with its trusted issuers
 *   PATCH  /credless/issuerPolicy                      { mode?, sharedIssuerGuard? } → the policy
 *   GET    /credless/issuerPolicy/trustedIssuers       the list
 *   POST   /credless/issuerPolicy/trustedIssuers       { issuer, maxAssertionLifetimeSeconds?,
 *          clockSkewSeconds?, pinnedJwks? } adds (201) or changes (200) one; null clears a field
 *   GET|DELETE /credless/issuerPolicy/trustedIssuers/{percent-encoded issuer}
 * Reading needs Policy.Read.All (or Policy.ReadWrite.ApplicationConfiguration, Directory.Read.All),
 * changing Policy.ReadWrite.ApplicationConfiguration, Entra's roles for tenant-wide application policies.
 * @module
 */
import { CredlessError, type TenantIssuerPolicy, type TrustedIssuer } from '@credless/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IssuerPolicyPatch, TrustedIssuerInput } from '../../store/issuer-policies.ts';
import { type GraphHandlerContext, objectBody, requireRole } from '../graph-handler.ts';
import { contextUrl } from '../odata.ts';

export const ISSUER_POLICY_ROLES = {
  read: ['Policy.Read.All', 'Policy.ReadWrite.ApplicationConfiguration', 'Directory.Read.All'],
  write: ['Policy.ReadWrite.ApplicationConfiguration'],
} as const;

const PATH = 'credless/issuerPolicy';
const ISSUERS_PATH = `${PATH}/trustedIssuers`;
const invalid = (field: string, reason: string) => new CredlessError('invalid_value', { field, reason });

export function toTrustedIssuerView(entry: TrustedIssuer) {
  return {
    issuer: entry.issuer,
    maxAssertionLifetimeSeconds: entry.maxAssertionLifetimeSeconds,
    clockSkewSeconds: entry.clockSkewSeconds,
    pinnedJwks: entry.pinnedJwks
      ? {
          kids: entry.pinnedJwks.keys.map((key) => String(key['kid'])),
          updatedAt:
            entry.pinnedJwksUpdatedAt === null ? null : new Date(entry.pinnedJwksUpdatedAt).toISOString(),
        }
      : null,
  };
}

export const toIssuerPolicyView = (policy: TenantIssuerPolicy) => ({
  mode: policy.mode,
  sharedIssuerGuard: policy.sharedIssuerGuard,
  trustedIssuers: policy.trustedIssuers.map(toTrustedIssuerView),
});

function onlyKeys(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw invalid(key, `is not one of ${allowed.join(', ')}`);
  }
}

function readPatch(body: Record<string, unknown>): IssuerPolicyPatch {
  onlyKeys(body, ['mode', 'sharedIssuerGuard']);
  const patch: IssuerPolicyPatch = {};
  if (body['mode'] !== undefined) {
    if (typeof body['mode'] !== 'string') throw invalid('mode', 'must be a string');
    patch.mode = body['mode'] as IssuerPolicyPatch['mode'] & string;
  }
  if (body['sharedIssuerGuard'] !== undefined) {
    if (typeof body['sharedIssuerGuard'] !== 'boolean')
      throw invalid('sharedIssuerGuard', 'must be a boolean');
    patch.sharedIssuerGuard = body['sharedIssuerGuard'];
  }
  return patch;
}

function readTrustedIssuer(body: Record<string, unknown>): TrustedIssuerInput {
  onlyKeys(body, ['issuer', 'maxAssertionLifetimeSeconds', 'clockSkewSeconds', 'pinnedJwks']);
  const { issuer } = body;
  if (typeof issuer !== 'string' || issuer === '') throw invalid('issuer', 'must be a non-empty string');
  const input: TrustedIssuerInput = { issuer };
  for (const field of ['maxAssertionLifetimeSeconds', 'clockSkewSeconds'] as const) {
    const value = body[field];
    if (value === undefined) continue;
    if (value !== null && typeof value !== 'number') throw invalid(field, 'must be a number or null');
    input[field] = value;
  }
  // The store checks the document (public signing keys only); null unpins.
  if (body['pinnedJwks'] !== undefined) input.pinnedJwks = body['pinnedJwks'];
  return input;
}

const issuerParam = (request: FastifyRequest) => (request.params as { issuer: string }).issuer;

export function issuerPolicyRoutes(app: FastifyInstance, ctx: GraphHandlerContext): void {
  const base = () => ctx.graphBaseUrl();
  const policyOf = async (request: FastifyRequest, roles: readonly string[]) => {
    const caller = ctx.caller(request);
    requireRole(caller, roles);
    return { tenantId: caller.tenant.id, policy: await ctx.store.getIssuerPolicy(caller.tenant.id) };
  };

  app.get(`/${PATH}`, async (request) => {
    const { policy } = await policyOf(request, ISSUER_POLICY_ROLES.read);
    return { '@odata.context': contextUrl(base(), PATH, { entity: true }), ...toIssuerPolicyView(policy) };
  });

  app.patch(`/${PATH}`, async (request) => {
    const caller = ctx.caller(request);
    requireRole(caller, ISSUER_POLICY_ROLES.write);
    const patch = readPatch(objectBody(request));
    const policy = await ctx.store.updateIssuerPolicy(caller.tenant.id, patch);
    return { '@odata.context': contextUrl(base(), PATH, { entity: true }), ...toIssuerPolicyView(policy) };
  });

  app.get(`/${ISSUERS_PATH}`, async (request) => {
    const { policy } = await policyOf(request, ISSUER_POLICY_ROLES.read);
    return {
      '@odata.context': contextUrl(base(), ISSUERS_PATH),
      value: policy.trustedIssuers.map(toTrustedIssuerView),
    };
  });

  app.get(`/${ISSUERS_PATH}/:issuer`, async (request) => {
    const { policy } = await policyOf(request, ISSUER_POLICY_ROLES.read);
    const issuer = issuerParam(request);
    const entry = policy.trustedIssuers.find((candidate) => candidate.issuer === issuer);
    if (!entry) throw new CredlessError('not_found', { id: issuer });
    return {
      '@odata.context': contextUrl(base(), ISSUERS_PATH, { entity: true }),
      ...toTrustedIssuerView(entry),
    };
  });

  app.post(`/${ISSUERS_PATH}`, async (request, reply) => {
    const { tenantId, policy } = await policyOf(request, ISSUER_POLICY_ROLES.write);
    const input = readTrustedIssuer(objectBody(request));
    const existed = policy.trustedIssuers.some((entry) => entry.issuer === input.issuer);
    const trusted = await ctx.store.upsertTrustedIssuer(tenantId, input);
    if (!existed) {
      reply.code(201).header('location', `${base()}/${ISSUERS_PATH}/${encodeURIComponent(trusted.issuer)}`);
    }
    return {
      '@odata.context': contextUrl(base(), ISSUERS_PATH, { entity: true }),
      ...toTrustedIssuerView(trusted),
    };
  });

  app.delete(`/${ISSUERS_PATH}/:issuer`, async (request, reply) => {
    const caller = ctx.caller(request);
    requireRole(caller, ISSUER_POLICY_ROLES.write);
    await ctx.store.deleteTrustedIssuer(caller.tenant.id, issuerParam(request));
    return reply.code(204).send();
  });
}
