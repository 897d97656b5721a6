/**
 * The webhook's HTTP surface: POST /mutate-v1-pod (AdmissionReview v1/v1beta1) plus /healthz,
 * /readyz and Prometheus /metrics (on the same listener: the chart exposes one port). Builds the app
 * from explicit dependencies and never listens; serveWebhook does that.
 * @module
 */
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from 'fastify';
import { type AdmissionDeps, reviewAdmission } from '../admission/handle.ts';
import { createWebhookMetrics, type WebhookMetrics } from './metrics.ts';

export const MUTATE_PATH = '/mutate-v1-pod';
/** The API server refuses objects above ~1.5 MiB in etcd; 3 MiB leaves room for the review around one. */
export const DEFAULT_BODY_LIMIT_BYTES = 3 * 1024 * 1024;

export interface WebhookAppDeps extends AdmissionDeps {
  /** Serving certificate; without it the app speaks plain HTTP (tests through inject only). */
  https?: { cert: string; key: string } | undefined;
  logger?: FastifyBaseLogger | undefined;
  bodyLimitBytes?: number | undefined;
  /** Where admissions are counted and timed; a registry of the app's own by default. */
  metrics?: WebhookMetrics | undefined;
}

export function buildWebhookApp(deps: WebhookAppDeps): FastifyInstance {
  // Fastify's overloads type HTTPS servers separately; the routes only need the common instance type.
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    // Per-request logs would cost on the admission hot path; denials are in the API server's audit log.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (logger: FastifyBaseLogger) => logger,
    bodyLimit: deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    ...(deps.https ? { https: { cert: deps.https.cert, key: deps.https.key } } : {}),
    keepAliveTimeout: 120_000,
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;

  const admission: AdmissionDeps = {
    ...deps,
    onError: deps.onError ?? ((error) => app.log.error({ err: error }, 'admission failed unexpectedly')),
  };

  // The API server always sends JSON; anything else is refused with 415 instead of parsed as text.
  app.removeContentTypeParser('text/plain');

  const metrics = deps.metrics ?? createWebhookMetrics();
  app.post(MUTATE_PATH, async (request, reply) => {
    const started = performance.now();
    const outcome = await reviewAdmission(request.body, admission);
    metrics.observeAdmission(outcome, (performance.now() - started) / 1000);
    return reply.code(outcome.status).send(outcome.body);
  });
  app.get('/metrics', async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) =>
    deps.serviceAccounts.ready()
      ? { status: 'ready' }
      : reply.code(503).send({ status: 'not ready', message: 'ServiceAccount cache not synced yet' }),
  );

  // Body too large, not JSON, wrong content type: a short 4xx, never a stack trace.
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) app.log.error({ err: error }, 'webhook request failed');
    return reply.code(status).send({ message: status === 500 ? 'internal error' : error.message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ message: `no route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}` }),
  );
  return app;
}
