/**
 * The Kubernetes API of local clusters, as AKS with `--enable-aad --enable-azure-rbac` guards it:
 * `<base>/k8s/<tenant>/<cluster guid>/…` (the guid of the cluster's OIDC issuer URL; the kubeconfig's
 * `server`). Only bearer tokens issued by this credless for the AKS server application
 * (aud 6dae42f8-…, the cluster's tenant, verified with the tenant's JWKS) authenticate (else 401); the
 * caller's `oid` must hold an Azure RBAC role covering the cluster (else 403, AKS's message), except for
 * the public-info paths every signed-in caller may read (`/version`, health). This file is the
 * composition: `/version`, discovery (kube-discovery.ts), the OpenAPI documents (kube-openapi.ts) and,
 * when a runtime is plugged in through `objectSource`, the objects of the served resources
 * (kube-objects.ts: CRUD, patches, Tables), watches, logs and events (kube-watch/logs/events.ts).
 * @module
 */
import {
  AKS_SERVER_APP_ID,
  CredlessError,
  ERROR_CATALOGUE,
  isCredlessError,
  type KubeVerb,
  type TokenDirectory,
} from '@credless/core';
import {
  bearerToken,
  type ClusterRecord,
  type DirectoryStore,
  type JwksKey,
  verifyGraphToken,
} from '@credless/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ClusterRuntime } from '../runtime/cluster-runtime.ts';
import { type Kind, SUPPORTED_KINDS } from '../runtime/manifests/objects.ts';
import {
  ACCESS_REVIEW_PATH,
  SELF_REVIEW_PATH,
  selfSubjectAccessReview,
  selfSubjectReview,
} from './kube-access-review.ts';
import { discoveryDocument } from './kube-discovery.ts';
import { KubeLive } from './kube-live.ts';
import { handleObjects, type ObjectAnswer } from './kube-objects.ts';
import { OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_TYPE, openApiDocument } from './kube-openapi.ts';
import { describeTarget, type KubeRequestInfo, kubeRequestInfo, kubeStatus } from './kube-request.ts';
import { findResource, type ServedResource } from './kube-resources.ts';
import { handleScale } from './kube-scale.ts';
import { decideClusterAccess, type RoleAssignmentStore } from './role-assignments.ts';

/** The served Kubernetes version (what `kubectl version` shows as the server's). */
export const CLUSTER_API_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0+credless',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'n/a',
  compiler: 'n/a',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

/** The local runtime of a cluster: where its objects live (its pods run there). */
export type ClusterObjectSource = (cluster: ClusterRecord) => Promise<ClusterRuntime>;

export interface ClusterApiOptions {
  store: RoleAssignmentStore & Pick<DirectoryStore, 'listClusters'>;
  directory: Pick<TokenDirectory, 'findTenant'>;
  getJwks: (tenantId: string) => Promise<{ keys: JwksKey[] }>;
  baseUrl: () => string;
  now: () => number;
  /** Where the objects live (read per request: a runtime may plug in later); absent = only discovery is served. */
  objectSource?: () => ClusterObjectSource | undefined;
  /** Serve this one cluster at the root (its own listener) instead of under /k8s/<tenant>/<guid>. */
  cluster?: Pick<ClusterRecord, 'tenantId' | 'issuerGuid'>;
}

/** The kubeconfig `server` of a cluster. */
export const clusterApiUrl = (baseUrl: string, cluster: Pick<ClusterRecord, 'tenantId' | 'issuerGuid'>) =>
  `${baseUrl.replace(/\/+$/, '')}/k8s/${cluster.tenantId}/${cluster.issuerGuid}`;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Kubernetes' `system:public-info-viewer` ClusterRole, bound to `system:authenticated` on AKS: these
 * non-resource reads need a valid token but no Azure RBAC role (`kubectl version` works for anyone
 * signed in to the cluster's tenant).
 */
const PUBLIC_INFO_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz']);
const isPublicInfo = (info: ReturnType<typeof kubeRequestInfo>) =>
  info.resource === undefined && info.verb === 'get' && PUBLIC_INFO_PATHS.has(info.path);

const send = (reply: FastifyReply, code: number, body: unknown) =>
  reply.code(code).header('cache-control', 'no-store').type('application/json').send(body);
const notFound = (reply: FastifyReply) =>
  send(reply, 404, kubeStatus(404, 'NotFound', 'the server could not find the requested resource'));

const sendAnswer = (reply: FastifyReply, answered: ObjectAnswer) => {
  for (const warning of answered.warnings ?? []) reply.header('warning', `299 - ${JSON.stringify(warning)}`);
  return send(reply, answered.status, answered.body);
};

const answerReview = async (reply: FastifyReply, review: () => Promise<ObjectAnswer>) => {
  try {
    return sendAnswer(reply, await review());
  } catch (error) {
    if (!isCredlessError(error)) throw error;
    return send(reply, error.status, statusOfError(error));
  }
};

/** A verified caller of a cluster's API (a credless token for the AKS server app with an `oid`). */
interface ClusterCaller {
  principalId: string;
  appId?: string | undefined;
}

export async function clusterApiRoutes(app: FastifyInstance, options: ClusterApiOptions): Promise<void> {
  // Bodies are read as they come and parsed after authorization: never a 400 or 415 before a 401/403.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 3 * 1024 * 1024 }, (_request, body, done) =>
    done(null, body),
  );
  const api = new ClusterApi(app, options);
  const route = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      return await api.handle(request, reply);
    } catch (error) {
      reply.log.error({ err: error }, 'cluster API request failed unexpectedly');
      return send(reply, 500, kubeStatus(500, 'InternalError', 'an internal error occurred'));
    }
  };
  if (options.cluster) {
    app.all('/', route);
    app.all('/*', route);
  } else {
    app.all('/k8s/:tenant/:guid', route);
    app.all('/k8s/:tenant/:guid/*', route);
  }
}

/** One request's way through a cluster's API: the cluster, authentication, Azure RBAC, the answer. */
class ClusterApi {
  readonly #options: ClusterApiOptions;
  readonly #live: KubeLive;

  constructor(app: FastifyInstance, options: ClusterApiOptions) {
    this.#options = options;
    this.#live = new KubeLive(app);
  }

  async handle(request: FastifyRequest, reply: FastifyReply) {
    const params = request.params as { tenant?: string; guid?: string; '*'?: string };
    const found = await this.#findCluster(
      this.#options.cluster?.tenantId ?? params.tenant ?? '',
      this.#options.cluster?.issuerGuid ?? params.guid ?? '',
    );
    if (!found) return notFound(reply);
    const { tenant, cluster } = found;
    const url = new URL(request.url, 'https://cluster.invalid');
    const path = `/${params['*'] ?? ''}`.replace(/\/+$/, '') || '/';

    const token = bearerToken(request);
    const verified =
      token === undefined
        ? undefined
        : await verifyGraphToken(token, tenant, { ...this.#options, audiences: [AKS_SERVER_APP_ID] });
    if (!verified?.principalId) {
      const error = new CredlessError('cluster_api_unauthorized');
      return send(reply, error.status, kubeStatus(401, 'Unauthorized', error.message));
    }
    const caller: ClusterCaller = { principalId: verified.principalId, appId: verified.appId };

    const info = kubeRequestInfo(request.method, path, url.searchParams);
    if (isPublicInfo(info)) return this.#answer(request, reply, cluster, info);
    const decide = (verb: KubeVerb, target: { namespace?: string; resource?: string }) =>
      decideClusterAccess(this.#options.store, tenant.id, caller.principalId, cluster.id, verb, target);
    // Self-reviews are every signed-in caller's (kube's system:basic-user), like the public info.
    if (request.method === 'POST' && path === ACCESS_REVIEW_PATH)
      return answerReview(reply, () =>
        selfSubjectAccessReview(
          request.body as Buffer | undefined,
          request.headers['content-type'],
          async ({ verb, ...target }) => (await decide(verb, target)).allowed,
        ),
      );
    if (request.method === 'POST' && path === SELF_REVIEW_PATH)
      return answerReview(reply, async () => selfSubjectReview(caller.principalId, caller.appId));
    const decision = await decide(info.verb, {
      ...(info.namespace !== undefined ? { namespace: info.namespace } : {}),
      ...(info.resource !== undefined ? { resource: info.resource } : {}),
    });
    if (!decision.allowed) return forbidden(reply, cluster, caller, info);
    return this.#answer(request, reply, cluster, info);
  }

  async #findCluster(tenantId: string, guid: string) {
    if (!GUID.test(tenantId) || !GUID.test(guid)) return undefined;
    const tenant = await this.#options.directory.findTenant(tenantId);
    if (!tenant) return undefined;
    const cluster = (await this.#options.store.listClusters(tenant.id)).find(
      (candidate) => candidate.issuerGuid.toLowerCase() === guid.toLowerCase(),
    );
    return cluster && { tenant, cluster };
  }

  async #answer(request: FastifyRequest, reply: FastifyReply, cluster: ClusterRecord, info: KubeRequestInfo) {
    if (info.resource === undefined) return this.#answerNonResource(reply, info);
    const resource = findResource(info.group ?? '', info.version ?? '', info.resource);
    const runtime = await this.#options.objectSource?.()?.(cluster);
    if (!resource || !runtime) return notFound(reply);
    const url = new URL(request.url, 'https://cluster.invalid');
    try {
      const liveRequest = { info, resource, query: url.searchParams, accept: request.headers.accept };
      if (await this.#live.answer(reply, runtime, { ...liveRequest, now: this.#options.now() })) return reply;
      const objectRequest = {
        info,
        resource: resource as ServedResource & { kind: Kind },
        query: url.searchParams,
        contentType: request.headers['content-type'],
        accept: request.headers.accept,
        body: request.body as Buffer | undefined,
        now: this.#options.now(),
        userAgent: request.headers['user-agent'],
      };
      if (resource.kind === 'Deployment' && info.subresource === 'scale' && info.name !== undefined)
        return sendAnswer(reply, await handleScale(runtime, objectRequest));
      if (info.subresource !== undefined || !(resource.kind in SUPPORTED_KINDS)) return notFound(reply);
      return sendAnswer(reply, await handleObjects(runtime, objectRequest));
    } catch (error) {
      if (!isCredlessError(error)) throw error;
      return send(reply, error.status, statusOfError(error, resource));
    }
  }

  /** `/version`, health, the OpenAPI documents and discovery. */
  #answerNonResource(reply: FastifyReply, info: KubeRequestInfo) {
    if (info.verb !== 'get') return notFound(reply);
    if (info.path === '/version') return send(reply, 200, CLUSTER_API_VERSION);
    if (['/healthz', '/livez', '/readyz'].includes(info.path))
      return reply.code(200).type('text/plain').send('ok');
    if (info.path === '/openapi/v2')
      return reply
        .code(200)
        .header('cache-control', 'no-store')
        .type(OPENAPI_V2_PROTOBUF_TYPE)
        .send(OPENAPI_V2_PROTOBUF);
    const document =
      discoveryDocument(info.path, new URL(this.#options.baseUrl()).host) ?? openApiDocument(info.path);
    return document === undefined ? notFound(reply) : send(reply, 200, document);
  }
}

/** AKS's 403 for a request no role assignment covers, logged (who, what; no token) for whoever wonders. */
function forbidden(
  reply: FastifyReply,
  cluster: ClusterRecord,
  caller: ClusterCaller,
  info: KubeRequestInfo,
) {
  const { what, target } = describeTarget(info);
  const error = new CredlessError('cluster_api_forbidden', {
    what,
    target,
    user: caller.principalId,
    verb: info.verb,
  });
  reply.log.info(
    {
      cluster: cluster.id,
      principalId: caller.principalId,
      appId: caller.appId,
      verb: info.verb,
      path: info.path,
    },
    'cluster API request forbidden: no role assignment covers it',
  );
  return send(
    reply,
    error.status,
    kubeStatus(403, 'Forbidden', error.message, {
      ...(info.resource !== undefined ? { kind: info.resource } : {}),
      ...(info.name !== undefined ? { name: info.name } : {}),
    }),
  );
}

/** A catalogue error as kube's Status: the reason, and details naming the object (causes for Invalid). */
export function statusOfError(error: CredlessError, resource?: Pick<ServedResource, 'name' | 'group'>) {
  const spec = ERROR_CATALOGUE[error.code] as { graph?: string };
  const reason = spec.graph ?? 'InternalError';
  const name = error.params?.['name'];
  const field = error.params?.['field'];
  return kubeStatus(error.status, reason, error.message, {
    ...(name !== undefined ? { name: String(name) } : {}),
    ...(resource?.group ? { group: resource.group } : {}),
    // kubectl words an Invalid error with details.kind ("The Deployment "web" is invalid"): the Kind there.
    ...(reason === 'Invalid'
      ? { kind: String(error.params?.['kind'] ?? '').split('.')[0] }
      : resource && name !== undefined
        ? { kind: resource.name }
        : {}),
    ...(reason === 'Invalid' && field !== undefined
      ? {
          causes: [
            {
              reason: 'FieldValueInvalid',
              message: `${String(error.params?.['reason'] ?? '')}`,
              field: String(field),
            },
          ],
        }
      : {}),
  });
}
