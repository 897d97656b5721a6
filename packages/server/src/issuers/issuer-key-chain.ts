/**
 * The order in which an assertion's verification key is looked for, in one place for the token service
 * and `credless explain`: credless's own emulated issuers (from memory and its records), then a
 * tenant's pinned JWKS (issuer policy), then the fetching cache. Keys always come from configuration
 * and records, never from the token.
 * @module
 */
import { findTrustedIssuer, type IssuerKeys, type TenantIssuerPolicy } from '@credless/core';
import { LocalIssuerKeys } from '../local-issuers/local-issuer-keys.ts';
import type { LocalIssuers } from '../local-issuers/local-issuers.ts';
import { PinnedIssuerKeys } from './pinned-issuer-keys.ts';

export interface IssuerKeyChainOptions {
  local: Pick<LocalIssuers, 'verificationKey'>;
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
  return new LocalIssuerKeys({ local: options.local, fallback: pinned });
}
