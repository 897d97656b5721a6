/**
 * The token path's view of the directory, answered from memory. Every entry (found or not) is dropped
 * as soon as the directory changes: immediately for writes made in this process (whoever opened the
 * store subscribes `invalidate` to its post-commit change hook, `store.onDirectoryChange`), and within
 * one poll interval (or at once by NOTIFY, see change-feed.ts) for writes made by another process.
 *
 * Static stability: while the database is unreachable, what is in memory keeps answering (the token
 * endpoint keeps issuing), for at most `maxStalenessMs` since the store last answered a poll; past that,
 * and for anything not in memory, lookups fail closed with `directory_unavailable` (503). "In memory"
 * includes the entries the last invalidation dropped, so a change made just before the outage does not
 * leave a replica with nothing to issue from: the price is that such a change (a revocation, say) may not
 * be seen on this replica until the database is back — bounded by the same staleness limit.
 * @module
 */
import {
  type AssertionCredentials,
  CredlessError,
  type DirectoryPrincipal,
  type Tenant,
  type TenantIssuerPolicy,
  type TokenDirectory,
} from '@credless/core';
import type { DirectoryChangeSource, DirectoryStore } from '../store/directory-store.ts';
import { isTransientStoreError } from '../store/sql-errors.ts';

/** What the token path reads from the store (and the version it polls); nothing else. */
export type TokenDirectoryStore = Pick<
  DirectoryStore,
  | 'getDirectoryVersion'
  | 'findTenant'
  | 'getApplicationByAppId'
  | 'getServicePrincipalByAppId'
  | 'findApplicationByIdentifier'
  | 'hasFederatedIdentityCredentialForIssuer'
  | 'findFederatedIdentityCredentialsForAssertion'
  | 'hasFederatedIdentityCredentialSubjectIgnoringCase'
  | 'listAppRoleAssignmentsByPrincipal'
  | 'getIssuerPolicy'
  | 'isKnownIssuer'
>;

/** Bounds memory when callers send many distinct unknown ids. */
const MAX_ENTRIES = 200_000;
/** How long the token path may answer from memory while the database is unreachable (default 15 min). */
export const DEFAULT_MAX_STALENESS_MS = 15 * 60 * 1000;

export interface CachedTokenDirectoryOptions {
  maxStalenessMs?: number;
  now?: () => number;
}

/** Whether this replica's view of the directory is current enough to issue from. */
export interface DirectoryFreshness {
  /** The store answered the last poll. */
  storeReachable: boolean;
  /** Milliseconds since the store last answered. */
  staleForMs: number;
  /** Still within the staleness limit: the token path answers. */
  usable: boolean;
}

export class CachedTokenDirectory implements TokenDirectory {
  readonly #store: TokenDirectoryStore;
  readonly #entries = new Map<string, Promise<unknown>>();
  /** The entries dropped by the last invalidation; read only while the store is unreachable. */
  readonly #lastKnown = new Map<string, Promise<unknown>>();
  readonly #listeners = new Set<() => void>();
  #generation = 0;
  #knownVersion: number | undefined;
  #poller: NodeJS.Timeout | undefined;
  readonly #maxStalenessMs: number;
  readonly #now: () => number;
  /** When the store last answered (a poll, or a load): what is in memory was current then. */
  #confirmedAt: number;
  #storeReachable = true;

  constructor(store: TokenDirectoryStore, options: CachedTokenDirectoryOptions = {}) {
    this.#store = store;
    this.#maxStalenessMs = options.maxStalenessMs ?? DEFAULT_MAX_STALENESS_MS;
    this.#now = options.now ?? Date.now;
    this.#confirmedAt = this.#now();
  }

  freshness(): DirectoryFreshness {
    const staleForMs = this.#storeReachable ? 0 : Math.max(0, this.#now() - this.#confirmedAt);
    return { storeReachable: this.#storeReachable, staleForMs, usable: staleForMs <= this.#maxStalenessMs };
  }

  /** `freshness().usable` without building the object: asked on every lookup, several per exchange. */
  #usable(): boolean {
    const staleForMs = this.#storeReachable ? 0 : Math.max(0, this.#now() - this.#confirmedAt);
    return staleForMs <= this.#maxStalenessMs;
  }

  #confirmed(): void {
    this.#storeReachable = true;
    this.#confirmedAt = this.#now();
  }

  #unreachable(): void {
    this.#storeReachable = false;
  }

  /** Drops every cached entry and tells listeners (e.g. the signing-key cache). */
  invalidate(): void {
    this.#generation += 1;
    // Kept only as a fallback for an outage that begins before an entry is reloaded (a write just before
    // the database went down would otherwise leave nothing in memory to issue from).
    // Merged, not replaced: invalidations can follow each other faster than every entry is reloaded.
    if (this.#lastKnown.size + this.#entries.size > MAX_ENTRIES) this.#lastKnown.clear();
    for (const [key, value] of this.#entries) this.#lastKnown.set(key, value);
    this.#entries.clear();
    for (const listener of this.#listeners) listener();
  }

  /**
   * A committed directory change this process learnt of, with the version it committed (its own write,
   * another worker's relayed by the primary, or a replica's NOTIFY): drops every entry and takes that
   * version as known, so the poll does not drop everything a second time for a change already applied.
   * Safe because writers bump the version under one lock: once version v is visible, so is every write
   * before it, and what is loaded from now on reflects them all (loads begun earlier are not kept).
   */
  changed(version: number | undefined): void {
    this.invalidate();
    if (version !== undefined && this.#knownVersion !== undefined && version > this.#knownVersion) {
      this.#knownVersion = version;
    }
  }

  /** Drops every entry after each committed write of `store` (this process's writes); returns the unsubscribe. */
  followWrites(store: DirectoryChangeSource): () => void {
    return store.onDirectoryChange((change) => this.changed(change.version));
  }

  onInvalidate(listener: () => void): void {
    this.#listeners.add(listener);
  }

  /** Starts watching the store's version counter for writes made by other processes. */
  startPolling(intervalMs: number, onError: (error: unknown) => void): void {
    this.stopPolling();
    const poll = async () => {
      try {
        const version = await this.#store.getDirectoryVersion();
        // Back after an outage: whatever changed meanwhile was not announced, so reload everything.
        const missedChanges = !this.#storeReachable;
        this.#confirmed();
        if (missedChanges || (this.#knownVersion !== undefined && version !== this.#knownVersion)) {
          this.invalidate();
        }
        this.#knownVersion = version;
      } catch (error) {
        if (isTransientStoreError(error)) this.#unreachable();
        onError(error);
      }
    };
    void poll();
    this.#poller = setInterval(poll, intervalMs);
    this.#poller.unref();
  }

  stopPolling(): void {
    if (this.#poller) clearInterval(this.#poller);
    this.#poller = undefined;
  }

  /** Lookup counters, read by the metrics endpoint. */
  readonly stats = { hits: 0, misses: 0, lastKnown: 0 };

  #cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.#usable()) return Promise.reject(new CredlessError('directory_unavailable'));
    const hit = this.#entries.get(key);
    if (hit) {
      this.stats.hits += 1;
      return hit as Promise<T>;
    }
    this.stats.misses += 1;
    const generation = this.#generation;
    const pending = load().then(
      (value) => value,
      (error: unknown) => {
        if (!isTransientStoreError(error)) throw error;
        this.#unreachable();
        const lastKnown = this.#lastKnown.get(key) as Promise<T> | undefined;
        const unavailable = new CredlessError('directory_unavailable', {}, { cause: error });
        if (!lastKnown) throw unavailable;
        this.stats.lastKnown += 1;
        return lastKnown.catch(() => {
          throw unavailable;
        });
      },
    );
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    this.#entries.set(key, pending);
    pending.then(
      () => {
        // A change landed while loading: the result may predate it, so do not keep it as current; it is
        // still the best last-known value should the database go down before the next load.
        if (generation !== this.#generation) {
          this.#entries.delete(key);
          this.#lastKnown.set(key, pending);
        }
      },
      () => this.#entries.delete(key),
    );
    return pending;
  }

  findTenant(idOrDomain: string): Promise<Tenant | undefined> {
    return this.#cached(`tenant\0${idOrDomain.toLowerCase()}`, () => this.#store.findTenant(idOrDomain));
  }

  findClient(tenantId: string, appId: string): Promise<DirectoryPrincipal | undefined> {
    return this.#cached(`client\0${tenantId}\0${appId}`, async () => {
      const application = await this.#store.getApplicationByAppId(tenantId, appId);
      if (!application) return undefined;
      return { application, servicePrincipal: await this.#store.getServicePrincipalByAppId(tenantId, appId) };
    });
  }

  findResource(tenantId: string, identifier: string): Promise<DirectoryPrincipal | undefined> {
    return this.#cached(`resource\0${tenantId}\0${identifier}`, async () => {
      const application = await this.#store.findApplicationByIdentifier(tenantId, identifier);
      if (!application) return undefined;
      return {
        application,
        servicePrincipal: await this.#store.getServicePrincipalByAppId(tenantId, application.appId),
      };
    });
  }

  hasCredentialsForIssuer(tenantId: string, applicationId: string, issuer: string): Promise<boolean> {
    return this.#cached(`fic-issuer\0${tenantId}\0${applicationId}\0${issuer}`, () =>
      this.#store.hasFederatedIdentityCredentialForIssuer(tenantId, applicationId, issuer),
    );
  }

  /** Keyed by the verified subject too: one small entry per workload, never a whole application's list. */
  credentialsForAssertion(
    tenantId: string,
    applicationId: string,
    issuer: string,
    subject: string,
  ): Promise<AssertionCredentials> {
    return this.#cached(`fic\0${tenantId}\0${applicationId}\0${issuer}\0${subject}`, () =>
      this.#store.findFederatedIdentityCredentialsForAssertion(tenantId, applicationId, issuer, subject),
    );
  }

  /** Failure path only; not cached, so that guessing subjects cannot fill the cache. */
  hasCaseInsensitiveSubject(
    tenantId: string,
    applicationId: string,
    issuer: string,
    subject: string,
  ): Promise<boolean> {
    return this.#store.hasFederatedIdentityCredentialSubjectIgnoringCase(
      tenantId,
      applicationId,
      issuer,
      subject,
    );
  }

  assignedAppRoleIds(
    tenantId: string,
    principalId: string,
    resourceId: string,
  ): Promise<ReadonlySet<string>> {
    return this.#cached(`roles\0${tenantId}\0${principalId}\0${resourceId}`, async () => {
      const assignments = await this.#store.listAppRoleAssignmentsByPrincipal(tenantId, principalId);
      return new Set(assignments.filter((a) => a.resourceId === resourceId).map((a) => a.appRoleId));
    });
  }

  /** Per tenant, from memory; a policy write (any replica) drops it like any directory change. */
  issuerPolicy(tenantId: string): Promise<TenantIssuerPolicy | undefined> {
    return this.#cached(`issuer-policy\0${tenantId}`, () => this.#store.getIssuerPolicy(tenantId));
  }

  isKnownIssuer(issuer: string): Promise<boolean> {
    return this.#cached(`issuer\0${issuer}`, () => this.#store.isKnownIssuer(issuer));
  }
}
