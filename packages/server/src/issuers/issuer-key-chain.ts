/**
 * The order in which an assertion's verification key is looked for, in one place for the token service
 * and `credless explain`: issuers emulated by this credless (a plugin's, from memory and its records),
 * then a tenant's pinned JWKS (issuer policy), then the fetching cache. Keys always come from
 * configuration and records, never from the token.
 * @module
 */
import type { KeyObject } from 'node:crypto';
import { findTrustedIssuer, type IssuerKeys, type TenantIssuerPolicy } from '@credless/core';
import { PinnedIssuerKeys } from './pinned-issuer-keys.ts';

/**
 * Keys of issuers a plugin emulates (e.g. local clusters, GitHub Actions): answered from memory and
 * credless's own records, so the token service never fetches its own URLs (the fetcher refuses
 * loopback by design).
 */
export interface EmulatedIssuerKeys {
  /** The key when `issuer` is one of these emulated issuers; undefined for any other issuer. */
  verificationKey(
    issuer: string,
    kid: string | undefined,
    alg: string,
  ): Promise<CryptoKey | KeyObject | undefined>;
}

export interface IssuerKeyChainOptions {
  /** Consulted first, in order. */
  emulated: readonly EmulatedIssuerKeys[];
  /** The tenant's issuer policy (answered from memory on the token path). */
  issuerPolicy: (tenantId: string) => Promise<TenantIssuerPolicy | undefined>;
  /** Issuers neither emulated nor pinned: the fetching cache. */
  fetched: IssuerKeys;
}

export function createIssuerKeyChain(options: IssuerKeyChainOptions): IssuerKeys {
  const pinned = new PinnedIssuerKeys({
    fallback: options.fetched,
    pinnedJwks: async (tenantId, issuer) =>
      findTrustedIssuer(await options.issuerPolicy(tenantId), issuer)?.pinnedJwks,
  });
  const { emulated } = options;
  if (emulated.length === 0) return pinned;
  return {
    async getVerificationKey(issuer, kid, alg, context) {
      for (const source of emulated) {
        const key = await source.verificationKey(issuer, kid, alg);
        if (key) return key;
      }
      return pinned.getVerificationKey(issuer, kid, alg, context);
    },
  };
}
