/**
 * The Kubernetes API of local clusters, as AKS with `--enable-aad --enable-azure-rbac` guards it:
 * `<base>/k8s/<tenant>/<cluster guid>/…` (the guid of the cluster's OIDC issuer URL; the kubeconfig's
 * `server`). Only bearer tokens issued by this credless for the AKS server application
 * (aud 6dae42f8-…, the cluster's tenant, verified with the tenant's JWKS) authenticate (else 401); the
 * caller's `oid` must hold an Azure RBAC role covering the cluster (else 403, AKS's message), except for
 * the public-info paths every signed-in caller may read (`/version`, health). Answers
 * `/version`, discovery (`/api`, `/apis`, `/api/v1`) and, when a runtime is plugged in through
 * `objectSource`, `GET …/pods|services` as kube List objects.
 * @module
 */
import { AKS_SERVER_APP_ID, CredlessError, type TokenDirectory } from '@credless/core';
import {
  bearerToken,
  type ClusterRecord,
  type DirectoryStore,
  type JwksKey,
  verifyGraphToken,
} from '@credless/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describeTarget, kubeRequestInfo, kubeStatus } from './kube-request.ts';
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

/** Resources a runtime can list; each is a kube List of its items when `listObjects` is given. */
const LISTED_RESOURCES = { pods: 'Pod', services: 'Service' } as const;
type ListedResource = keyof typeof LISTED_RESOURCES;

/** The local runtime's objects of a namespace (undefined namespace: all namespaces), as kube objects. */
export type ClusterObjectSource = (
  cluster: ClusterRecord,
  resource: ListedResource,
  namespace: string | undefined,
) => Promise<Array<Record<string, unknown>>>;

export interface ClusterApiOptions {
  store: RoleAssignmentStore & Pick<DirectoryStore, 'listClusters'>;
  directory: Pick<TokenDirectory, 'findTenant'>;
  getJwks: (tenantId: string) => Promise<{ keys: JwksKey[] }>;
  baseUrl: () => string;
  now: () => number;
  /** Where pods and services come from (read per request: a runtime may plug in later); absent = not served. */
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

export async function clusterApiRoutes(app: FastifyInstance, options: ClusterApiOptions): Promise<void> {
  // Writes are refused after authorization, whatever their body: never a 415 before a 401/403.
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_request, _body, done) =>
    done(null, undefined),
  );

  const send = (reply: FastifyReply, code: number, body: unknown) =>
    reply.code(code).header('cache-control', 'no-store').type('application/json').send(body);
  const notFound = (reply: FastifyReply) =>
    send(reply, 404, kubeStatus(404, 'NotFound', 'the server could not find the requested resource'));

  const findCluster = async (tenantId: string, guid: string) => {
    if (!GUID.test(tenantId) || !GUID.test(guid)) return undefined;
    const tenant = await options.directory.findTenant(tenantId);
    if (!tenant) return undefined;
    const cluster = (await options.store.listClusters(tenant.id)).find(
      (candidate) => candidate.issuerGuid.toLowerCase() === guid.toLowerCase(),
    );
    return cluster && { tenant, cluster };
  };

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const params = request.params as { tenant?: string; guid?: string; '*'?: string };
    const found = await findCluster(
      options.cluster?.tenantId ?? params.tenant ?? '',
      options.cluster?.issuerGuid ?? params.guid ?? '',
    );
    if (!found) return notFound(reply);
    const { tenant, cluster } = found;
    const url = new URL(request.url, 'https://cluster.invalid');
    const path = `/${params['*'] ?? ''}`.replace(/\/+$/, '') || '/';

    const token = bearerToken(request);
    const caller =
      token === undefined
        ? undefined
        : await verifyGraphToken(token, tenant, { ...options, audiences: [AKS_SERVER_APP_ID] });
    if (!caller?.principalId) {
      const error = new CredlessError('cluster_api_unauthorized');
      return send(reply, error.status, kubeStatus(401, 'Unauthorized', error.message));
    }

    const info = kubeRequestInfo(request.method, path, url.searchParams);
    if (isPublicInfo(info)) return answer(reply, cluster, info);
    const decision = await decideClusterAccess(
      options.store,
      tenant.id,
      caller.principalId,
      cluster.id,
      info.verb,
      {
        ...(info.namespace !== undefined ? { namespace: info.namespace } : {}),
        ...(info.resource !== undefined ? { resource: info.resource } : {}),
      },
    );
    if (!decision.allowed) {
      const { what, target } = describeTarget(info);
      const error = new CredlessError('cluster_api_forbidden', {
        what,
        target,
        user: caller.principalId,
        verb: info.verb,
      });
      // Who was refused what, for whoever wonders why kubectl says Forbidden (no token in the log).
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
    return answer(reply, cluster, info);
  };

  const answer = async (
    reply: FastifyReply,
    cluster: ClusterRecord,
    info: ReturnType<typeof kubeRequestInfo>,
  ) => {
    const listObjects = options.objectSource?.();
    const served = listObjects ? (Object.keys(LISTED_RESOURCES) as ListedResource[]) : [];
    if (info.verb !== 'get' && info.verb !== 'list') {
      return send(
        reply,
        405,
        kubeStatus(
          405,
          'MethodNotAllowed',
          `the local cluster API serves reads only (${info.verb} is not supported)`,
        ),
      );
    }
    if (info.resource === undefined) {
      switch (info.path) {
        case '/version':
          return send(reply, 200, CLUSTER_API_VERSION);
        case '/api':
          return send(reply, 200, {
            kind: 'APIVersions',
            versions: ['v1'],
            serverAddressByClientCIDRs: [
              { clientCIDR: '0.0.0.0/0', serverAddress: new URL(options.baseUrl()).host },
            ],
          });
        case '/apis':
          return send(reply, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
        case '/api/v1':
          return send(reply, 200, {
            kind: 'APIResourceList',
            apiVersion: 'v1',
            groupVersion: 'v1',
            resources: served.map((name) => ({
              name,
              singularName: LISTED_RESOURCES[name].toLowerCase(),
              namespaced: true,
              kind: LISTED_RESOURCES[name],
              verbs: ['get', 'list'],
            })),
          });
        case '/healthz':
        case '/livez':
        case '/readyz':
          return reply.code(200).type('text/plain').send('ok');
        default:
          return notFound(reply);
      }
    }
    const resource = info.resource as ListedResource;
    if (!listObjects || info.group !== '' || info.version !== 'v1' || !served.includes(resource)) {
      return notFound(reply);
    }
    const items = await listObjects(cluster, resource, info.namespace);
    if (info.name !== undefined) {
      const item = items.find(
        (candidate) => (candidate['metadata'] as { name?: string } | undefined)?.name === info.name,
      );
      if (!item) {
        return send(
          reply,
          404,
          kubeStatus(404, 'NotFound', `${resource} "${info.name}" not found`, {
            name: info.name,
            kind: resource,
          }),
        );
      }
      return send(reply, 200, { apiVersion: 'v1', kind: LISTED_RESOURCES[resource], ...item });
    }
    return send(reply, 200, {
      apiVersion: 'v1',
      kind: `${LISTED_RESOURCES[resource]}List`,
      metadata: { resourceVersion: '' },
      items: items.map((item) => ({ apiVersion: 'v1', kind: LISTED_RESOURCES[resource], ...item })),
    });
  };

  const route = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      return await handle(request, reply);
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
