/** `credless up`: start the server in the foreground until SIGINT/SIGTERM. */
import cluster from 'node:cluster';
import { caTrustHint } from '@credless/core';
import {
  type ConfigOverrides,
  loadConfig,
  primaryRole,
  type RunningCredless,
  reportWorkerReady,
  type ServerConfig,
  servingOnly,
  startCredless,
  workerCount,
  workerRole,
} from '@credless/server';
import { localPlatforms } from '../platforms.ts';

export interface UpOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
  publicUrl?: string;
  hostname?: string[];
  insecureHttp?: boolean;
  workers?: number;
}

/** `consoleLink`: a fresh sign-in link to the web console (none without an administrator identity). */
export function describeRunning(running: RunningCredless, store: string, consoleLink?: string): string {
  const lines = [
    'credless is running',
    `  authority host   ${running.url}`,
    `  default tenant   ${running.defaultTenantId}`,
    `  discovery        ${running.url}/${running.defaultTenantId}/v2.0/.well-known/openid-configuration`,
    `  token endpoint   ${running.url}/${running.defaultTenantId}/oauth2/v2.0/token`,
    `  Graph API        ${running.graphUrl}`,
    running.admin
      ? `  admin client id  ${running.admin.clientId} (key in <data>/admin/, see credless admin)`
      : '  admin identity   not created (CREDLESS_ADMIN_BOOTSTRAP=false)',
    `  store            ${store}`,
    consoleLink
      ? `  console          ${consoleLink}  (single use, 5 minutes; credless console prints another)`
      : '  console          run credless console --app <appId> for a sign-in link',
  ];
  if (running.caPath) {
    lines.push(
      `  local CA         ${running.caPath}${running.createdCa ? ' (created now)' : ''}`,
      '',
      `Clients must ${caTrustHint(running.caPath)}; e.g.:`,
      `  export NODE_EXTRA_CA_CERTS=${running.caPath}`,
    );
  }
  return lines.join('\n');
}

export async function up(
  options: UpOptions,
  print: (line: string) => void = console.log,
): Promise<RunningCredless> {
  const overrides: ConfigOverrides = {
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host ? { host: options.host } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    ...(options.hostname?.length ? { hostnames: options.hostname } : {}),
    ...(options.insecureHttp ? { insecureHttp: true } : {}),
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
  };
  const config = loadConfig(process.env, overrides);
  if (cluster.isWorker) return serveAsWorker(config);
  const workers = workerCount(config);
  const processes =
    workers > 1 ? `, ${workers} worker processes on one port, primary pid ${process.pid}` : '';
  print(`starting credless (data directory ${config.dataDir}${processes})…`);
  // The composition root: the server plus the local platforms (emulated issuers, clusters' Kubernetes API).
  // With several workers this process is their primary: it serves no request, they do (start/workers.ts).
  const { LocalPlatforms, startLocalRuntime } = await localPlatforms();
  const platforms = new LocalPlatforms();
  const running = await startCredless(config, {
    plugins: [platforms],
    ...(workers > 1 ? { role: primaryRole(workers) } : {}),
  });
  // The local cluster runtime lives in the server process: pods run as long as credless does.
  const issueServiceAccountToken = platforms.issueServiceAccountToken.bind(platforms);
  const runtime = await startLocalRuntime(
    { ...running, issueServiceAccountToken },
    {
      dataDir: config.dataDir,
      onRestoreError: (cluster, error) =>
        print(`local cluster ${cluster}: could not restore its objects: ${String(error)}`),
    },
  ).catch(async (error: unknown) => {
    await running.close();
    throw error;
  });
  // The clusters' Kubernetes API (kubectl get pods|services) reads the runtime's objects.
  platforms.clusterApi.setObjectSource((cluster) => runtime.clusters.runtimeOf(cluster));
  const closeServer = running.close.bind(running);
  running.close = async () => {
    await runtime.close();
    await closeServer();
  };
  const store = config.databaseUrl ? 'PostgreSQL (CREDLESS_DATABASE_URL)' : `SQLite in ${config.dataDir}`;
  const consoleLink = running.admin ? (await running.consoleSignInLink()).link : undefined;
  print(describeRunning(running, store, consoleLink));
  print(`  local clusters   control socket ${runtime.socketPath} (credless cluster apply|get|logs|delete)`);
  return running;
}

/**
 * One worker of `credless up --workers`: the main listener with the local platforms' routes and issuers;
 * the primary prints, runs the pods and the clusters' own listeners.
 */
async function serveAsWorker(config: ServerConfig): Promise<RunningCredless> {
  const { LocalPlatforms } = await localPlatforms();
  const running = await startCredless(config, {
    plugins: [servingOnly(new LocalPlatforms())],
    role: workerRole(),
  });
  reportWorkerReady(running.listenUrl);
  return running;
}

/** Resolves when a stop signal arrives, after closing the server. */
export function closeOnSignals(running: RunningCredless): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      console.error(`received ${signal}, shutting down…`);
      running.close().then(resolve, (error) => {
        console.error(error);
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
