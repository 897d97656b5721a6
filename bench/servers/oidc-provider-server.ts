/**
 * Benchmark child: node-oidc-provider doing client_credentials with private_key_jwt client
 * authentication (RS256) and RS256 JWT access tokens for one resource server, over HTTPS with the
 * same kind of certificate credless uses (plain HTTP with BENCH_PROTOCOL=http). Prints {url, tokenEndpoint, clientId, resource, scope,
 * caCertPem} once listening.
 *
 * Environment: BENCH_CLIENT_JWK (the client's public JWK, with kid).
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';
import { listen, requireEnv, serveUntilSignal } from './child-support.ts';

const CLIENT_ID = 'bench-client';
const RESOURCE = 'urn:bench:api';
const SCOPE = 'api:read';

const clientJwk = JSON.parse(requireEnv('BENCH_CLIENT_JWK')) as JWK;
const signing = await generateKeyPair('RS256', { extractable: true });
const providerJwk = { ...(await exportJWK(signing.privateKey)), alg: 'RS256', use: 'sig', kid: 'bench-as' };

// The issuer URL needs the port, so listen first and hand requests to the provider once it exists.
let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
const server = await listen('oidc-provider', (req, res) => {
  if (handler) handler(req, res);
  else res.writeHead(503).end();
});
const issuer = server.url;

const resourceServer = {
  scope: SCOPE,
  audience: RESOURCE,
  accessTokenTTL: 3600,
  accessTokenFormat: 'jwt',
  jwt: { sign: { alg: 'RS256' } },
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: CLIENT_ID,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'RS256',
      jwks: { keys: [clientJwk] },
      scope: SCOPE,
    },
  ],
  jwks: { keys: [providerJwk] },
  clientAuthMethods: ['private_key_jwt'],
  scopes: [SCOPE],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx: unknown, indicator: string) => {
        if (indicator !== RESOURCE) throw new Error(`unknown resource ${indicator}`);
        return resourceServer;
      },
    },
  },
});
// Errors are counted by the load generator; keep the child quiet.
provider.on('server_error', (_ctx, error) => console.error(error));
handler = provider.callback();

serveUntilSignal(
  {
    url: issuer,
    tokenEndpoint: `${issuer}/token`,
    clientId: CLIENT_ID,
    resource: RESOURCE,
    scope: SCOPE,
    caCertPem: server.caCertPem,
  },
  () => server.close(),
);
