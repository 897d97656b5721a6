/**
 * Starting a credless server: the one place that opens the store, loads keys and TLS material, and
 * listens. Start-up is a sequence of named stages (start/*); each returns what it opened and how to
 * close it, and everything a stage creates is passed explicitly to the next and to `buildApp`.
 * @module
 */

import { createLogger, type Logger } from '@credless/common';
import type { FastifyInstance } from 'fastify';
import type { Dispatcher } from 'undici';
import type { AdminIdentityFile } from './admin/admin-identity.ts';
import { ClusterApiListeners } from './cluster-access/cluster-api-listeners.ts';
import type { ServerConfig } from './config.ts';
import type { CachedTokenDirectory } from './directory/cached-token-directory.ts';
import type { SigningKeyManager } from './keys/signing-key-manager.ts';
import type {
  IssuedServiceAccountToken,
  LocalIssuers,
  ServiceAccountTokenRequest,
} from './local-issuers/local-issuers.ts';
import { createMetrics } from './observability/metrics.ts';
import { type SignInLogging, startSignInLogging } from './sign-in-log/sign-in-logging.ts';
import { buildCredlessApp } from './start/app-stage.ts';
import { Closers, type Opened } from './start/closers.ts';
import { startIssuerKeys } from './start/issuers-stage.ts';
import { bootstrapDirectory, startSigningKeys } from './start/keys-stage.ts';
import { PublicUrls } from './start/public-urls.ts';
import { followDirectoryChanges, openStorage, type StageContext } from './start/storage-stage.ts';
import type { DirectoryStore } from './store/directory-store.ts';
import { ensureLocalTls, type LocalTls } from './tls/local-tls.ts';

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

/** The local CA and server certificate (created on first start), unless serving plain HTTP. */
async function prepareTls(
  config: ServerConfig,
  { logger, now }: StageContext,
): Promise<LocalTls | undefined> {
  if (config.insecureHttp) {
    logger.warn('serving plain HTTP (CREDLESS_INSECURE_HTTP): only behind a TLS-terminating proxy');
    return undefined;
  }
  return ensureLocalTls({
    dataDir: config.dataDir,
    hostnames: config.hostnames,
    now,
    log: (m) => logger.info(m),
  });
}

/** Records one sign-in log per exchange (when on), written in the background. */
function startSignIns(
  config: ServerConfig,
  rawStore: DirectoryStore,
  baseUrl: () => string,
  { logger, now }: StageContext,
): Opened<SignInLogging | undefined> {
  if (!config.signInLog.enabled) return { value: undefined };
  const signIns = startSignInLogging({
    store: rawStore,
    retentionDays: config.signInLog.retentionDays,
    now,
    logger,
    explain: { store: rawStore, baseUrl, clockSkewSeconds: config.clockSkewSeconds },
  });
  // Opened before the app: closers run in reverse, so buffered records are written after the last
  // request and before the store closes.
  return { value: signIns, close: () => signIns.close() };
}

/** Listens; the port is known from here on (port 0 picks one). */
async function listen(app: FastifyInstance, config: ServerConfig, urls: PublicUrls): Promise<number> {
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  urls.listened(port);
  return port;
}

/** Each local cluster's Kubernetes API on its own port (AKS-like endpoint), following the directory. */
async function startClusterApi(
  config: ServerConfig,
  deps: { store: DirectoryStore; directory: CachedTokenDirectory; keys: SigningKeyManager; baseUrl: string },
  tls: LocalTls | undefined,
  { logger, now }: StageContext,
): Promise<Opened<ClusterApiListeners>> {
  const listeners = new ClusterApiListeners({
    store: deps.store,
    directory: deps.directory,
    getJwks: (tenantId) => deps.keys.getJwks(tenantId),
    baseUrl: () => deps.baseUrl,
    now,
    host: config.host,
    logger,
    ...(tls ? { https: { key: tls.keyPem, cert: tls.certPem } } : {}),
  });
  const close = () => listeners.close();
  try {
    await listeners.sync();
  } catch (error) {
    await close();
    throw error;
  }
  deps.directory.onInvalidate(() => void listeners.sync());
  return { value: listeners, close };
}

/** Opens the store, keys and TLS material, builds the app and listens: each stage closed in reverse on failure. */
export async function startCredless(
  config: ServerConfig,
  options: StartOptions = {},
): Promise<RunningCredless> {
  const ctx: StageContext = { logger: options.logger ?? createLogger(config), now: options.now ?? Date.now };
  const { now } = ctx;
  const closers = new Closers();
  try {
    const { rawStore, store, directory } = await closers.open(openStorage(config, ctx));
    const { defaultTenantId, admin } = await bootstrapDirectory(config, store, ctx);
    const { keys, kek } = await closers.open(
      startSigningKeys(config, { store, directory }, defaultTenantId, ctx),
    );
    await closers.open(followDirectoryChanges(config, directory, ctx));
    const tls = await prepareTls(config, ctx);
    const urls = new PublicUrls(config);
    const metrics = createMetrics({ directoryCache: directory.stats });
    const { localIssuers, issuerKeys } = await closers.open(
      startIssuerKeys(config, {
        store,
        directory,
        kek,
        metrics,
        baseUrl: urls.baseUrl,
        now,
        dispatcher: options.issuerDispatcher,
      }),
    );
    // The raw store: sign-in log writes are not directory changes and must not invalidate caches.
    const signIns = await closers.open(startSignIns(config, rawStore, urls.baseUrl, ctx));
    const app = await closers.open(
      buildCredlessApp(
        config,
        { rawStore, store, directory, keys, localIssuers, issuerKeys, metrics, signIns, urls, tls },
        ctx,
      ),
    );
    const port = await listen(app, config, urls);
    const url = urls.baseUrl();
    const clusterApi = await closers.open(
      startClusterApi(config, { store, directory, keys, baseUrl: url }, tls, ctx),
    );

    return {
      url,
      listenUrl: `${config.insecureHttp ? 'http' : 'https'}://${config.host}:${port}`,
      caPath: tls?.caPath,
      caCertPem: tls?.caCertPem,
      createdCa: tls?.created ?? false,
      defaultTenantId,
      graphUrl: urls.graphUrl(),
      admin,
      store,
      directory,
      keys,
      localIssuers,
      issueServiceAccountToken: (clusterId, request) =>
        localIssuers.issueServiceAccountToken(clusterId, request),
      app,
      clusterApi,
      close: () => closers.closeAll(),
    };
  } catch (error) {
    await closers.closeAll();
    throw error;
  }
}
