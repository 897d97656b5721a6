/**
 * The Deployment controller between applies. A Deployment's pod deleted: its replacement is created at
 * once (a new name, as the ReplicaSet controller does). A pod that failed for good, or a replacement
 * that could not be created: the next attempt waits, doubling from `initialMs` to `maxMs` while
 * attempts keep failing; a replacement whose containers start resets the wait. The runtime does the
 * work (`reconcile`); this module decides when, and keeps what `get deployments` says about it.
 * Timers go through a Scheduler so tests can see every delay without waiting for it.
 * @module
 */

export interface Scheduler {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const timerScheduler: Scheduler = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface DeploymentControllerDeps {
  /** Brings the Deployment (by object key) to its replicas; throws when a pod cannot be created. */
  reconcile(deploymentKey: string): Promise<void>;
  scheduler?: Scheduler;
  backoff?: { initialMs: number; maxMs: number };
}

/** What went wrong last and what happens next, for `get deployments`. */
export interface RolloutState {
  /** Pods created to replace deleted or failed ones since the last apply. */
  replacements: number;
  /** Failures in a row (failed pods, failed creations); 0 once a replacement started. */
  failures: number;
  reason?: string | undefined;
  message?: string | undefined;
  /** The wait before the next attempt, when one is scheduled. */
  backoffMs?: number | undefined;
}

interface Entry extends RolloutState {
  timer?: unknown;
}

export class DeploymentController {
  readonly #deps: DeploymentControllerDeps;
  readonly #scheduler: Scheduler;
  readonly #entries = new Map<string, Entry>();
  #closed = false;

  constructor(deps: DeploymentControllerDeps) {
    this.#deps = deps;
    this.#scheduler = deps.scheduler ?? timerScheduler;
  }

  state(deploymentKey: string): RolloutState {
    const entry = this.#entries.get(deploymentKey);
    if (!entry) return { replacements: 0, failures: 0 };
    const { timer: _, ...state } = entry;
    return state;
  }

  /** An apply reconciled the Deployment itself: its history starts again. */
  applied(deploymentKey: string): void {
    this.forget(deploymentKey);
  }

  /** A replacement was created (counted for the status). */
  replaced(deploymentKey: string, count: number): void {
    this.#entry(deploymentKey).replacements += count;
  }

  /** A pod of the Deployment got all its containers started: the back-off starts over. */
  started(deploymentKey: string): void {
    const entry = this.#entries.get(deploymentKey);
    if (!entry) return;
    entry.failures = 0;
    entry.reason = undefined;
    entry.message = undefined;
  }

  /** A pod of the Deployment was deleted: replace it now (a pending back-off is cut short). */
  podDeleted(deploymentKey: string): void {
    this.#schedule(deploymentKey, 0);
  }

  /** A pod failed for good, or creating one failed: try again after the next back-off delay. */
  failed(deploymentKey: string, reason: string, message: string): void {
    const entry = this.#entry(deploymentKey);
    const initial = this.#deps.backoff?.initialMs ?? 1000;
    const max = this.#deps.backoff?.maxMs ?? 30_000;
    const delay = Math.min(max, initial * 2 ** entry.failures);
    entry.failures += 1;
    entry.reason = reason;
    entry.message = `back-off ${formatDelay(delay)} replacing the failed pod: ${message}`;
    this.#schedule(deploymentKey, delay);
  }

  /** The Deployment is gone: no more attempts, no status. */
  forget(deploymentKey: string): void {
    const entry = this.#entries.get(deploymentKey);
    if (entry?.timer !== undefined) this.#scheduler.clear(entry.timer);
    this.#entries.delete(deploymentKey);
  }

  close(): void {
    this.#closed = true;
    for (const key of [...this.#entries.keys()]) this.forget(key);
  }

  #schedule(deploymentKey: string, delay: number): void {
    if (this.#closed) return;
    const entry = this.#entry(deploymentKey);
    if (entry.timer !== undefined) this.#scheduler.clear(entry.timer);
    entry.backoffMs = delay;
    entry.timer = this.#scheduler.set(() => {
      entry.timer = undefined;
      entry.backoffMs = undefined;
      if (this.#closed) return;
      this.#deps.reconcile(deploymentKey).catch((error: unknown) => {
        this.failed(deploymentKey, 'FailedCreate', (error as Error).message);
      });
    }, delay);
  }

  #entry(deploymentKey: string): Entry {
    let entry = this.#entries.get(deploymentKey);
    if (!entry) {
      entry = { replacements: 0, failures: 0 };
      this.#entries.set(deploymentKey, entry);
    }
    return entry;
  }
}

const formatDelay = (ms: number) => (ms < 1000 ? `${ms}ms` : `${Math.round(ms / 1000)}s`);
