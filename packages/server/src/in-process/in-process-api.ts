/**
 * The server's HTTP application for one opened store, served in-process (Fastify `inject`, no socket):
 * the CLI's offline transport. Requests pass the same token endpoint, Graph and Resource Manager
 * authorization and write hook as over HTTPS; the caller is the data directory's local administrator, whose certificate
 * assertion is exchanged at the in-process token endpoint.
 * @module
 */
import { randomInt, randomUUID } from 'node:crypto';
import { createLogger } from '@credless/common';
import {
  CredlessError,
  type ExchangePorts,
  GRAPH_RESOURCE_URI,
  JWT_BEARER_ASSERTION_TYPE,
} from '@credless/core';
import type { FastifyInstance } from 'fastify';
import type { Dispatcher } from 'undici';
import { createAdminAssertion, ensureAdminIdentity, readAdminIdentity } from '../admin/admin-identity.ts';
import type { ArmProviderPlatform } from '../arm/arm-providers.ts';
import type { ServerConfig } from '../config.ts';
import { CachedTokenDirectory } from '../directory/cached-token-directory.ts';
import { ensureDefaultTenant } from '../directory/default-tenant.ts';
import { buildApp } from '../http/app.ts';
import { createAccessTokenSigner } from '../keys/access-token-signer.ts';
import { loadKeyEncryptionKey } from '../keys/key-encryption-key.ts';
import { signingKeyManagerFor } from '../start/keys-stage.ts';
import type { DirectoryStore } from '../store/directory-store.ts';
import { openDirectoryStore } from '../store/kysely-directory-store.ts';
import { type EmulatedIssuerFactory, inProcessExplain } from './in-process-explain.ts';

export interface InProcessAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Requests to an app in this process (Fastify `inject`), as the data directory's local administrator. */
export interface InProcessConnection {
  /** The administrator's tenant: the one every request acts on. */
  tenantId: string;
  clientId: string;
  /** Graph base the routes answer under, e.g. `https://localhost:8443/v1.0`. */
  graphUrl: string;
  /** A Graph access token of the administrator, issued by the app's token endpoint. */
  accessToken: string;
  /** ISO 8601. */
  expiresOn: string;
  /** The administrator's token for another resource's scope (e.g. Resource Manager's), issued once on first use. */
  tokenFor(scope: string): Promise<string>;
  /** Sends one request to the app; `url` is absolute or a path. */
  send(
    method: string,
    url: string,
    options?: { headers?: Record<string, string>; body?: string },
  ): Promise<InProcessAnswer>;
}

export interface InProcessApi extends InProcessConnection {
  /** The tenant `options.tenant` names (id or domain), when given. */
  requestedTenantId: string | undefined;
  close(): Promise<void>;
}

/** Only the administrator's certificate assertion is exchanged in-process: no external issuer is fetched. */
const noExternalIssuers: ExchangePorts['issuerKeys'] = {
  getVerificationKey: async (issuer) => {
    throw new CredlessError('external_oidc_failed', {
      issuer,
      reason: "the CLI's in-process API exchanges only the local administrator's certificate assertion",
    });
  },
};

/**
 * Connects to `app` (the in-process one, or a running server's): the administrator of `dataDir`
 * exchanges its certificate assertion at the app's token endpoint, then every request carries that token.
 */
export async function connectInProcess(
  app: FastifyInstance,
  options: { baseUrl: string; graphUrl: string; dataDir: string; now?: () => number },
): Promise<InProcessConnection> {
  const now = options.now ?? Date.now;
  const identity = await readAdminIdentity(options.dataDir);
  if (!identity) throw new CredlessError('admin_identity_missing', { dir: `${options.dataDir}/admin` });
  const path = `/${identity.tenantId}/oauth2/v2.0/token`;
  const exchange = async (scope: string) => {
    const answer = await app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded', host: new URL(options.baseUrl).host },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: identity.clientId,
        scope,
        client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
        client_assertion: await createAdminAssertion(identity, `${options.baseUrl}${path}`, now()),
      }).toString(),
    });
    const body = answer.json() as Record<string, unknown>;
    if (answer.statusCode !== 200 || typeof body['access_token'] !== 'string') {
      throw new CredlessError('admin_token_refused', {
        reason: String(body['error_description'] ?? answer.statusCode),
      });
    }
    return { token: body['access_token'], expiresIn: Number(body['expires_in']) };
  };
  const graph = await exchange(`${GRAPH_RESOURCE_URI}/.default`);
  const others = new Map<string, Promise<string>>();
  return {
    tenantId: identity.tenantId,
    clientId: identity.clientId,
    graphUrl: options.graphUrl,
    accessToken: graph.token,
    expiresOn: new Date(now() + graph.expiresIn * 1000).toISOString(),
    tokenFor(scope) {
      const issued = others.get(scope) ?? exchange(scope).then((answer) => answer.token);
      others.set(scope, issued);
      return issued;
    },
    async send(method, url, request = {}) {
      const target = new URL(url, options.baseUrl);
      const sent = await app.inject({
        method: method.toUpperCase() as 'GET',
        url: `${target.pathname}${target.search}`,
        headers: { host: target.host, ...request.headers },
        ...(request.body !== undefined ? { payload: request.body } : {}),
      });
      const headers = Object.fromEntries(
        Object.entries(sent.headers).map(([name, value]) => [
          name,
          typeof value === 'number' ? String(value) : value,
        ]),
      );
      return { status: sent.statusCode, headers, text: sent.body };
    },
  };
}

export interface InProcessApiOptions {
  /** The tenant (id or domain) the caller asked for; checked to exist. */
  tenant?: string;
  now?: () => number;
  /** Issuers a plugin emulates (local platforms), for explain's signature check; default none. */
  emulatedIssuers?: EmulatedIssuerFactory;
  /** How explain fetches issuer keys (tests trusting their CA); default an agent of its own. */
  issuerDispatcher?: Dispatcher;
  /** The managed clusters and registries a plugin backs (the local platforms), as the server has them. */
  armProviders?: (host: InProcessArmHost) => Promise<ArmProviderPlatform>;
}

/** What a plugin's Resource Manager providers get in-process: the store, its KEK, the public URL. */
export interface InProcessArmHost {
  store: DirectoryStore;
  kek: Uint8Array;
  baseUrl: string;
  dataDir: string;
  insecureHttp: boolean;
}

/**
 * Opens the store of `config` and the app serving it. The administrator identity is created on first
 * use, as a server start does; `close` closes app and store.
 */
export async function openInProcessApi(
  config: ServerConfig,
  options: InProcessApiOptions = {},
): Promise<InProcessApi> {
  const now = options.now ?? Date.now;
  const store = await openDirectoryStore({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    ficLimitPerApp: config.ficLimitPerApp,
    now,
  });
  let app: FastifyInstance | undefined;
  let explainer: ReturnType<typeof inProcessExplain> | undefined;
  try {
    await store.migrate();
    // The same change hook as the server's: a write through the API invalidates the token path's cache.
    const directory = new CachedTokenDirectory(store, {
      maxStalenessMs: config.directoryMaxStalenessMs,
      now,
    });
    directory.followWrites(store);
    const tenantId = await ensureDefaultTenant(store, config.defaultTenant);
    const requested = options.tenant === undefined ? undefined : await store.findTenant(options.tenant);
    if (options.tenant !== undefined && !requested)
      throw new CredlessError('not_found', { id: options.tenant });
    await ensureAdminIdentity(store, { dataDir: config.dataDir, tenantId, now });
    const kek = await loadKeyEncryptionKey({ dataDir: config.dataDir, env: config.kek });
    const keys = signingKeyManagerFor(config, store, kek, now);
    const baseUrl =
      config.publicUrl ?? `${config.insecureHttp ? 'http' : 'https'}://localhost:${config.port}`;
    const graphUrl = config.graphBaseUrl ?? `${baseUrl}/v1.0`;
    explainer = inProcessExplain({
      config,
      store,
      kek,
      baseUrl,
      now,
      emulatedIssuers: options.emulatedIssuers,
      dispatcher: options.issuerDispatcher,
    });
    app = await buildApp({
      logger: createLogger({ logLevel: 'silent' }),
      directory,
      exchange: {
        directory,
        issuerKeys: noExternalIssuers,
        signer: createAccessTokenSigner(keys),
        now,
        randomInt: (min, max) => randomInt(min, max + 1),
        newTokenId: () => randomUUID().replaceAll('-', ''),
        settings: {
          baseUrl,
          maxAssertionLength: config.maxAssertionLength,
          clockSkewSeconds: config.clockSkewSeconds,
          tokenLifetimeSeconds: config.tokenLifetimeSeconds,
        },
      },
      getJwks: (tenant) => keys.getJwks(tenant),
      graph: { store, graphBaseUrl: () => graphUrl },
      // Resource Manager too (role assignments): the CLI's ARM requests, served as over HTTPS.
      arm: {
        store,
        ...(options.armProviders
          ? {
              providers: await options.armProviders({
                store,
                kek,
                baseUrl,
                dataDir: config.dataDir,
                insecureHttp: config.insecureHttp,
              }),
            }
          : {}),
      },
      explain: explainer.explain,
    });
    const connection = await connectInProcess(app, { baseUrl, graphUrl, dataDir: config.dataDir, now });
    const served = app;
    const explaining = explainer;
    return {
      ...connection,
      requestedTenantId: requested?.id,
      async close() {
        await served.close();
        await explaining.close();
        await store.close();
      },
    };
  } catch (error) {
    await app?.close();
    await explainer?.close();
    await store.close();
    throw error;
  }
}
