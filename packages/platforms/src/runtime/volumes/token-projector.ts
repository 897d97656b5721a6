/**
 * The kubelet's token projector: writes each projected service-account token to its file and
 * re-requests it once 80% of its lifetime has passed (or 24 h, whichever is first), as the kubelet
 * does. Files are replaced atomically (write + rename), so a reader never sees half a token.
 * @module
 */
import { rename, writeFile } from 'node:fs/promises';
import type { IssuedServiceAccountToken } from '../../local-issuers/local-issuers.ts';

const DAY_MS = 24 * 3600 * 1000;

interface Projection {
  owner: string;
  file: string;
  issue: () => Promise<IssuedServiceAccountToken>;
  refreshAt: number;
}

export interface TokenProjectorOptions {
  now?: () => number;
  /** How often due tokens are looked for (default 1 s); 0 = only on tick() (tests). */
  intervalMs?: number;
  onError?: (file: string, error: unknown) => void;
}

export class TokenProjector {
  readonly #now: () => number;
  readonly #onError: (file: string, error: unknown) => void;
  readonly #projections = new Map<string, Projection>();
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;

  constructor(options: TokenProjectorOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ?? (() => {});
    const interval = options.intervalMs ?? 1000;
    if (interval > 0) {
      this.#timer = setInterval(() => void this.tick(), interval);
      this.#timer.unref();
    }
  }

  /** Writes the first token now (a failure is the caller's: the pod cannot start without it). */
  async project(owner: string, file: string, issue: () => Promise<IssuedServiceAccountToken>): Promise<void> {
    const projection: Projection = { owner, file, issue, refreshAt: 0 };
    await this.#write(projection);
    this.#projections.set(file, projection);
  }

  /** Refreshes every token that is due; a failed refresh is retried on the next tick. */
  tick(): Promise<void> {
    this.#ticking ??= (async () => {
      const now = this.#now();
      for (const projection of [...this.#projections.values()]) {
        if (projection.refreshAt > now) continue;
        try {
          await this.#write(projection);
        } catch (error) {
          this.#onError(projection.file, error);
        }
      }
    })().finally(() => {
      this.#ticking = undefined;
    });
    return this.#ticking;
  }

  /** Stops refreshing the tokens of one owner (a pod being deleted). */
  forget(owner: string): void {
    for (const [file, projection] of this.#projections)
      if (projection.owner === owner) this.#projections.delete(file);
  }

  refreshAt(file: string): number | undefined {
    return this.#projections.get(file)?.refreshAt;
  }

  close(): void {
    clearInterval(this.#timer);
    this.#projections.clear();
  }

  async #write(projection: Projection): Promise<void> {
    const issued = await projection.issue();
    const tmp = `${projection.file}.${process.pid}.tmp`;
    await writeFile(tmp, issued.token, { mode: 0o600 });
    await rename(tmp, projection.file);
    // Measured from the runtime's clock at writing: what matters is when this file goes stale here.
    const lifetimeMs = (issued.expiresAt - issued.issuedAt) * 1000;
    projection.refreshAt = this.#now() + Math.min(lifetimeMs * 0.8, DAY_MS);
  }
}
