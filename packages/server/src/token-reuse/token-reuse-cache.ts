/**
 * The reuse window's cache (`CREDLESS_TOKEN_REUSE_WINDOW_SECONDS`): remembers the token issued for
 * each identical federated exchange (the key from core's `tokenReuseKey`) and hands it out again while
 * core's `isReusable` allows. Concurrent identical exchanges share one signing, which is what flattens
 * a rollout herd. Emptied on every directory change (`clear`, wired to the token directory's
 * invalidation), so an edit to the application never meets a token minted before it.
 * @module
 */
import {
  type AccessTokenReuse,
  type IssuedAccessToken,
  isReusable,
  type TokenReusePolicy,
} from '@credless/core';

/** Distinct identical-request keys held at once; beyond it, expired entries go, then the oldest. */
const MAX_ENTRIES = 10_000;

interface Entry {
  /** Pending while the first identical exchange signs; shared by the ones arriving meanwhile. */
  pending: Promise<IssuedAccessToken>;
  issued?: IssuedAccessToken;
}

export class TokenReuseCache implements AccessTokenReuse {
  readonly #entries = new Map<string, Entry>();
  readonly #policy: TokenReusePolicy;
  readonly #now: () => number;

  constructor(policy: TokenReusePolicy, now: () => number) {
    this.#policy = policy;
    this.#now = now;
  }

  async reuseOrMint(key: string, mint: () => Promise<IssuedAccessToken>): Promise<IssuedAccessToken> {
    const entry = this.#entries.get(key);
    if (entry && !entry.issued) return entry.pending;
    if (entry?.issued && isReusable(entry.issued, this.#nowSeconds(), this.#policy)) return entry.issued;
    const fresh: Entry = { pending: mint() };
    this.#remember(key, fresh);
    try {
      fresh.issued = await fresh.pending;
    } catch (error) {
      // A failed signing is not remembered: the next identical exchange tries again.
      if (this.#entries.get(key) === fresh) this.#entries.delete(key);
      throw error;
    }
    return fresh.issued;
  }

  /** Forgets every token (a directory change: the next exchange of every application signs anew). */
  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }

  #nowSeconds(): number {
    return Math.floor(this.#now() / 1000);
  }

  #remember(key: string, entry: Entry): void {
    this.#entries.delete(key);
    if (this.#entries.size >= MAX_ENTRIES) {
      const now = this.#nowSeconds();
      for (const [old, held] of this.#entries)
        if (held.issued && !isReusable(held.issued, now, this.#policy)) this.#entries.delete(old);
      // Still full of live entries: drop the oldest (Map keeps insertion order).
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(key, entry);
  }
}
