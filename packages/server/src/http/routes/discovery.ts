/**
 * OpenID discovery in Entra's shape: v1 and v2 metadata, signing keys (JWKS), and the instance
 * discovery that MSAL calls. A tenant is addressable by its id or its domain.
 * @module
 */
import { authorityUrls, CredlessError, type Tenant, type TokenDirectory } from '@credless/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JwksKey } from '../../keys/signing-key-manager.ts';
import { requestIds } from '../request-ids.ts';
import { stsErrorBody } from '../sts-errors.ts';

export interface DiscoveryRouteOptions {
  /** Read per request: the public URL may be known only once the server listens. */
  baseUrl: () => string;
  directory: Pick<TokenDirectory, 'findTenant'>;
  getJwks: (tenantId: string) => Promise<{ keys: JwksKey[] }>;
  now: () => number;
}

const METADATA_MAX_AGE = 'max-age=86400, private';

function v2Metadata(baseUrl: string, tenantId: string) {
  const host = new URL(baseUrl).host;
  const tenantBase = `${baseUrl}/${tenantId}`;
  return {
    token_endpoint: `${tenantBase}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    jwks_uri: `${tenantBase}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: authorityUrls(baseUrl, tenantId).v2Issuer,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${baseUrl}/oidc/userinfo`,
    authorization_endpoint: `${tenantBase}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${tenantBase}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${tenantBase}/oauth2/v2.0/logout`,
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'nbf',
      'oid',
      'tid',
      'ver',
      'roles',
      'azp',
      'idtyp',
    ],
    kerberos_endpoint: `${tenantBase}/kerberos`,
    tenant_region_scope: null,
    cloud_instance_name: host,
    cloud_graph_host_name: host,
    msgraph_host: host,
    rbac_url: baseUrl,
  };
}

function v1Metadata(baseUrl: string, tenantId: string) {
  const tenantBase = `${baseUrl}/${tenantId}`;
  return {
    ...v2Metadata(baseUrl, tenantId),
    token_endpoint: `${tenantBase}/oauth2/token`,
    jwks_uri: `${tenantBase}/discovery/keys`,
    issuer: authorityUrls(baseUrl, tenantId).v1Issuer,
    authorization_endpoint: `${tenantBase}/oauth2/authorize`,
    device_authorization_endpoint: `${tenantBase}/oauth2/devicecode`,
    end_session_endpoint: `${tenantBase}/oauth2/logout`,
    microsoft_multi_refresh_token: true,
  };
}

export async function discoveryRoutes(app: FastifyInstance, options: DiscoveryRouteOptions): Promise<void> {
  const { directory } = options;

  const sendError = (request: FastifyRequest, reply: FastifyReply, error: unknown) => {
    const { status, body, exposed } = stsErrorBody(
      error,
      requestIds(request),
      new Date(options.now()),
      options.baseUrl(),
    );
    if (!exposed) reply.log.error({ err: error }, 'discovery failed unexpectedly');
    return reply.code(status).header('cache-control', 'no-store').send(body);
  };

  const withTenant =
    (respond: (tenant: Tenant, reply: FastifyReply, baseUrl: string) => Promise<unknown> | unknown) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const { tenant: tenantParam } = request.params as { tenant: string };
      try {
        const tenant = await directory.findTenant(tenantParam);
        if (!tenant) throw new CredlessError('tenant_not_found', { tenant: tenantParam });
        return await respond(tenant, reply, options.baseUrl());
      } catch (error) {
        return sendError(request, reply, error);
      }
    };

  app.get(
    '/:tenant/v2.0/.well-known/openid-configuration',
    withTenant((tenant, reply, baseUrl) =>
      reply.header('cache-control', METADATA_MAX_AGE).send(v2Metadata(baseUrl, tenant.id)),
    ),
  );
  app.get(
    '/:tenant/.well-known/openid-configuration',
    withTenant((tenant, reply, baseUrl) =>
      reply.header('cache-control', METADATA_MAX_AGE).send(v1Metadata(baseUrl, tenant.id)),
    ),
  );
  app.get(
    '/:tenant/discovery/v2.0/keys',
    withTenant(async (tenant, reply, baseUrl) => {
      const { keys } = await options.getJwks(tenant.id);
      const issuer = authorityUrls(baseUrl, tenant.id).v2Issuer;
      return reply
        .header('cache-control', METADATA_MAX_AGE)
        .send({ keys: keys.map((key) => ({ ...key, issuer })) });
    }),
  );
  app.get(
    '/:tenant/discovery/keys',
    withTenant(async (tenant, reply) => {
      const { keys } = await options.getJwks(tenant.id);
      return reply.header('cache-control', METADATA_MAX_AGE).send({ keys });
    }),
  );

  // MSAL's instance discovery: only authorities on this credless are known.
  app.get('/common/discovery/instance', async (request, reply) => {
    const baseUrl = options.baseUrl();
    const query = request.query as Record<string, unknown>;
    const endpoint =
      typeof query['authorization_endpoint'] === 'string' ? query['authorization_endpoint'] : '';
    if (!namesThisInstance(endpoint, new URL(baseUrl))) {
      return sendError(
        request,
        reply,
        new CredlessError('invalid_instance', { authority: endpoint.slice(0, 200) }),
      );
    }
    const host = new URL(baseUrl).host;
    const tenant = new URL(endpoint).pathname.split('/')[1] || 'common';
    return reply.header('cache-control', METADATA_MAX_AGE).send({
      tenant_discovery_endpoint: `${baseUrl}/${tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  });
}

/**
 * Whether an authorization endpoint is on this credless. MSAL Python keeps only the authority's host
 * name (it drops the port) when it builds this URL, so an endpoint without a port names us too; the
 * tenant discovery endpoint we answer with carries the real port.
 */
function namesThisInstance(endpoint: string, ours: URL): boolean {
  if (!URL.canParse(endpoint)) return false;
  const url = new URL(endpoint);
  return (
    url.protocol === ours.protocol &&
    url.hostname === ours.hostname &&
    (url.port === ours.port || url.port === '') &&
    url.username === '' &&
    url.password === ''
  );
}
