/**
 * The offline transport of the Graph client: the same requests as over HTTPS, served in-process by the
 * server's app for the data directory (or PostgreSQL store) the configuration names, as that data
 * directory's local administrator. Same authorization, write hook, answers and errors as a session.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InProcessApiOptions, InProcessConnection } from '@credless/server';
import { requireDataDirectory, type StoreOptions } from '../context.ts';
import { CommandError, EXIT, UsageError } from '../exit-codes.ts';
import { lazyArmProviders, localPlatforms } from '../platforms.ts';
import { type GraphApi, graphApiOver } from './graph-api.ts';
import { ARM_HOST, MANAGEMENT_SCOPE, managementApiOver } from './management-api.ts';
import type { Session } from './session-store.ts';

export interface InProcessOptions extends StoreOptions {
  /** A command that only reads: a missing data directory is an error instead of a new, empty store. */
  readOnly?: boolean;
  /** How explain fetches issuer keys (tests trusting their issuer's CA); default an agent of its own. */
  issuerDispatcher?: InProcessApiOptions['issuerDispatcher'];
  /** `--url`: the public URL the in-process API answers under (a local cluster's issuer lives under it). */
  url?: string;
}

/** The local platforms' emulated issuers (local clusters, GitHub Actions), as the server has them. */
const emulatedIssuers: InProcessApiOptions['emulatedIssuers'] = async (host) => {
  const { LocalIssuers } = await localPlatforms();
  return [new LocalIssuers(host)];
};

/**
 * The local platforms' clusters and registries over Resource Manager, as the server has them; loaded by
 * the first request for one (the API asks for its providers at open, before any command's request).
 */
const armProviders: InProcessApiOptions['armProviders'] = async (host) =>
  lazyArmProviders(async () => {
    const { localArmProviders } = await localPlatforms();
    // The kubeconfig trusts credless's local CA, which `credless up` keeps in the data directory.
    const caCertPem = host.insecureHttp
      ? undefined
      : await readFile(join(host.dataDir, 'tls', 'ca.crt'), 'utf8').catch(() => undefined);
    return localArmProviders({
      store: host.store,
      kek: host.kek,
      baseUrl: () => host.baseUrl,
      caCertPem,
      // No listener here: the running server records each cluster's port in the store.
      portOf: () => undefined,
    });
  });

export async function openInProcessGraphApi(
  options: InProcessOptions,
): Promise<GraphApi & { close(): Promise<void> }> {
  // Loaded here, not at the top: the server package is most of a command's start-up time (lazy CLI).
  const { loadInProcessConfig, openInProcessApi } = await import('@credless/server');
  const env = options.url ? { ...process.env, CREDLESS_PUBLIC_URL: options.url } : process.env;
  const config = loadInProcessConfig(env, {
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
  });
  if (options.readOnly && !config.databaseUrl) await requireDataDirectory(config.dataDir);
  const api = await openInProcessApi(config, {
    ...(options.tenant ? { tenant: options.tenant } : {}),
    ...(options.issuerDispatcher ? { issuerDispatcher: options.issuerDispatcher } : {}),
    emulatedIssuers,
    armProviders,
  });
  if (api.requestedTenantId !== undefined && api.requestedTenantId !== api.tenantId) {
    await api.close();
    throw new UsageError(
      `--tenant: the local administrator of ${config.dataDir} belongs to tenant ${api.tenantId}; offline commands act there`,
    );
  }
  return {
    ...inProcessGraphApi(
      api,
      config.dataDir,
      config.databaseUrl ? 'the PostgreSQL store' : `the data directory ${config.dataDir}`,
    ),
    close: () => api.close(),
  };
}

/** The Graph client over an in-process connection (also a running server's app, in tests). */
export function inProcessGraphApi(
  connection: InProcessConnection,
  dataDir: string,
  target: string,
): GraphApi {
  const session: Session = {
    kind: 'local-admin',
    authority: new URL(connection.graphUrl).origin,
    graphUrl: connection.graphUrl,
    tenantId: connection.tenantId,
    clientId: connection.clientId,
    dataDir,
    accessToken: connection.accessToken,
    expiresOn: connection.expiresOn,
  };
  return graphApiOver(
    () => session,
    async (method, url, body, headers = {}) => {
      if (new URL(url).origin !== session.authority) {
        throw new CommandError(
          `${url} is not on the credless Graph API (${session.graphUrl})`,
          EXIT.invalidInput,
        );
      }
      return connection.send(method, url, {
        headers: {
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
          authorization: `Bearer ${session.accessToken}`,
        },
        ...(body !== undefined ? { body } : {}),
      });
    },
    target,
    async () =>
      managementApiOver(connection.tenantId, async (method, path, body) =>
        connection.send(method, `https://${ARM_HOST}${path}`, {
          headers: {
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            authorization: `Bearer ${await connection.tokenFor(MANAGEMENT_SCOPE)}`,
          },
          ...(body !== undefined ? { body } : {}),
        }),
      ),
  );
}
