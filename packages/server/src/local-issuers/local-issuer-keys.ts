/**
 * The token service's issuer-key source with credless's emulated issuers first: their keys come from
 * memory and credless's own records, so the STS never fetches its own URLs (the issuer fetcher refuses
 * loopback by design). Every other issuer goes to the fallback (pinned keys, then the fetching cache).
 * @module
 */
import type { KeyObject } from 'node:crypto';
import type { IssuerKeys } from '@credless/core';
import type { LocalIssuers } from './local-issuers.ts';

export class LocalIssuerKeys implements IssuerKeys {
  readonly #local: Pick<LocalIssuers, 'verificationKey'>;
  readonly #fallback: IssuerKeys;

  constructor(options: { local: Pick<LocalIssuers, 'verificationKey'>; fallback: IssuerKeys }) {
    this.#local = options.local;
    this.#fallback = options.fallback;
  }

  async getVerificationKey(
    issuer: string,
    kid: string | undefined,
    alg: string,
    context?: { tenantId: string },
  ): Promise<CryptoKey | KeyObject> {
    const local = await this.#local.verificationKey(issuer, kid, alg);
    return local ?? this.#fallback.getVerificationKey(issuer, kid, alg, context);
  }
}
