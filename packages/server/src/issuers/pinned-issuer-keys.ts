/**
 * Issuer keys with per-tenant pinning: when a tenant pinned a JWKS for an issuer (a self-managed
 * cluster whose discovery is not reachable), only those keys verify its assertions and the issuer is
 * never contacted; otherwise the fetching cache answers. Unknown kids in a pinned set fail at once:
 * there is nothing to refetch, rotation is an upload of the new set.
 * @module
 */
import type { KeyObject } from 'node:crypto';
import { CredlessError, type IssuerKeys, type PinnedJwks } from '@credless/core';
import { importJWK } from 'jose';
import { IssuerFetchError } from './fetch-capped-json.ts';
import { isAlgorithmCompatible, isSupportedAlgorithm, parseJwks } from './issuer-metadata.ts';

export interface PinnedIssuerKeysOptions {
  /** The fetching cache (IssuerKeyCache) for issuers without pinned keys. */
  fallback: IssuerKeys;
  /** The tenant's pinned set for the issuer; answered from memory (the cached token directory). */
  pinnedJwks: (tenantId: string, issuer: string) => Promise<PinnedJwks | null | undefined>;
}

const KID_SHOWN_MAX = 256;
const shownKid = (kid: string) => (kid.length > KID_SHOWN_MAX ? `${kid.slice(0, KID_SHOWN_MAX)}…` : kid);
const signatureInvalid = (reason: string) => new CredlessError('assertion_signature_invalid', { reason });

type Parsed = ReturnType<typeof parseJwks>;

export class PinnedIssuerKeys implements IssuerKeys {
  readonly #options: PinnedIssuerKeysOptions;
  /**
   * Keyed by the pinned-set object, which the directory cache replaces on every directory change:
   * an upload (rotation) therefore starts from a fresh entry, and dropped sets are collected.
   */
  readonly #parsed = new WeakMap<
    PinnedJwks,
    { keys: Parsed['keys']; imported: Map<string, Promise<CryptoKey | KeyObject>> }
  >();

  constructor(options: PinnedIssuerKeysOptions) {
    this.#options = options;
  }

  async getVerificationKey(
    issuer: string,
    kid: string | undefined,
    alg: string,
    context?: { tenantId: string },
  ): Promise<CryptoKey | KeyObject> {
    const pinned = context ? await this.#options.pinnedJwks(context.tenantId, issuer) : undefined;
    if (!pinned) return this.#options.fallback.getVerificationKey(issuer, kid, alg, context);
    if (!isSupportedAlgorithm(alg)) throw signatureInvalid(`algorithm '${alg}' is not accepted`);
    const entry = this.#entryFor(issuer, pinned);
    const candidates = kid === undefined ? entry.keys : entry.keys.filter((key) => key.kid === kid);
    if (kid !== undefined && candidates.length === 0) {
      throw new CredlessError('signing_key_not_found', { kid: shownKid(kid), issuer });
    }
    const compatible = candidates.filter((key) => isAlgorithmCompatible(key, alg));
    const [key] = compatible;
    if (compatible.length !== 1 || key === undefined) {
      throw signatureInvalid(
        compatible.length === 0
          ? `no pinned key${kid === undefined ? '' : ` '${shownKid(kid)}'`} can verify ${alg}`
          : kid === undefined
            ? 'the token has no kid and several pinned keys fit'
            : `several pinned keys share the kid '${shownKid(kid)}'`,
      );
    }
    const cacheKey = `${key.kid}\0${alg}`;
    let imported = entry.imported.get(cacheKey);
    if (!imported) {
      imported = importJWK(key.jwk, alg).then((result) => {
        if (result instanceof Uint8Array) throw signatureInvalid('a symmetric key cannot be used');
        return result;
      });
      imported.catch(() => entry.imported.delete(cacheKey));
      entry.imported.set(cacheKey, imported);
    }
    return imported;
  }

  #entryFor(issuer: string, pinned: PinnedJwks) {
    let entry = this.#parsed.get(pinned);
    if (!entry) {
      // Validated on upload; parsed again here so a hand-edited row cannot smuggle in a private key.
      let keys: Parsed['keys'];
      try {
        keys = parseJwks(pinned).keys;
      } catch (error) {
        const reason = error instanceof IssuerFetchError ? error.reason : 'unreadable';
        throw new CredlessError('external_oidc_failed', { issuer, reason: `pinned JWKS: ${reason}` });
      }
      entry = { keys, imported: new Map() };
      this.#parsed.set(pinned, entry);
    }
    return entry;
  }
}
