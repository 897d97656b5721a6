/**
 * The guard shared by every Graph-shaped endpoint: a bearer access token issued by this credless for
 * Microsoft Graph, verified against the issuing tenant's own signing keys, issuer and audience. The
 * tenant is the token's: a token of tenant A never verifies as one of tenant B, which is what keeps
 * tenants apart.
 * @module
 */
import { GRAPH_APP_ID, GRAPH_RESOURCE_URI, type Tenant, type TokenDirectory } from '@credless/core';
import type { FastifyRequest } from 'fastify';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { JwksKey } from '../keys/signing-key-manager.ts';

export interface GraphTokenOptions {
  baseUrl: () => string;
  directory: Pick<TokenDirectory, 'findTenant'>;
  getJwks: (tenantId: string) => Promise<{ keys: JwksKey[] }>;
  now: () => number;
  /** Accepted `aud` values (default: Graph's); the cluster API passes the AKS server app's. */
  audiences?: string[];
}

/** Who called, from a verified Graph token. */
export interface GraphCaller {
  tenant: Tenant;
  roles: string[];
  /** The calling application's client id and service principal object id. */
  appId: string | undefined;
  principalId: string | undefined;
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim()) : null;
  return match?.[1];
}

const claim = (payload: Record<string, unknown>, name: string): string | undefined =>
  typeof payload[name] === 'string' ? (payload[name] as string) : undefined;

/** The caller when the token is valid for Graph in `tenant`; undefined otherwise. */
export async function verifyGraphToken(
  token: string,
  tenant: Tenant,
  options: GraphTokenOptions,
): Promise<GraphCaller | undefined> {
  try {
    const jwks = createLocalJWKSet(
      (await options.getJwks(tenant.id)) as Parameters<typeof createLocalJWKSet>[0],
    );
    const { payload } = await jwtVerify(token, jwks, {
      algorithms: ['RS256'],
      issuer: `${options.baseUrl()}/${tenant.id}/`,
      // v1 Graph tokens carry the resource as requested.
      audience: options.audiences ?? [GRAPH_RESOURCE_URI, `${GRAPH_RESOURCE_URI}/`, GRAPH_APP_ID],
      currentDate: new Date(options.now()),
    });
    if (payload['tid'] !== tenant.id) return undefined;
    const roles = payload['roles'];
    return {
      tenant,
      roles: Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [],
      appId: claim(payload, 'appid') ?? claim(payload, 'azp'),
      principalId: claim(payload, 'oid'),
    };
  } catch {
    return undefined;
  }
}

/**
 * Authenticates a request whose tenant is the token's own `tid` (Graph has no tenant in the path).
 * The unverified `tid` only picks which tenant's keys to verify with; nothing is trusted before that.
 */
export async function authenticateGraphRequest(
  request: FastifyRequest,
  options: GraphTokenOptions,
): Promise<GraphCaller | undefined> {
  const token = bearerToken(request);
  if (!token) return undefined;
  let tid: unknown;
  try {
    tid = decodeJwt(token)['tid'];
  } catch {
    return undefined;
  }
  if (typeof tid !== 'string' || !/^[0-9a-f-]{36}$/i.test(tid)) return undefined;
  const tenant = await options.directory.findTenant(tid);
  return tenant ? verifyGraphToken(token, tenant, options) : undefined;
}
