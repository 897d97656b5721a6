/**
 * Starting a credless server: the one place that opens the store, loads keys and TLS material, and
 * listens. Everything it creates is passed explicitly to `buildApp`.
 * @module
 */

import { randomInt, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { createLogger, type Logger } from '@credless/common';
import type { ExchangePorts } from '@credless/core';
import type { FastifyInstance } from 'fastify';
import type { Dispatcher } from 'undici';
import { type AdminIdentityFile, ensureAdminIdentity } from './admin/admin-identity.ts';
import { ClusterApiListeners } from './cluster-access/cluster-api-listeners.ts';
import type { ServerConfig } from './config.ts';
import { lockDataDirectory } from './data-directory/data-directory-lock.ts';
import { ensurePrivateDataDirectory } from './data-directory/private-data-directory.ts';
import { CachedTokenDirectory, observeWrites } from './directory/cached-token-directory.ts';
import { ensureDefaultTenant } from './directory/default-tenant.ts';
import { dryRunExplain } from './explain/dry-run.ts';
import { buildApp } from './http/app.ts';
import { logExchange } from './http/exchange-log.ts';
import { IssuerKeyCache } from './issuers/issuer-key-cache.ts';
import { createIssuerKeyChain } from './issuers/issuer-key-chain.ts';
import { createIssuerAgent } from './issuers/issuer-network-guard.ts';
import { createAccessTokenSigner } from './keys/access-token-signer.ts';
import { loadKeyEncryptionKey } from './keys/key-encryption-key.ts';
import { checkKeyEncryptionKey } from './keys/key-encryption-key-check.ts';
import { SigningKeyManager } from './keys/signing-key-manager.ts';
import {
  type IssuedServiceAccountToken,
  LocalIssuers,
  type ServiceAccountTokenRequest,
} from './local-issuers/local-issuers.ts';
import { createMetrics } from './observability/metrics.ts';
import { type SignInLogging, startSignInLogging } from './sign-in-log/sign-in-logging.ts';
import { startDirectoryChangeFeed } from './store/change-feed.ts';
import type { DirectoryStore } from './store/directory-store.ts';
import { openDirectoryStore } from './store/kysely-directory-store.ts';
import { isTransientStoreError } from './store/sql-errors.ts';
import { ensureLocalTls } from './tls/local-tls.ts';

/** With NOTIFY active the version poll is only a safety net: 10 × directoryPollMs (default 5 s). */
const NOTIFY_POLL_SLOWDOWN = 10;

export interface StartOptions {
  /** Dispatcher for fetching external issuers (tests pass one that trusts their test CA). */
  issuerDispatcher?: Dispatcher;
  logger?: Logger;
  now?: () => number;
}

export interface RunningCredless {
  /** Public base URL (authority host), no trailing slash. */
  url: string;
  /** The address actually listened on. */
  listenUrl: string;
  /** Path of the local CA certificate to trust (undefined with plain HTTP). */
  caPath: string | undefined;
  caCertPem: string | undefined;
  /** True when this start created the local CA. */
  createdCa: boolean;
  defaultTenantId: string;
  /** Base URL of the Graph-compatible API (`<url>/v1.0` unless configured). */
  graphUrl: string;
  /** The local CLI's tenant administrator (its private key is in `<data>/admin/`); absent when bootstrap is off. */
  admin: AdminIdentityFile | undefined;
  store: DirectoryStore;
  directory: CachedTokenDirectory;
  keys: SigningKeyManager;
  /** The emulated issuers (local clusters' service-account issuers, GitHub Actions). */
  localIssuers: LocalIssuers;
  /** Signs a service-account token for a pod of a local cluster (by ARM id), as kube-apiserver would. */
  issueServiceAccountToken(
    clusterId: string,
    request: ServiceAccountTokenRequest,
  ): Promise<IssuedServiceAccountToken>;
  app: FastifyInstance;
  /** The local clusters' Kubernetes API listeners (one port per cluster); the runtime plugs its objects in here. */
  clusterApi: ClusterApiListeners;
  close(): Promise<void>;
}

/** Connects only to public addresses unless private networks are allowed; trusts system roots (+ a CA file). */
async function issuerAgent(config: ServerConfig): Promise<Dispatcher> {
  const extraCa = config.issuerFetch.caFile ? await readFile(config.issuerFetch.caFile, 'utf8') : undefined;
  return createIssuerAgent({
    blockPrivateNetworks: !config.issuerFetch.allowPrivateNetworks,
    ...(extraCa ? { ca: [...rootCertificates, extraCa].join('\n') } : {}),
  });
}

export async function startCredless(
  config: ServerConfig,
  options: StartOptions = {},
): Promise<RunningCredless> {
  const logger = options.logger ?? createLogger(config);
  const now = options.now ?? Date.now;
  const warn = (message: string) => logger.warn(message);
  await ensurePrivateDataDirectory(config.dataDir, { log: warn });
  // Replicas share PostgreSQL, not a directory: only an embedded store belongs to one server process.
  const lock = config.databaseUrl ? undefined : await lockDataDirectory(config.dataDir, { log: warn });

  const rawStore = await openDirectoryStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    ficLimitPerApp: config.ficLimitPerApp,
    now,
    onConnectionError: (error) =>
      logger.warn({ err: error }, 'database connection lost; reconnecting on next use'),
  }).catch(async (error: unknown) => {
    await lock?.release();
    throw error;
  });
  const cleanup: Array<() => Promise<void> | void> = [() => lock?.release(), () => rawStore.close()];
  // Last resort for static stability: a database call whose rejection nobody awaited (while the database
  // is down) must not take a replica down. Anything else still ends the process, as Node would.
  const onUnhandledRejection = (reason: unknown) => {
    if (!isTransientStoreError(reason)) throw reason;
    logger.warn({ err: reason }, 'unawaited database call failed while the database is unreachable');
  };
  process.on('unhandledRejection', onUnhandledRejection);
  cleanup.push(() => {
    process.off('unhandledRejection', onUnhandledRejection);
  });
  try {
    await rawStore.migrate();
    let directory: CachedTokenDirectory | undefined;
    const store = observeWrites(rawStore, () => directory?.invalidate());
    directory = new CachedTokenDirectory(store, { maxStalenessMs: config.directoryMaxStalenessMs, now });
    const tokenDirectory = directory;
    const defaultTenantId = await ensureDefaultTenant(store, config.defaultTenant);
    const admin = config.adminBootstrap
      ? await ensureAdminIdentity(store, { dataDir: config.dataDir, tenantId: defaultTenantId, now })
      : undefined;
    if (admin?.created) logger.info(`created the administrator identity ${admin.identity.clientId}`);

    const kek = await loadKeyEncryptionKey({ dataDir: config.dataDir, env: config.kek });
    const keys = new SigningKeyManager({
      store,
      kek,
      now,
      rotationPeriodMs: config.signingKeys.rotationPeriodMs,
      prepublishPeriodMs: config.signingKeys.prepublishPeriodMs,
      retentionAfterRetireMs: config.signingKeys.retentionAfterRetireMs,
      maxTokenLifetimeMs: config.tokenLifetimeSeconds.max * 1000,
    });
    const maintainKeys = async () => {
      for (const tenant of await store.listTenants()) await keys.ensureKeys(tenant.id);
    };
    await maintainKeys();
    const kekFromEnv = (config.kek?.trim() ?? '') !== '';
    await checkKeyEncryptionKey({ keys, tenantId: defaultTenantId, kekFromEnv, dataDir: config.dataDir });
    directory.onInvalidate(() => keys.invalidate());
    const onPollError = (error: unknown) => logger.warn({ err: error }, 'directory poll failed');
    directory.startPolling(config.directoryPollMs, onPollError);
    cleanup.push(() => tokenDirectory.stopPolling());
    if (config.databaseUrl) {
      // PostgreSQL: other replicas' writes arrive by NOTIFY; the version poll stays as a slower safety
      // net, and goes back to full speed while the listening connection is down.
      const changeFeed = await startDirectoryChangeFeed({
        databaseUrl: config.databaseUrl,
        onChange: () => tokenDirectory.invalidate(),
        onListeningChange: (listening) => {
          if (!listening) logger.warn('directory change feed disconnected; polling until it reconnects');
          const pollMs = listening ? config.directoryPollMs * NOTIFY_POLL_SLOWDOWN : config.directoryPollMs;
          tokenDirectory.startPolling(pollMs, onPollError);
        },
        onError: (error) => logger.warn({ err: error }, 'directory change feed error'),
      });
      cleanup.push(() => changeFeed.stop());
    }
    const keyTimer = setInterval(() => {
      maintainKeys().catch((error) => logger.error({ err: error }, 'signing key maintenance failed'));
    }, 60_000);
    keyTimer.unref();
    cleanup.push(() => clearInterval(keyTimer));

    const tls = config.insecureHttp
      ? undefined
      : await ensureLocalTls({
          dataDir: config.dataDir,
          hostnames: config.hostnames,
          now,
          log: (m) => logger.info(m),
        });
    if (config.insecureHttp)
      logger.warn('serving plain HTTP (CREDLESS_INSECURE_HTTP): only behind a TLS-terminating proxy');

    let issuerDispatcher = options.issuerDispatcher;
    if (!issuerDispatcher) {
      const agent = await issuerAgent(config);
      cleanup.push(() => agent.close());
      issuerDispatcher = agent;
    }
    const metrics = createMetrics({ directoryCache: tokenDirectory.stats });
    const fetchedIssuerKeys = new IssuerKeyCache({
      fetchOptions: {
        dispatcher: issuerDispatcher,
        timeoutMs: config.issuerFetch.timeoutMs,
        maxBytes: config.issuerFetch.maxBytes,
      },
      isIssuerAllowed: (issuer) => tokenDirectory.isKnownIssuer(issuer),
      now,
      maxAgeMs: config.issuerFetch.maxAgeMs,
      refetchCooldownMs: config.issuerFetch.refetchCooldownMs,
      onFetch: (event) => metrics.observeIssuerFetch(event),
    });

    const settings: ExchangePorts['settings'] = {
      baseUrl: config.publicUrl ?? `${config.insecureHttp ? 'http' : 'https'}://localhost:${config.port}`,
      maxAssertionLength: config.maxAssertionLength,
      clockSkewSeconds: config.clockSkewSeconds,
      tokenLifetimeSeconds: config.tokenLifetimeSeconds,
    };
    // Emulated issuers answer the token service from memory and their own records, never by fetching
    // credless's own URLs; every other issuer goes to the pinned keys, then the fetching cache.
    const localIssuers = new LocalIssuers({ store, kek, baseUrl: () => settings.baseUrl, now });
    tokenDirectory.onInvalidate(() => localIssuers.invalidate());
    // Emulated issuers, then a tenant's pinned JWKS (that issuer is never contacted), then fetching.
    const exchangeIssuerKeys = createIssuerKeyChain({
      local: localIssuers,
      issuerPolicy: (tenantId) => tokenDirectory.issuerPolicy(tenantId),
      fetched: fetchedIssuerKeys,
    });
    const exchange: ExchangePorts = {
      directory: tokenDirectory,
      issuerKeys: exchangeIssuerKeys,
      signer: createAccessTokenSigner(keys),
      now,
      randomInt: (min, max) => randomInt(min, max + 1),
      newTokenId: () => randomUUID().replaceAll('-', ''),
      settings,
    };
    // The raw store: sign-in log writes are not directory changes and must not invalidate caches.
    let signIns: SignInLogging | undefined;
    if (config.signInLog.enabled) {
      const started = startSignInLogging({
        store: rawStore,
        retentionDays: config.signInLog.retentionDays,
        now,
        logger,
        explain: {
          store: rawStore,
          baseUrl: () => settings.baseUrl,
          clockSkewSeconds: config.clockSkewSeconds,
        },
      });
      signIns = started;
      // Pushed before the app: cleanup runs in reverse, so buffered records are written after the
      // last request and before the store closes.
      cleanup.push(() => started.close());
    }
    const app = await buildApp({
      logger,
      directory: tokenDirectory,
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
          baseUrl: settings.baseUrl,
          maxAssertionLength: config.maxAssertionLength,
          issuerKeys: exchangeIssuerKeys,
        }),
      // Creates a tenant's first key on demand (a tenant added by the CLI while running).
      getJwks: (tenantId) => keys.getJwks(tenantId),
      // Ready means "can issue": true while the database is down but the in-memory directory is within
      // its staleness limit, so a database outage does not also pull every replica out of the load balancer.
      readiness: async () => {
        const { usable, storeReachable, staleForMs } = tokenDirectory.freshness();
        return {
          ready: usable,
          database: storeReachable ? 'reachable' : 'unreachable',
          ...(storeReachable ? {} : { directoryStaleForSeconds: Math.round(staleForMs / 1000) }),
        };
      },
      metrics,
      // The observed store: writes through the API invalidate the token path's caches at once.
      graph: { store, graphBaseUrl: () => config.graphBaseUrl ?? `${settings.baseUrl}/v1.0` },
      localIssuers,
      // Local clusters' Kubernetes API (AKS-like, Azure RBAC): reads role assignments from the store.
      clusterApi: { store },
      ...(tls ? { https: { key: tls.keyPem, cert: tls.certPem } } : {}),
    });
    cleanup.push(() => app.close());
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    // With port 0 the public URL is known only now; the routes read it per request.
    if (config.publicUrl === undefined)
      settings.baseUrl = `${config.insecureHttp ? 'http' : 'https'}://localhost:${port}`;
    // Each local cluster's Kubernetes API on its own port (AKS-like endpoint), following the directory.
    const clusterApiListeners = new ClusterApiListeners({
      store,
      directory: tokenDirectory,
      getJwks: (tenantId) => keys.getJwks(tenantId),
      baseUrl: () => settings.baseUrl,
      now,
      host: config.host,
      logger,
      ...(tls ? { https: { key: tls.keyPem, cert: tls.certPem } } : {}),
    });
    cleanup.push(() => clusterApiListeners.close());
    await clusterApiListeners.sync();
    directory.onInvalidate(() => void clusterApiListeners.sync());

    let closed = false;
    return {
      url: settings.baseUrl,
      listenUrl: `${config.insecureHttp ? 'http' : 'https'}://${config.host}:${port}`,
      caPath: tls?.caPath,
      caCertPem: tls?.caCertPem,
      createdCa: tls?.created ?? false,
      defaultTenantId,
      graphUrl: config.graphBaseUrl ?? `${settings.baseUrl}/v1.0`,
      admin: admin?.identity,
      store,
      directory: tokenDirectory,
      keys,
      localIssuers,
      issueServiceAccountToken: (clusterId, request) =>
        localIssuers.issueServiceAccountToken(clusterId, request),
      app,
      clusterApi: clusterApiListeners,
      async close() {
        if (closed) return;
        closed = true;
        for (const step of cleanup.reverse()) await step();
      },
    };
  } catch (error) {
    for (const step of cleanup.reverse()) await step();
    throw error;
  }
}
