/**
 * WorkloadIdentityCredential: exchanges the projected federated token for access tokens, with the
 * shape of @azure/identity's TokenCredential (`getToken(scopes) -> {token, expiresOnTimestamp}`).
 * Tokens are cached per scope set until `refreshMarginMs` before they expire (or the STS's
 * `refresh_in`); concurrent callers share one request; the token file is re-read when it rotated.
 * @module
 */
import { TokenServiceError } from '../errors.ts';
import { FederatedTokenFile } from '../lib/token-file.ts';
import { type IssuedToken, requestAccessToken } from '../lib/token-request.ts';
import { type ResolvedOptions, resolveOptions, type WorkloadIdentityCredentialOptions } from './options.ts';

export interface AccessToken {
  token: string;
  /** Expiry, in milliseconds since the epoch. */
  expiresOnTimestamp: number;
  /** From then on, getToken() asks the STS for a new token. */
  refreshAfterTimestamp: number;
  tokenType: 'Bearer';
}

/** After a failed refresh of a still-valid token, the next attempt waits this long. */
const REFRESH_RETRY_MS = 30_000;

export interface GetTokenOptions {
  /** Stops waiting for this caller; a shared request carries on for the others. */
  abortSignal?: AbortSignal;
}

function scopeOf(scopes: string | readonly string[]): string {
  const list = typeof scopes === 'string' ? [scopes] : scopes;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.some((s) => typeof s !== 'string' || s.trim() === '')
  ) {
    throw new TypeError('scopes must be a non-empty string or array of non-empty strings');
  }
  return [...new Set(list.map((s) => s.trim()))].sort().join(' ');
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export class WorkloadIdentityCredential {
  readonly tenantId: string;
  readonly clientId: string;
  readonly #options: ResolvedOptions;
  readonly #tokenFile: FederatedTokenFile;
  readonly #cache = new Map<string, AccessToken>();
  readonly #inFlight = new Map<string, Promise<AccessToken>>();

  /** Throws CredlessSdkError ERR_CREDENTIAL_UNAVAILABLE when tenant, client or token file is unknown. */
  constructor(options: WorkloadIdentityCredentialOptions = {}) {
    this.#options = resolveOptions(options);
    this.tenantId = this.#options.tenantId;
    this.clientId = this.#options.clientId;
    this.#tokenFile = new FederatedTokenFile(this.#options.tokenFilePath);
  }

  /**
   * An access token for `scopes` (one resource's `<resource>/.default`). Answers from the cache until
   * the refresh time; past it, a failed refresh still answers with the cached token while it is valid.
   */
  async getToken(scopes: string | readonly string[], options: GetTokenOptions = {}): Promise<AccessToken> {
    const scope = scopeOf(scopes);
    const cached = this.#cache.get(scope);
    const now = this.#options.now();
    if (cached && now < cached.refreshAfterTimestamp) return cached;
    const refresh = raceAbort(this.#refresh(scope), options.abortSignal);
    if (!cached || now >= cached.expiresOnTimestamp) return refresh;
    try {
      return await refresh;
    } catch (error) {
      if (options.abortSignal?.aborted) throw error;
      // Keep serving the valid token, and retry later rather than on every call.
      if (this.#cache.get(scope) !== cached) return this.#cache.get(scope) ?? cached;
      const retryAt = Math.min(now + REFRESH_RETRY_MS, cached.expiresOnTimestamp);
      const kept = { ...cached, refreshAfterTimestamp: retryAt };
      this.#cache.set(scope, kept);
      return kept;
    }
  }

  /** One request per scope at a time: concurrent callers join it. */
  #refresh(scope: string): Promise<AccessToken> {
    let pending = this.#inFlight.get(scope);
    if (!pending) {
      pending = this.#request(scope).finally(() => this.#inFlight.delete(scope));
      this.#inFlight.set(scope, pending);
    }
    return pending;
  }

  async #request(scope: string): Promise<AccessToken> {
    const assertion = await this.#tokenFile.read();
    const sentAt = this.#options.now();
    let issued: IssuedToken;
    try {
      issued = await requestAccessToken({
        tokenEndpoint: this.#options.tokenEndpoint,
        clientId: this.#options.clientId,
        scope,
        assertion,
        fetch: this.#options.fetch,
        timeoutMs: this.#options.timeoutMs,
        now: this.#options.now,
      });
    } catch (error) {
      // A refused assertion (expired, rotated too late): read the file afresh next time.
      if (error instanceof TokenServiceError) this.#tokenFile.invalidate();
      throw error;
    }
    let refreshAt = Math.min(
      issued.refreshAfterTimestamp ?? Number.POSITIVE_INFINITY,
      issued.expiresOnTimestamp - this.#options.refreshMarginMs,
    );
    // A token shorter-lived than the margin is still used for half its life rather than never.
    if (refreshAt <= sentAt) refreshAt = sentAt + (issued.expiresOnTimestamp - sentAt) / 2;
    const token: AccessToken = {
      token: issued.token,
      expiresOnTimestamp: issued.expiresOnTimestamp,
      refreshAfterTimestamp: refreshAt,
      tokenType: 'Bearer',
    };
    this.#cache.set(scope, token);
    return token;
  }
}
