/**
 * Per-tenant token-signing keys and their lifecycle:
 *
 *   created ──(published, prepublished)──▶ activateAt ──(signs)──▶ retireAt ──(published)──▶ expireAt ✗
 *
 * Every process derives the same active key from the stored records alone (greatest activateAt ≤ now,
 * ties by kid). Replicas racing to create a key create one: the store re-checks, inside its serialized
 * write, that the key is still needed (a second "first" key would sign at once without being prepublished).
 * Private keys are stored only encrypted with the key-encryption key; decrypted keys live in memory.
 * `ensureKeys` must run regularly (at start and, say, hourly) to prepublish successors and prune.
 * @module
 */

import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { DirectoryStore, SigningKeyRecord } from '../store/directory-store.ts';
import { isTransientStoreError } from '../store/sql-errors.ts';
import { decryptPrivateJwk, encryptPrivateJwk } from './key-encryption-key.ts';
import { createSigningKeyCertificate, SIGNING_ALGORITHM } from './signing-key-certificate.ts';

export type SigningKeyStore = Pick<
  DirectoryStore,
  'insertSigningKey' | 'listSigningKeys' | 'deleteSigningKey'
>;

export interface SigningKeyManagerOptions {
  store: SigningKeyStore;
  kek: Uint8Array;
  now?: () => number;
  /** How long a key signs before its successor takes over. Default 30 days. */
  rotationPeriodMs?: number;
  /** How long a successor is published before it signs; must cover the verifiers' JWKS cache. Default 2 days. */
  prepublishPeriodMs?: number;
  /** How long a retired key stays published; must cover token lifetime + JWKS cache. Default 2 days. */
  retentionAfterRetireMs?: number;
  /** Longest lifetime of a token signed by these keys. Default 90 minutes. */
  maxTokenLifetimeMs?: number;
  /** How long verifiers may cache the JWKS. Default 24 hours. */
  jwksCacheTtlMs?: number;
  /** Upper bound on how long in-memory state is trusted before re-reading the store. Default 5 minutes. */
  cacheMaxAgeMs?: number;
}

export interface ActiveSigningKey {
  kid: string;
  x5t: string;
  /** A node:crypto key: access tokens are signed with crypto.sign (access-token-signer.ts says why). */
  privateKey: KeyObject;
}

export interface JwksKey {
  kty: 'RSA';
  use: 'sig';
  kid: string;
  x5t: string;
  n: string;
  e: string;
  x5c: string[];
}

export interface Jwks {
  keys: JwksKey[];
}

export type SigningKeyState = 'prepublished' | 'active' | 'retired';

export interface SigningKeyStatus {
  kid: string;
  x5t: string;
  state: SigningKeyState;
  createdAt: Date;
  activateAt: Date;
  retireAt: Date;
  expireAt: Date;
}

interface CachedActive {
  key: ActiveSigningKey;
  validUntil: number;
}

interface CachedJwks {
  jwks: Jwks;
  validUntil: number;
}

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export class SigningKeyManager {
  readonly #store: SigningKeyStore;
  readonly #kek: Uint8Array;
  readonly #now: () => number;
  readonly #rotationPeriodMs: number;
  readonly #prepublishPeriodMs: number;
  readonly #retentionAfterRetireMs: number;
  readonly #cacheMaxAgeMs: number;
  readonly #active = new Map<string, CachedActive>();
  readonly #jwks = new Map<string, CachedJwks>();
  readonly #ensuring = new Map<string, Promise<void>>();
  readonly #loadingActive = new Map<string, Promise<ActiveSigningKey>>();
  /** What was last loaded, kept across invalidate(): answers only while the store is unreachable. */
  readonly #lastKnownActive = new Map<string, { key: ActiveSigningKey; expireAt: number }>();
  readonly #lastKnownJwks = new Map<string, Jwks>();
  /** Bumped by invalidate(): a load that started before must not repopulate the cache. */
  #generation = 0;

  constructor(options: SigningKeyManagerOptions) {
    if (options.kek.length !== 32) throw new Error('The key-encryption key must be 32 bytes');
    this.#store = options.store;
    this.#kek = options.kek;
    this.#now = options.now ?? Date.now;
    this.#rotationPeriodMs = options.rotationPeriodMs ?? 30 * DAY_MS;
    this.#prepublishPeriodMs = options.prepublishPeriodMs ?? 2 * DAY_MS;
    this.#retentionAfterRetireMs = options.retentionAfterRetireMs ?? 2 * DAY_MS;
    this.#cacheMaxAgeMs = options.cacheMaxAgeMs ?? 5 * MINUTE_MS;
    const maxTokenLifetimeMs = options.maxTokenLifetimeMs ?? 90 * MINUTE_MS;
    const jwksCacheTtlMs = options.jwksCacheTtlMs ?? DAY_MS;

    for (const [name, value] of Object.entries({
      rotationPeriodMs: this.#rotationPeriodMs,
      prepublishPeriodMs: this.#prepublishPeriodMs,
      retentionAfterRetireMs: this.#retentionAfterRetireMs,
      maxTokenLifetimeMs,
      jwksCacheTtlMs,
      cacheMaxAgeMs: this.#cacheMaxAgeMs,
    })) {
      if (!Number.isFinite(value) || value < 0)
        throw new Error(`${name} must be a non-negative number of ms`);
    }
    if (this.#prepublishPeriodMs >= this.#rotationPeriodMs) {
      throw new Error('prepublishPeriodMs must be shorter than rotationPeriodMs');
    }
    // Tokens signed just before retirement must stay verifiable by verifiers holding a cached JWKS.
    if (this.#retentionAfterRetireMs < maxTokenLifetimeMs + jwksCacheTtlMs) {
      throw new Error(
        `retentionAfterRetireMs (${this.#retentionAfterRetireMs}) must be at least maxTokenLifetimeMs + ` +
          `jwksCacheTtlMs (${maxTokenLifetimeMs + jwksCacheTtlMs})`,
      );
    }
    // A successor must be in every verifier's cached JWKS before it signs anything.
    if (this.#prepublishPeriodMs < jwksCacheTtlMs) {
      throw new Error(
        `prepublishPeriodMs (${this.#prepublishPeriodMs}) must be at least jwksCacheTtlMs (${jwksCacheTtlMs})`,
      );
    }
  }

  /** Prunes expired keys, creates the first key if there is none, and prepublishes the successor when due. */
  ensureKeys(tenantId: string): Promise<void> {
    // One run per tenant at a time in this process; other processes are handled by the deterministic pick.
    const running = this.#ensuring.get(tenantId);
    if (running) return running;
    const run = this.#ensureKeys(tenantId).finally(() => this.#ensuring.delete(tenantId));
    this.#ensuring.set(tenantId, run);
    return run;
  }

  async getActiveSigningKey(tenantId: string): Promise<ActiveSigningKey> {
    const cached = this.#active.get(tenantId);
    if (cached && this.#now() < cached.validUntil) return cached.key;
    const loading = this.#loadingActive.get(tenantId);
    if (loading) return loading;
    const load = this.#loadActive(tenantId, cached?.key)
      .catch((error: unknown) => {
        // Static stability: while the database is unreachable, keep signing with the key last loaded,
        // as long as that key itself has not expired (a prepublished successor can wait for recovery).
        const lastKnown = this.#lastKnownActive.get(tenantId);
        if (isTransientStoreError(error) && lastKnown && this.#now() < lastKnown.expireAt)
          return lastKnown.key;
        throw error;
      })
      .finally(() => this.#loadingActive.delete(tenantId));
    this.#loadingActive.set(tenantId, load);
    return load;
  }

  async getJwks(tenantId: string): Promise<Jwks> {
    const now = this.#now();
    const cached = this.#jwks.get(tenantId);
    if (cached && now < cached.validUntil) return cached.jwks;
    let generation = this.#generation;
    let live: SigningKeyRecord[];
    try {
      live = await this.#liveRecords(tenantId, now);
    } catch (error) {
      const lastKnown = this.#lastKnownJwks.get(tenantId);
      if (isTransientStoreError(error) && lastKnown) return lastKnown;
      throw error;
    }
    if (live.length === 0) {
      await this.ensureKeys(tenantId);
      generation = this.#generation;
      live = await this.#liveRecords(tenantId, now);
    }
    // Newest first, like Entra's discovery keys.
    const ordered = [...live].sort((a, b) => compareByActivation(b, a));
    // Frozen: the same object is handed to every caller until the cache expires.
    const jwks: Jwks = Object.freeze({ keys: Object.freeze(ordered.map(toJwk)) as JwksKey[] });
    const firstExpiry = Math.min(...live.map((r) => r.expireAt.getTime()));
    if (generation === this.#generation) {
      this.#jwks.set(tenantId, { jwks, validUntil: Math.min(firstExpiry, now + this.#cacheMaxAgeMs) });
    }
    this.#lastKnownJwks.set(tenantId, jwks);
    return jwks;
  }

  /** Drops cached state, for one tenant or all; call when another process may have written keys. */
  invalidate(tenantId?: string): void {
    this.#generation++;
    if (tenantId === undefined) {
      this.#active.clear();
      this.#jwks.clear();
    } else {
      this.#active.delete(tenantId);
      this.#jwks.delete(tenantId);
    }
  }

  /** Every stored key with its current state, newest first (diagnostics; expired keys not yet pruned are left out). */
  async keyStates(tenantId: string): Promise<SigningKeyStatus[]> {
    const now = this.#now();
    const live = await this.#liveRecords(tenantId, now);
    const active = pickActive(live, now);
    return [...live]
      .sort((a, b) => compareByActivation(b, a))
      .map((r) => ({
        kid: r.kid,
        x5t: r.x5t,
        state: r === active ? 'active' : r.activateAt.getTime() > now ? 'prepublished' : 'retired',
        createdAt: r.createdAt,
        activateAt: r.activateAt,
        retireAt: r.retireAt,
        expireAt: r.expireAt,
      }));
  }

  async #ensureKeys(tenantId: string): Promise<void> {
    const now = this.#now();
    const records = await this.#store.listSigningKeys(tenantId);
    const live: SigningKeyRecord[] = [];
    let changed = false;
    for (const record of records) {
      if (record.expireAt.getTime() <= now) {
        await this.#store.deleteSigningKey(tenantId, record.kid);
        changed = true;
      } else {
        live.push(record);
      }
    }

    // A first key when none is active, then its successor when due; a few more rounds if other
    // processes write keys meanwhile (each round re-decides from what is stored, at the current time).
    let basis = live.map((r) => r.kid);
    let current = live;
    for (let round = 0; round < 4; round++) {
      const at = round === 0 ? now : this.#now();
      if (round > 0) {
        const stored = await this.#store.listSigningKeys(tenantId);
        basis = stored.map((r) => r.kid);
        current = stored.filter((r) => r.expireAt.getTime() > at);
      }
      const activateAt = this.#nextKeyActivation(current, at);
      if (activateAt === undefined) break;
      const decidedOn = basis;
      // Optimistic: skipped (and decided again) if the stored keys changed since we looked; checked
      // under the store's write lock, so two replicas cannot both add the key.
      await this.#createKey(tenantId, at, activateAt, (stored) => !sameKids(stored, decidedOn));
      changed = true;
    }
    if (changed) this.invalidate(tenantId);
  }

  /** When the key to create now should activate, or undefined when none is needed. */
  #nextKeyActivation(live: SigningKeyRecord[], now: number): number | undefined {
    if (!pickActive(live, now)) return now;
    const newest = live.reduce((a, b) => (compareByActivation(a, b) >= 0 ? a : b));
    const retireAt = newest.retireAt.getTime();
    // If we are late (retireAt passed), the successor takes over now rather than in the past.
    return now >= retireAt - this.#prepublishPeriodMs ? Math.max(retireAt, now) : undefined;
  }

  async #createKey(
    tenantId: string,
    now: number,
    activateAt: number,
    unless: (stored: SigningKeyRecord[]) => boolean,
  ): Promise<void> {
    // WebCrypto generates RSA keys off the main thread, so this never blocks the event loop.
    const keys = await crypto.subtle.generateKey(
      { ...SIGNING_ALGORITHM, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
      true,
      ['sign', 'verify'],
    );
    const retireAt = activateAt + this.#rotationPeriodMs;
    const expireAt = retireAt + this.#retentionAfterRetireMs;
    const { certificate, x5t, kid } = await createSigningKeyCertificate({
      tenantId,
      keys,
      activateAt: new Date(activateAt),
      expireAt: new Date(expireAt),
    });
    const publicJwk = await crypto.subtle.exportKey('jwk', keys.publicKey);
    const privateJwk = await crypto.subtle.exportKey('jwk', keys.privateKey);
    if (!publicJwk.n || !publicJwk.e) throw new Error('RSA public key export lacks n/e');
    const record: SigningKeyRecord = {
      kid,
      tenantId,
      publicJwk: { kty: 'RSA', n: publicJwk.n, e: publicJwk.e },
      certificate,
      x5t,
      encryptedPrivateKey: await encryptPrivateJwk(privateJwk, this.#kek),
      createdAt: new Date(now),
      activateAt: new Date(activateAt),
      retireAt: new Date(retireAt),
      expireAt: new Date(expireAt),
    };
    await this.#store.insertSigningKey(record, { unless });
  }

  async #loadActive(tenantId: string, previous: ActiveSigningKey | undefined): Promise<ActiveSigningKey> {
    let now = this.#now();
    let generation = this.#generation;
    let live = await this.#liveRecords(tenantId, now);
    let record = pickActive(live, now);
    if (!record) {
      await this.ensureKeys(tenantId);
      // A key created just now activates at creation time, after the first reading of the clock.
      now = this.#now();
      generation = this.#generation;
      live = await this.#liveRecords(tenantId, now);
      record = pickActive(live, now);
      if (!record) throw new Error(`No active token-signing key could be established for tenant ${tenantId}`);
    }
    // Decrypt once per key: a refresh that finds the same key keeps the in-memory key.
    const key =
      previous?.kid === record.kid
        ? previous
        : { kid: record.kid, x5t: record.x5t, privateKey: await this.#decrypt(record) };
    const nextActivation = Math.min(
      ...live.map((r) => r.activateAt.getTime()).filter((t) => t > now),
      record.expireAt.getTime(),
      now + this.#cacheMaxAgeMs,
    );
    if (generation === this.#generation) this.#active.set(tenantId, { key, validUntil: nextActivation });
    this.#lastKnownActive.set(tenantId, { key, expireAt: record.expireAt.getTime() });
    return key;
  }

  async #decrypt(record: SigningKeyRecord): Promise<KeyObject> {
    const jwk = await decryptPrivateJwk(record.encryptedPrivateKey, this.#kek);
    // A KeyObject straight from the JWK. (It was a non-extractable CryptoKey turned into a KeyObject by
    // KeyObject.from, which Node 24 deprecates, DEP0204: the KeyObject could be exported all the same.)
    return createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
  }

  async #liveRecords(tenantId: string, now: number): Promise<SigningKeyRecord[]> {
    const records = await this.#store.listSigningKeys(tenantId);
    return records.filter((r) => r.expireAt.getTime() > now);
  }
}

function sameKids(stored: SigningKeyRecord[], kids: string[]): boolean {
  if (stored.length !== kids.length) return false;
  const expected = new Set(kids);
  return stored.every((r) => expected.has(r.kid));
}

/** Orders by activateAt, then kid: the total order every replica agrees on. */
function compareByActivation(a: SigningKeyRecord, b: SigningKeyRecord): number {
  const byTime = a.activateAt.getTime() - b.activateAt.getTime();
  if (byTime !== 0) return byTime;
  return a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0;
}

/** The signing key at `now`: the latest-activated live key that has activated. */
function pickActive(live: SigningKeyRecord[], now: number): SigningKeyRecord | undefined {
  let best: SigningKeyRecord | undefined;
  for (const record of live) {
    if (record.expireAt.getTime() <= now || record.activateAt.getTime() > now) continue;
    if (!best || compareByActivation(record, best) > 0) best = record;
  }
  return best;
}

function toJwk(record: SigningKeyRecord): JwksKey {
  return Object.freeze({
    kty: 'RSA',
    use: 'sig',
    kid: record.kid,
    x5t: record.x5t,
    n: record.publicJwk.n,
    e: record.publicJwk.e,
    x5c: Object.freeze([record.certificate]) as string[],
  });
}
