/**
 * buildApp: the HTTP application with every dependency passed in. It never listens; `main.ts` does.
 * @module
 */
import { CredlessError, type ExchangePorts, type TokenDirectory } from '@credless/core';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import { sendArmError } from '../arm/arm-errors.ts';
import { type ArmRouteOptions, armHostMatcher, armRoutes, DEFAULT_ARM_HOSTNAMES } from '../arm/arm-plugin.ts';
import type { ServerConfig } from '../config.ts';
import { portalConsentRoutes } from '../graph/admin-consent.ts';
import { type GraphRouteOptions, graphRoutes } from '../graph/graph-plugin.ts';
import type { JwksKey } from '../keys/signing-key-manager.ts';
import type { CredlessMetrics } from '../observability/metrics.ts';
import { discoveryRoutes } from './routes/discovery.ts';
import { type ExplainRouteOptions, explainRoutes } from './routes/explain.ts';
import { type SignInRouteOptions, signInRoutes } from './routes/sign-ins.ts';
import { type TokenRouteOptions, tokenRoutes } from './routes/token.ts';

export interface Readiness {
  ready: boolean;
  [detail: string]: unknown;
}

export interface AppDependencies {
  logger: Logger;
  directory: Pick<TokenDirectory, 'findTenant'>;
  exchange: ExchangePorts;
  getJwks: (tenantId: string) => Promise<{ keys: JwksKey[] }>;
  onExchange?: TokenRouteOptions['onExchange'];
  /** Serves GET /{tenant}/signins when given. */
  querySignInLogs?: SignInRouteOptions['querySignInLogs'];
  /** Served at GET /metrics in Prometheus' text format. */
  metrics?: Pick<CredlessMetrics, 'registry'>;
  /**
   * Called by GET /readyz: `ready` when this replica can issue tokens (200), with details for operators
   * (e.g. answering from memory while the database is down). Absent: always ready.
   */
  readiness?: () => Promise<Readiness>;
  https?: { key: string; cert: string };
  /** Serves POST /{tenant}/explain (dry run of a token against an application) when given. */
  explain?: ExplainRouteOptions['explain'];
  /**
   * Serves the minimal Azure Resource Manager (subscriptions, tenants; resource groups given a store) when given, to requests whose
   * Host is `management.azure.com` or one of `hostnames`.
   */
  arm?: Pick<ArmRouteOptions, 'hostnames' | 'store' | 'providers'>;
  /** Serves the Graph-compatible API under /v1.0 (whatever the Host: graph.microsoft.com too) when given. */
  graph?: Pick<GraphRouteOptions, 'store' | 'graphBaseUrl'>;
  /** Per-client and per-source limits on the token endpoint and the Graph API; absent: none. */
  throttle?: ServerConfig['throttle'];
  /** The plugins' routes (e.g. the local platforms' emulated issuers and cluster API), each encapsulated. */
  pluginRoutes?: ReadonlyArray<(app: FastifyInstance) => Promise<void>>;
  /**
   * The web console (console/): its cookie→bearer hook, run before every route's own authentication,
   * and its routes (/console, the sign-in code endpoint).
   */
  console?: {
    authenticate: (request: FastifyRequest) => Promise<void>;
    routes: (app: FastifyInstance) => Promise<void>;
  };
}

export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  // Fastify's overloads type HTTPS servers separately; the routes only need the common instance type.
  const app = Fastify({
    loggerInstance: deps.logger,
    // Per-request logs would cost throughput on the token path; outcomes are logged by the routes.
    logController: new LogController({ disableRequestLogging: true }),
    // No per-request child logger: routes log with explicit trace ids, and a child per request costs.
    childLoggerFactory: (logger: FastifyBaseLogger) => logger,
    // Ids in URLs are GUIDs or domains; keep routing bounded.
    routerOptions: { maxParamLength: 256 },
    ...(deps.https ? { https: { key: deps.https.key, cert: deps.https.cert } } : {}),
    // 2 minutes of idle keep-alive; clients such as MSAL reuse connections.
    keepAliveTimeout: 120_000,
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;

  // First, so every route (Graph, explain, sign-ins) sees the session's bearer token as its own.
  if (deps.console) {
    app.addHook('onRequest', deps.console.authenticate);
    await app.register(deps.console.routes);
  }
  const { throttle } = deps;
  await app.register(tokenRoutes, {
    exchange: deps.exchange,
    ...(deps.onExchange ? { onExchange: deps.onExchange } : {}),
    ...(throttle ? { throttle: { ...throttle.token, windowMs: throttle.windowMs } } : {}),
  });
  // What every route that serves or checks credless-issued tokens needs.
  const ownTokens = {
    baseUrl: () => deps.exchange.settings.baseUrl,
    directory: deps.directory,
    getJwks: deps.getJwks,
    now: deps.exchange.now,
  };
  await app.register(discoveryRoutes, ownTokens);
  if (deps.querySignInLogs) {
    await app.register(signInRoutes, { ...ownTokens, querySignInLogs: deps.querySignInLogs });
  }
  if (deps.graph) {
    const graphThrottle = throttle ? { ...throttle.graph, windowMs: throttle.windowMs } : undefined;
    await app.register(graphRoutes, {
      prefix: '/v1.0',
      ...deps.graph,
      ...ownTokens,
      throttle: graphThrottle,
    });
    // The portal's consent API az calls (host main.iam.ad.ext.azure.com): same store, same listener.
    await app.register(portalConsentRoutes, { store: deps.graph.store, ...ownTokens });
  }
  // Host-constrained, so /subscriptions and /tenants exist only under the ARM host names.
  const armHostnames = deps.arm ? [...DEFAULT_ARM_HOSTNAMES, ...(deps.arm.hostnames ?? [])] : [];
  if (deps.arm) await app.register(armRoutes, { ...ownTokens, ...deps.arm, hostnames: armHostnames });
  const armHost = armHostnames.length > 0 ? armHostMatcher(armHostnames) : undefined;
  if (deps.explain) {
    await app.register(explainRoutes, { ...ownTokens, explain: deps.explain });
  }
  for (const routes of deps.pluginRoutes ?? []) await app.register(routes);
  app.get('/healthz', async () => ({ status: 'ok' }));
  const registry = deps.metrics?.registry;
  if (registry) {
    app.get('/metrics', async (_request, reply) =>
      reply.type(registry.contentType).send(await registry.metrics()),
    );
  }
  app.get('/readyz', async (_request, reply) => {
    const readiness: Readiness = deps.readiness
      ? await deps.readiness().catch(() => ({ ready: false }))
      : { ready: true };
    const { ready, ...detail } = readiness;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', ...detail });
  });
  app.setNotFoundHandler((request, reply) => {
    if (armHost?.test(request.headers.host ?? '')) {
      const path = request.url.split('?')[0] ?? '';
      sendArmError(
        request,
        reply,
        new CredlessError('arm_route_not_found', { method: request.method, path }),
      );
      return;
    }
    reply.code(404).send({
      error: 'not_found',
      error_description: `No route for ${request.method} ${request.url.split('?')[0]}`,
    });
  });
  return app;
}
