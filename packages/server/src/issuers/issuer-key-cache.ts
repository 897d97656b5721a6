/**
 * Verification keys of external issuers, fetched on demand and cached per issuer.
 * Fetches only issuers a federated credential names, at most once per cooldown when a kid is unknown
 * (single-flight), and never drops the last good keys because a later fetch failed.
 * Bounded: at most `maxIssuers` entries (least recently used go first), an issuer unused for
 * `idleTtlMs` is dropped, and one no credential names any more is dropped when next asked for
 * (checking every cached issuer on each directory change would cost a query per issuer).
 * A failed fetch answers the caller with one generic reason; the detail goes to `onFetch` (the log)
 * and is the error's `cause`, so a refused address and a closed port look alike from outside.
 * @module
 */
import type { KeyObject } from 'node:crypto';
import { CredlessError } from '@credless/core';
import { importJWK } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Dispatcher } from 'undici';
import { IssuerFetchError } from './fetch-capped-json.ts';
import {
  fetchIssuerKeySet,
  type IssuerKeySet,
  type IssuerPublicKey,
  isAlgorithmCompatible,
  isSupportedAlgorithm,
} from './issuer-metadata.ts';
import { createIssuerAgent } from './issuer-network-guard.ts';

export interface IssuerKeyCacheOptions {
  /** Default dispatcher: createIssuerAgent(), which refuses loopback, private and link-local addresses. */
  fetchOptions: { dispatcher?: Dispatcher; timeoutMs?: number; maxBytes?: number };
  /** Resolves true when some federated credential names this issuer; nothing else is ever fetched. */
  isIssuerAllowed: (issuer: string) => Promise<boolean>;
  now?: () => number;
  /** Keys older than this are refetched before use. */
  maxAgeMs?: number;
  /** Minimum time between two fetches of one issuer (unknown kid, retry after failure). */
  refetchCooldownMs?: number;
  /** How long the last good keys stay usable while refetches fail. */
  lastGoodMaxAgeMs?: number;
  /** Issuers kept at most (default 1000); the least recently used is dropped first. */
  maxIssuers?: number;
  /** An issuer not asked for during this long is dropped (default 24 h). */
  idleTtlMs?: number;
  /** Told about every fetch of an issuer's metadata (metrics, log); must not throw. */
  onFetch?: (event: { issuer: string; ok: boolean; reason?: string }) => void;
}

export interface IssuerKeyStatus {
  /** When the keys in use were fetched; undefined until a fetch succeeded. */
  fetchedAt?: number;
  /** The latest failure, kept after later successes (compare lastErrorAt with fetchedAt). */
  lastError?: string;
  lastErrorAt?: number;
}

interface IssuerEntry {
  keySet?: IssuerKeySet;
  fetchedAt?: number;
  lastAttemptAt?: number;
  lastError?: string;
  lastErrorAt?: number;
  inFlight?: Promise<void>;
  /** Imported keys by `${kid}\0${alg}`; replaced wholesale when a new key set arrives. */
  imported: Map<string, Promise<CryptoKey | KeyObject>>;
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_BYTES = 256 * 1024;
const DEFAULT_MAX_AGE_MS = 10 * 60 * 1000;
const DEFAULT_COOLDOWN_MS = 30 * 1000;
const DEFAULT_LAST_GOOD_MAX_AGE_MS = 24 * 60 * 60 * 1000;
const DEFAULT_MAX_ISSUERS = 1000;
const DEFAULT_IDLE_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * What the caller learns about any failed fetch: the same text whether the address was refused, the
 * port closed or the certificate wrong, so the token endpoint cannot be used to probe a network.
 */
export const ISSUER_KEYS_UNAVAILABLE = "the issuer's signing keys could not be retrieved";
/** A kid is echoed in error messages; a hostile one can be huge. */
const KID_SHOWN_MAX = 256;

const keysUnavailable = (issuer: string, detail: string) =>
  new CredlessError(
    'external_oidc_failed',
    { issuer, reason: ISSUER_KEYS_UNAVAILABLE },
    { cause: new IssuerFetchError(detail) },
  );
const signatureInvalid = (reason: string) => new CredlessError('assertion_signature_invalid', { reason });
const shownKid = (kid: string) => (kid.length > KID_SHOWN_MAX ? `${kid.slice(0, KID_SHOWN_MAX)}…` : kid);

export class IssuerKeyCache {
  readonly #entries: LRUCache<string, IssuerEntry>;
  readonly #isIssuerAllowed: (issuer: string) => Promise<boolean>;
  readonly #fetchOptions: { dispatcher: Dispatcher; timeoutMs: number; maxBytes: number };
  readonly #onFetch: IssuerKeyCacheOptions['onFetch'];
  readonly #now: () => number;
  readonly #maxAgeMs: number;
  readonly #cooldownMs: number;
  readonly #lastGoodMaxAgeMs: number;

  constructor(options: IssuerKeyCacheOptions) {
    const { dispatcher, timeoutMs = DEFAULT_TIMEOUT_MS, maxBytes = DEFAULT_MAX_BYTES } = options.fetchOptions;
    this.#fetchOptions = { timeoutMs, maxBytes, dispatcher: dispatcher ?? createIssuerAgent() };
    this.#isIssuerAllowed = options.isIssuerAllowed;
    this.#now = options.now ?? Date.now;
    this.#maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.#cooldownMs = options.refetchCooldownMs ?? DEFAULT_COOLDOWN_MS;
    this.#onFetch = options.onFetch;
    this.#lastGoodMaxAgeMs = options.lastGoodMaxAgeMs ?? DEFAULT_LAST_GOOD_MAX_AGE_MS;
    const now = this.#now;
    this.#entries = new LRUCache({
      max: options.maxIssuers ?? DEFAULT_MAX_ISSUERS,
      ttl: options.idleTtlMs ?? DEFAULT_IDLE_TTL_MS,
      updateAgeOnGet: true,
      // The injected clock, read on every check (no timer-cached time).
      ttlResolution: 0,
      perf: { now },
    });
  }

  /** Issuers currently held (diagnostics, tests). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The key to verify a token from `issuer` signed with `alg` (taken from the token header, checked here
   * against an allow-list and the key type). `kid` is an opaque lookup value.
   */
  async getVerificationKey(
    issuer: string,
    kid: string | undefined,
    alg: string,
  ): Promise<CryptoKey | KeyObject> {
    if (!(await this.#isIssuerAllowed(issuer))) {
      this.#entries.delete(issuer);
      throw new CredlessError('issuer_no_match', { issuer });
    }
    if (!isSupportedAlgorithm(alg)) throw signatureInvalid(`algorithm '${alg}' is not accepted`);
    const entry = this.#entryFor(issuer);
    await this.#ensureUsableKeys(issuer, entry);

    let key = this.#selectKey(entry, kid, alg);
    if (!key && kid !== undefined) {
      // Possibly a rotation: one shared refetch per cooldown, never a fetch per request.
      if (entry.inFlight) await entry.inFlight;
      else if (this.#cooldownOver(entry)) await this.#refresh(issuer, entry);
      key = this.#selectKey(entry, kid, alg);
    }
    if (!key) throw new CredlessError('signing_key_not_found', { kid: shownKid(kid ?? ''), issuer });
    return this.#importKey(entry, key, alg);
  }

  /** Fetch health of one issuer, or undefined when it was never requested. */
  status(issuer: string): IssuerKeyStatus | undefined {
    const entry = this.#entries.peek(issuer);
    if (!entry) return undefined;
    const status: IssuerKeyStatus = {};
    if (entry.fetchedAt !== undefined) status.fetchedAt = entry.fetchedAt;
    if (entry.lastError !== undefined) status.lastError = entry.lastError;
    if (entry.lastErrorAt !== undefined) status.lastErrorAt = entry.lastErrorAt;
    return status;
  }

  #entryFor(issuer: string): IssuerEntry {
    let entry = this.#entries.get(issuer);
    if (!entry) {
      entry = { imported: new Map() };
      this.#entries.set(issuer, entry);
    }
    return entry;
  }

  #cooldownOver(entry: IssuerEntry): boolean {
    return entry.lastAttemptAt === undefined || this.#now() - entry.lastAttemptAt >= this.#cooldownMs;
  }

  /** Loads missing or stale keys; throws external_oidc_failed when no usable (or recent enough) keys exist. */
  async #ensureUsableKeys(issuer: string, entry: IssuerEntry): Promise<void> {
    if (entry.keySet && entry.fetchedAt !== undefined && this.#now() - entry.fetchedAt < this.#maxAgeMs)
      return;
    if (entry.inFlight) await entry.inFlight;
    else if (this.#cooldownOver(entry)) await this.#refresh(issuer, entry);

    if (entry.keySet && entry.fetchedAt !== undefined) {
      if (this.#now() - entry.fetchedAt < this.#lastGoodMaxAgeMs) return;
      throw keysUnavailable(
        issuer,
        `${entry.lastError ?? 'refresh pending'} (last good keys are too old to use)`,
      );
    }
    throw keysUnavailable(issuer, entry.lastError ?? 'keys unavailable');
  }

  /** Single-flight: concurrent callers share one fetch of the issuer. */
  #refresh(issuer: string, entry: IssuerEntry): Promise<void> {
    entry.inFlight ??= this.#fetchInto(issuer, entry).finally(() => {
      entry.inFlight = undefined;
    });
    return entry.inFlight;
  }

  /** Never throws: a failure is recorded on the entry and the previous keys stay in place. */
  async #fetchInto(issuer: string, entry: IssuerEntry): Promise<void> {
    entry.lastAttemptAt = this.#now();
    try {
      const keySet = await fetchIssuerKeySet(issuer, this.#fetchOptions);
      entry.keySet = keySet;
      entry.fetchedAt = this.#now();
      entry.imported = new Map();
      this.#onFetch?.({ issuer, ok: true });
    } catch (error) {
      entry.lastError =
        error instanceof IssuerFetchError ? error.reason : 'unexpected error while fetching keys';
      entry.lastErrorAt = this.#now();
      this.#onFetch?.({ issuer, ok: false, reason: entry.lastError });
    }
  }

  /** Undefined only when the kid is unknown; an incompatible or ambiguous key is an error. */
  #selectKey(entry: IssuerEntry, kid: string | undefined, alg: string): IssuerPublicKey | undefined {
    const keys = entry.keySet?.keys ?? [];
    if (kid === undefined) {
      const compatible = keys.filter((key) => isAlgorithmCompatible(key, alg));
      if (compatible.length === 1) return compatible[0];
      throw signatureInvalid(
        compatible.length === 0
          ? `no published key can verify ${alg}`
          : 'the token has no kid and the issuer publishes several keys',
      );
    }
    const withKid = keys.filter((key) => key.kid === kid);
    if (withKid.length === 0) return undefined;
    const compatible = withKid.filter((key) => isAlgorithmCompatible(key, alg));
    if (compatible.length === 1) return compatible[0];
    throw signatureInvalid(
      compatible.length === 0
        ? `key '${shownKid(kid)}' cannot verify ${alg}`
        : `several published keys share the kid '${shownKid(kid)}'`,
    );
  }

  #importKey(entry: IssuerEntry, key: IssuerPublicKey, alg: string): Promise<CryptoKey | KeyObject> {
    const cacheKey = `${key.kid}\0${alg}`;
    let imported = entry.imported.get(cacheKey);
    if (!imported) {
      const map = entry.imported;
      imported = importJWK(key.jwk, alg).then(
        (result) => {
          if (result instanceof Uint8Array) throw signatureInvalid('a symmetric key cannot be used');
          return result;
        },
        () => {
          map.delete(cacheKey);
          throw signatureInvalid(`key '${shownKid(key.kid)}' could not be imported for ${alg}`);
        },
      );
      map.set(cacheKey, imported);
    }
    return imported;
  }
}
