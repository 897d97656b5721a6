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
import type { ArmProviderPlatform } from './arm/arm-providers.ts';
import type { ServerConfig } from './config.ts';
import type { SignInLink } from './console/console-service.ts';
import type { CachedTokenDirectory } from './directory/cached-token-directory.ts';
import type { SigningKeyManager } from './keys/signing-key-manager.ts';
import { createMetrics } from './observability/metrics.ts';
import { type SignInLogging, startSignInLogging } from './sign-in-log/sign-in-logging.ts';
import { buildCredlessApp } from './start/app-stage.ts';
import { Closers, type Opened } from './start/closers.ts';
import { startConsole } from './start/console-stage.ts';
import { startIssuerKeys } from './start/issuers-stage.ts';
import { bootstrapDirectory, readBootstrapped, startSigningKeys } from './start/keys-stage.ts';
import { openPlugins, pluginsListening } from './start/plugins-stage.ts';
import { PublicUrls } from './start/public-urls.ts';
import type { ServerPlugin } from './start/server-plugin.ts';
import { followDirectoryChanges, openStorage, type StageContext } from './start/storage-stage.ts';
import type { ProcessRole, SignInSink } from './start/workers.ts';
import type { DirectoryStore } from './store/directory-store.ts';
import { ensureLocalTls, type LocalTls } from './tls/local-tls.ts';

export interface StartOptions {
  /** Dispatcher for fetching external issuers (tests pass one that trusts their test CA). */
  issuerDispatcher?: Dispatcher;
  logger?: Logger;
  now?: () => number;
  /** What else this process serves (e.g. the local platforms), plugged in through start/server-plugin.ts. */
  plugins?: readonly ServerPlugin[];
  /** One process of `credless up --workers` (start/workers.ts); absent: the whole server in this process. */
  role?: ProcessRole;
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
  app: FastifyInstance;
  /** A fresh single-use console sign-in link: the local administrator's, or an application's of its tenant. */
  consoleSignInLink(appId?: string): Promise<SignInLink>;
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
  { purge, sink }: { purge: boolean; sink: SignInSink },
): Opened<SignInLogging | undefined> {
  if (!config.signInLog.enabled) return { value: undefined };
  const signIns = startSignInLogging({
    store: sink,
    retentionDays: config.signInLog.retentionDays,
    purge,
    now,
    logger,
    explain: { store: rawStore, baseUrl, clockSkewSeconds: config.clockSkewSeconds },
  });
  // Opened before the app: closers run in reverse, so buffered records are written after the last
  // request and before the store closes.
  return { value: signIns, close: () => signIns.close() };
}

/** Listens; the port is known from here on (port 0 picks one). */
async function listen(app: FastifyInstance, config: ServerConfig): Promise<number> {
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : config.port;
}

/** Opens the store, keys and TLS material, builds the app and listens: each stage closed in reverse on failure. */
export async function startCredless(
  config: ServerConfig,
  options: StartOptions = {},
): Promise<RunningCredless> {
  const ctx: StageContext = { logger: options.logger ?? createLogger(config), now: options.now ?? Date.now };
  const { now } = ctx;
  const { role } = options;
  const asWorker = role?.kind === 'worker';
  const closers = new Closers();
  try {
    const { rawStore, store, directory } = await closers.open(openStorage(config, ctx, { asWorker }));
    const { defaultTenantId, admin } = asWorker
      ? await readBootstrapped(config, store)
      : await bootstrapDirectory(config, store, ctx);
    const { keys, kek } = await closers.open(
      startSigningKeys(config, { store, directory }, defaultTenantId, ctx, { maintain: !asWorker }),
    );
    await closers.open(followDirectoryChanges(config, directory, ctx));
    if (role) await closers.open(role.shareChanges(store, directory, ctx));
    const tls = await prepareTls(config, ctx);
    const urls = new PublicUrls(config);
    const ownMetrics = createMetrics({ directoryCache: directory.stats });
    const metrics = role ? role.metrics(ownMetrics) : ownMetrics;
    const plugins = await openPlugins(
      options.plugins ?? [],
      {
        config,
        store,
        directory,
        kek,
        getJwks: (tenantId) => keys.getJwks(tenantId),
        baseUrl: urls.baseUrl,
        now,
        logger: ctx.logger,
        https: tls ? { key: tls.keyPem, cert: tls.certPem, caCertPem: tls.caCertPem } : undefined,
      },
      closers,
    );
    const { issuerKeys } = await closers.open(
      startIssuerKeys(config, {
        directory,
        emulated: plugins.flatMap((parts) => (parts.issuerKeys ? [parts.issuerKeys] : [])),
        metrics,
        now,
        dispatcher: options.issuerDispatcher,
      }),
    );
    // The raw store: sign-in log writes are not directory changes and must not invalidate caches.
    const sink = role ? role.signInSink(rawStore, config) : rawStore;
    const signIns = await closers.open(
      startSignIns(config, rawStore, urls.baseUrl, ctx, { purge: !asWorker, sink }),
    );
    const pluginRoutes = plugins.flatMap((parts) => (parts.routes ? [parts.routes] : []));
    const armProviders: ArmProviderPlatform = Object.assign(
      {},
      ...plugins.map((parts) => parts.armProviders ?? {}),
    );
    const webConsole = startConsole(config, {
      store,
      directory,
      keys,
      urls,
      admin,
      defaultTenantId,
      now,
    });
    const app = await closers.open(
      buildCredlessApp(
        config,
        {
          rawStore,
          store,
          directory,
          keys,
          issuerKeys,
          metrics,
          signIns,
          urls,
          tls,
          pluginRoutes,
          armProviders,
          console: webConsole.parts,
          signOn: asWorker ? 'event-loop' : 'thread-pool',
        },
        ctx,
      ),
    );
    // The primary of `credless up --workers` builds the app but never listens: its workers serve.
    const port =
      role?.kind === 'primary' ? await closers.open(role.startWorkers(ctx)) : await listen(app, config);
    urls.listened(port);
    await pluginsListening(plugins, closers);
    const url = urls.baseUrl();

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
      app,
      consoleSignInLink: webConsole.signInLink,
      close: () => closers.closeAll(),
    };
  } catch (error) {
    await closers.closeAll();
    throw error;
  }
}
