/**
 * The start-up stage that builds the Fastify app: the token exchange's ports over the stages' results,
 * and every route's dependencies, passed explicitly.
 * @module
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { ExchangePorts } from '@credless/core';
import type { FastifyInstance } from 'fastify';
import type { ArmProviderPlatform } from '../arm/arm-providers.ts';
import type { ServerConfig } from '../config.ts';
import type { CachedTokenDirectory } from '../directory/cached-token-directory.ts';
import { CachedClientSecretVerifier } from '../directory/client-secrets.ts';
import { dryRunExplain } from '../explain/dry-run.ts';
import { buildApp } from '../http/app.ts';
import { logExchange } from '../http/exchange-log.ts';
import { createAccessTokenSigner, type SignOn } from '../keys/access-token-signer.ts';
import type { SigningKeyManager } from '../keys/signing-key-manager.ts';
import type { CredlessMetrics } from '../observability/metrics.ts';
import type { SignInLogging } from '../sign-in-log/sign-in-logging.ts';
import type { LocalTls } from '../tls/local-tls.ts';
import { TokenReuseCache } from '../token-reuse/token-reuse-cache.ts';
import type { Opened } from './closers.ts';
import type { ConsoleStage } from './console-stage.ts';
import type { IssuerKeySources } from './issuers-stage.ts';
import type { PublicUrls } from './public-urls.ts';
import type { StageContext, Storage } from './storage-stage.ts';

export interface AppStageDeps extends Storage, IssuerKeySources {
  keys: SigningKeyManager;
  metrics: CredlessMetrics;
  signIns: SignInLogging | undefined;
  urls: PublicUrls;
  tls: LocalTls | undefined;
  pluginRoutes: ReadonlyArray<(app: FastifyInstance) => Promise<void>>;
  /** The plugins' Resource Manager providers (managed clusters, registries). */
  armProviders: ArmProviderPlatform;
  /** The web console's hook and routes (start/console-stage.ts); absent: no console. */
  console?: ConsoleStage['parts'];
  /** Where access tokens are signed: inline in a worker of several, on the thread pool otherwise. */
  signOn: SignOn;
}

/**
 * The opt-in reuse window: a cache emptied whenever the token directory is invalidated (this process's
 * writes and, through the version poll, other replicas'), so any directory change ends every window.
 */
function tokenReuseFor(
  config: ServerConfig,
  directory: CachedTokenDirectory,
  now: () => number,
): Pick<ExchangePorts, 'tokenReuse'> {
  if (config.tokenReuseWindowSeconds <= 0) return {};
  const cache = new TokenReuseCache(
    {
      windowSeconds: config.tokenReuseWindowSeconds,
      // Never hand out a token with less than half the shortest lifetime left (MSAL refreshes early).
      minRemainingSeconds: Math.floor(config.tokenLifetimeSeconds.min / 2),
    },
    now,
  );
  directory.onInvalidate(() => cache.clear());
  return { tokenReuse: cache };
}

export async function buildCredlessApp(
  config: ServerConfig,
  deps: AppStageDeps,
  { logger, now }: StageContext,
): Promise<Opened<FastifyInstance>> {
  const { rawStore, store, directory, keys, issuerKeys, metrics, signIns, urls, tls } = deps;
  const exchange: ExchangePorts = {
    directory,
    ...tokenReuseFor(config, directory, now),
    clientSecrets: new CachedClientSecretVerifier(),
    issuerKeys,
    signer: createAccessTokenSigner(keys, { signOn: deps.signOn }),
    now,
    randomInt: (min, max) => randomInt(min, max + 1),
    newTokenId: () => randomUUID().replaceAll('-', ''),
    // The core reads the base URL per exchange.
    settings: {
      get baseUrl() {
        return urls.baseUrl();
      },
      maxAssertionLength: config.maxAssertionLength,
      clockSkewSeconds: config.clockSkewSeconds,
      tokenLifetimeSeconds: config.tokenLifetimeSeconds,
    },
  };
  const app = await buildApp({
    logger,
    directory,
    exchange,
    onExchange: (outcome, ids, _request, latencyMs) => {
      logExchange(logger, outcome, ids);
      metrics.observeExchange(outcome, latencyMs / 1000);
      signIns?.record(outcome, ids, latencyMs);
    },
    querySignInLogs: (query) => rawStore.querySignInLogs(query),
    explain: ({ tenantId, app, token, verifySignature }) =>
      dryRunExplain({
        store: rawStore,
        tenantId,
        app,
        token,
        nowMs: now(),
        clockSkewSeconds: config.clockSkewSeconds,
        baseUrl: urls.baseUrl(),
        maxAssertionLength: config.maxAssertionLength,
        ...(verifySignature ? { issuerKeys } : {}),
      }),
    // Creates a tenant's first key on demand (a tenant added by the CLI while running).
    getJwks: (tenantId) => keys.getJwks(tenantId),
    // Ready means "can issue": true while the database is down but the in-memory directory is within
    // its staleness limit, so a database outage does not also pull every replica out of the load balancer.
    readiness: async () => {
      const { usable, storeReachable, staleForMs } = directory.freshness();
      return {
        ready: usable,
        database: storeReachable ? 'reachable' : 'unreachable',
        ...(storeReachable ? {} : { directoryStaleForSeconds: Math.round(staleForMs / 1000) }),
      };
    },
    metrics,
    // The observed store: writes through the API invalidate the token path's caches at once.
    graph: { store, graphBaseUrl: urls.graphUrl },
    arm: { hostnames: config.armHostnames, store, providers: deps.armProviders },
    throttle: config.throttle,
    pluginRoutes: deps.pluginRoutes,
    ...(deps.console ? { console: deps.console } : {}),
    ...(tls ? { https: { key: tls.keyPem, cert: tls.certPem } } : {}),
  });
  return { value: app, close: () => app.close() };
}
