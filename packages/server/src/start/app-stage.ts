/**
 * The start-up stage that builds the Fastify app: the token exchange's ports over the stages' results,
 * and every route's dependencies, passed explicitly.
 * @module
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { ExchangePorts } from '@credless/core';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from '../config.ts';
import { CachedClientSecretVerifier } from '../directory/client-secrets.ts';
import { dryRunExplain } from '../explain/dry-run.ts';
import { buildApp } from '../http/app.ts';
import { logExchange } from '../http/exchange-log.ts';
import { createAccessTokenSigner } from '../keys/access-token-signer.ts';
import type { SigningKeyManager } from '../keys/signing-key-manager.ts';
import type { CredlessMetrics } from '../observability/metrics.ts';
import type { SignInLogging } from '../sign-in-log/sign-in-logging.ts';
import type { LocalTls } from '../tls/local-tls.ts';
import type { Opened } from './closers.ts';
import type { IssuerKeySources } from './issuers-stage.ts';
import type { PublicUrls } from './public-urls.ts';
import type { StageContext, Storage } from './storage-stage.ts';

export interface AppStageDeps extends Storage, IssuerKeySources {
  keys: SigningKeyManager;
  metrics: CredlessMetrics;
  signIns: SignInLogging | undefined;
  urls: PublicUrls;
  tls: LocalTls | undefined;
}

export async function buildCredlessApp(
  config: ServerConfig,
  deps: AppStageDeps,
  { logger, now }: StageContext,
): Promise<Opened<FastifyInstance>> {
  const { rawStore, store, directory, keys, localIssuers, issuerKeys, metrics, signIns, urls, tls } = deps;
  const exchange: ExchangePorts = {
    directory,
    clientSecrets: new CachedClientSecretVerifier(),
    issuerKeys,
    signer: createAccessTokenSigner(keys),
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
    explain: ({ tenantId, app, token }) =>
      dryRunExplain({
        store: rawStore,
        tenantId,
        app,
        token,
        nowMs: now(),
        clockSkewSeconds: config.clockSkewSeconds,
        baseUrl: urls.baseUrl(),
        maxAssertionLength: config.maxAssertionLength,
        issuerKeys,
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
    arm: { hostnames: config.armHostnames },
    throttle: config.throttle,
    localIssuers,
    // Local clusters' Kubernetes API (AKS-like, Azure RBAC): reads role assignments from the store.
    clusterApi: { store },
    ...(tls ? { https: { key: tls.keyPem, cert: tls.certPem } } : {}),
  });
  return { value: app, close: () => app.close() };
}
