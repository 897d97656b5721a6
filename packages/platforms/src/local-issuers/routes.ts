/**
 * HTTP surface of the emulated issuers:
 * - local clusters, AKS-like: `<base>/oidc/<tenant>/<guid>/.well-known/openid-configuration` and
 *   `…/openid/v1/jwks`, in kube-apiserver's shape;
 * - GitHub Actions: `<base>/github-actions/.well-known/openid-configuration`, `…/.well-known/jwks`, and
 *   the `ACTIONS_ID_TOKEN_REQUEST_URL` endpoint `GET <base>/github-actions/token?…&audience=…` with
 *   `Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN`, answering `{"value": "<jwt>"}`.
 * @module
 */
import { CredlessError, clusterIssuerUrl } from '@credless/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { LocalIssuers } from './local-issuers.ts';

export interface LocalIssuerRouteOptions {
  localIssuers: LocalIssuers;
  baseUrl: () => string;
}

const METADATA_MAX_AGE = 'max-age=3600, public';

function sendError(reply: FastifyReply, error: unknown) {
  if (error instanceof CredlessError) {
    return reply.code(error.status).header('cache-control', 'no-store').send({ message: error.message });
  }
  reply.log.error({ err: error }, 'emulated issuer request failed unexpectedly');
  return reply.code(500).header('cache-control', 'no-store').send({ message: 'internal error' });
}

export async function localIssuerRoutes(
  app: FastifyInstance,
  options: LocalIssuerRouteOptions,
): Promise<void> {
  const { localIssuers } = options;

  const clusterFor = async (params: unknown) => {
    const { tenant, guid } = params as { tenant: string; guid: string };
    const issuer = clusterIssuerUrl(options.baseUrl(), tenant, guid);
    const cluster = await localIssuers.clusterByIssuer(issuer);
    return cluster?.oidcIssuerEnabled ? cluster : undefined;
  };
  const notFound = (reply: FastifyReply) =>
    reply.code(404).header('cache-control', 'no-store').send({ message: 'no such OIDC issuer' });

  app.get('/oidc/:tenant/:guid/.well-known/openid-configuration', async (request, reply) => {
    const cluster = await clusterFor(request.params);
    if (!cluster) return notFound(reply);
    // kube-apiserver's discovery document, member for member.
    return reply.header('cache-control', METADATA_MAX_AGE).send({
      issuer: cluster.issuerUrl,
      jwks_uri: `${cluster.issuerUrl}openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
  });
  app.get('/oidc/:tenant/:guid/openid/v1/jwks', async (request, reply) => {
    const cluster = await clusterFor(request.params);
    if (!cluster) return notFound(reply);
    return reply
      .type('application/jwk-set+json')
      .header('cache-control', METADATA_MAX_AGE)
      .send(localIssuers.clusterJwks(cluster));
  });

  app.get('/github-actions/.well-known/openid-configuration', async (_request, reply) => {
    const issuer = localIssuers.githubActionsIssuer;
    return reply.header('cache-control', METADATA_MAX_AGE).send({
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks`,
      subject_types_supported: ['public', 'pairwise'],
      response_types_supported: ['id_token'],
      claims_supported: [
        'sub',
        'aud',
        'exp',
        'iat',
        'iss',
        'jti',
        'nbf',
        'ref',
        'sha',
        'repository',
        'repository_id',
        'repository_owner',
        'repository_owner_id',
        'run_id',
        'run_number',
        'run_attempt',
        'actor',
        'actor_id',
        'workflow',
        'workflow_ref',
        'workflow_sha',
        'head_ref',
        'base_ref',
        'event_name',
        'ref_type',
        'environment',
        'job_workflow_ref',
        'job_workflow_sha',
        'repository_visibility',
        'runner_environment',
      ],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid'],
    });
  });
  app.get('/github-actions/.well-known/jwks', async (_request, reply) => {
    try {
      return reply.header('cache-control', METADATA_MAX_AGE).send(await localIssuers.githubActionsJwks());
    } catch (error) {
      return sendError(reply, error);
    }
  });

  app.get('/github-actions/token', async (request, reply) => {
    try {
      const header = request.headers.authorization ?? '';
      const match = /^bearer\s+(\S+)$/i.exec(header);
      if (!match) throw new CredlessError('actions_request_token_invalid');
      const query = request.query as Record<string, unknown>;
      const audience = query['audience'];
      if (audience !== undefined && typeof audience !== 'string') {
        throw new CredlessError('actions_audience_invalid', { reason: 'give it once' });
      }
      const value = await localIssuers.issueGitHubActionsToken(match[1] as string, audience);
      return reply.header('cache-control', 'no-store').send({ value });
    } catch (error) {
      return sendError(reply, error);
    }
  });
}
