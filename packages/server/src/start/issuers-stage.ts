/**
 * The token service's issuer keys, in its order: the plugins' emulated issuers (e.g. local clusters,
 * GitHub Actions) from memory and their own records, never by fetching credless's own URLs; then a tenant's pinned
 * JWKS (that issuer is never contacted); then fetching, through an agent that connects only to public
 * addresses unless private networks are allowed.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import type { Dispatcher } from 'undici';
import type { ServerConfig } from '../config.ts';
import type { CachedTokenDirectory } from '../directory/cached-token-directory.ts';
import { IssuerKeyCache } from '../issuers/issuer-key-cache.ts';
import { createIssuerKeyChain, type EmulatedIssuerKeys } from '../issuers/issuer-key-chain.ts';
import { createIssuerAgent } from '../issuers/issuer-network-guard.ts';
import type { CredlessMetrics } from '../observability/metrics.ts';
import type { Opened } from './closers.ts';

export interface IssuerKeySources {
  issuerKeys: ReturnType<typeof createIssuerKeyChain>;
}

export interface IssuerStageDeps {
  directory: CachedTokenDirectory;
  /** The plugins' emulated issuers, looked up first. */
  emulated: readonly EmulatedIssuerKeys[];
  metrics: CredlessMetrics;
  now: () => number;
  /** Given (tests trusting their CA): used as is and not closed here. */
  dispatcher: Dispatcher | undefined;
}

/** Trusts the system roots, plus the configured CA file. */
async function issuerAgent(config: ServerConfig): Promise<Dispatcher> {
  const extraCa = config.issuerFetch.caFile ? await readFile(config.issuerFetch.caFile, 'utf8') : undefined;
  return createIssuerAgent({
    blockPrivateNetworks: !config.issuerFetch.allowPrivateNetworks,
    ...(extraCa ? { ca: [...rootCertificates, extraCa].join('\n') } : {}),
  });
}

export async function startIssuerKeys(
  config: ServerConfig,
  deps: IssuerStageDeps,
): Promise<Opened<IssuerKeySources>> {
  const dispatcher = deps.dispatcher ?? (await issuerAgent(config));
  const fetched = new IssuerKeyCache({
    fetchOptions: {
      dispatcher,
      timeoutMs: config.issuerFetch.timeoutMs,
      maxBytes: config.issuerFetch.maxBytes,
    },
    isIssuerAllowed: (issuer) => deps.directory.isKnownIssuer(issuer),
    now: deps.now,
    maxAgeMs: config.issuerFetch.maxAgeMs,
    refetchCooldownMs: config.issuerFetch.refetchCooldownMs,
    onFetch: (event) => deps.metrics.observeIssuerFetch(event),
  });
  const issuerKeys = createIssuerKeyChain({
    emulated: deps.emulated,
    issuerPolicy: (tenantId) => deps.directory.issuerPolicy(tenantId),
    fetched,
  });
  const value = { issuerKeys };
  return dispatcher === deps.dispatcher ? { value } : { value, close: () => dispatcher.close() };
}
