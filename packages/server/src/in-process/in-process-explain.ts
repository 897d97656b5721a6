/**
 * `POST /{tenant}/explain` for the in-process app: the dry run with the token service's key order
 * (a plugin's emulated issuers, made by the caller's factory; the tenant's pinned JWKS; fetching). Fetching is the
 * operator's own command for issuers the operator configured, so private addresses are allowed, as
 * `credless explain` always allowed them; the agent is made on the first request that needs it.
 * @module
 */
import type { Dispatcher } from 'undici';
import type { ServerConfig } from '../config.ts';
import { dryRunExplain } from '../explain/dry-run.ts';
import type { ExplainRouteOptions } from '../http/routes/explain.ts';
import { IssuerKeyCache } from '../issuers/issuer-key-cache.ts';
import { createIssuerKeyChain, type EmulatedIssuerKeys } from '../issuers/issuer-key-chain.ts';
import { createIssuerAgent } from '../issuers/issuer-network-guard.ts';
import type { DirectoryStore } from '../store/directory-store.ts';

/** What a plugin's emulated issuers are made from (the in-process app's store and key-encryption key). */
export interface EmulatedIssuerHost {
  store: DirectoryStore;
  kek: Uint8Array;
  baseUrl: () => string;
  now: () => number;
}

/** Made on the first explain that checks a signature (so the plugin is loaded only then). */
export type EmulatedIssuerFactory = (host: EmulatedIssuerHost) => Promise<readonly EmulatedIssuerKeys[]>;

export interface InProcessExplainOptions {
  config: ServerConfig;
  store: DirectoryStore;
  kek: Uint8Array;
  baseUrl: string;
  now: () => number;
  emulatedIssuers: EmulatedIssuerFactory | undefined;
  /** Given (tests trusting their CA): used as is and not closed. */
  dispatcher: Dispatcher | undefined;
}

export function inProcessExplain(options: InProcessExplainOptions): {
  explain: ExplainRouteOptions['explain'];
  close(): Promise<void>;
} {
  const { config, store } = options;
  let ownAgent: Dispatcher | undefined;
  let issuerKeys: Promise<ReturnType<typeof createIssuerKeyChain>> | undefined;
  const makeKeys = async () => {
    const emulated = options.emulatedIssuers
      ? await options.emulatedIssuers({
          store,
          kek: options.kek,
          baseUrl: () => options.baseUrl,
          now: options.now,
        })
      : [];
    const dispatcher = options.dispatcher ?? createIssuerAgent({ blockPrivateNetworks: false });
    if (!options.dispatcher) ownAgent = dispatcher;
    return createIssuerKeyChain({
      emulated,
      issuerPolicy: (tenantId) => store.getIssuerPolicy(tenantId),
      fetched: new IssuerKeyCache({
        fetchOptions: {
          dispatcher,
          timeoutMs: config.issuerFetch.timeoutMs,
          maxBytes: config.issuerFetch.maxBytes,
        },
        isIssuerAllowed: (issuer) => store.isKnownIssuer(issuer),
        now: options.now,
      }),
    });
  };
  const keys = () => {
    issuerKeys ??= makeKeys();
    return issuerKeys;
  };
  return {
    explain: async ({ tenantId, app, token, verifySignature }) =>
      dryRunExplain({
        store,
        tenantId,
        app,
        token,
        nowMs: options.now(),
        clockSkewSeconds: config.clockSkewSeconds,
        baseUrl: options.baseUrl,
        maxAssertionLength: config.maxAssertionLength,
        ...(verifySignature ? { issuerKeys: await keys() } : {}),
      }),
    close: async () => {
      await ownAgent?.close();
    },
  };
}
