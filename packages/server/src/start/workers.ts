/**
 * `credless up --workers N`: one primary process and N worker processes (node:cluster) that share the
 * listening socket and behave as one server.
 *
 * - The primary owns what must be single: the data-directory lock, migrations, the bootstrap, signing-key
 *   creation and rotation, sign-in log retention, and what the caller plugs in that listens elsewhere or
 *   runs things (the local platforms' cluster API listeners and pods). It answers no request itself.
 * - Workers serve the main listener (token endpoint, Graph API, discovery, /metrics): each opens the same
 *   store (SQLite WAL from several processes, or its own PostgreSQL pool), loads the signing keys from it
 *   and writes its own sign-in records.
 * - One change feed: every committed directory write, in any process, is announced to the primary, which
 *   empties its own caches and relays the notice to every worker. The write returns only once every
 *   worker acknowledged, so a credential created through one worker is usable on all of them at once
 *   (the version poll and, on PostgreSQL, NOTIFY remain the safety net).
 * - /metrics, served by whichever worker takes the request, is the sum over all workers: the primary
 *   collects every worker's registry and adds them up (prom-client's AggregatorRegistry.aggregate).
 *
 * This file holds what both sides share: the process role startCredless takes, how many workers to run,
 * and the request/reply protocol over the cluster's IPC channel.
 * @module
 */
import { availableParallelism } from 'node:os';
import type { ServerConfig } from '../config.ts';
import type { CachedTokenDirectory } from '../directory/cached-token-directory.ts';
import type { CredlessMetrics } from '../observability/metrics.ts';
import type { DirectoryChangeSource } from '../store/directory-writes.ts';
import type { SignInLogRecord } from '../store/sign-in-logs.ts';
import type { Opened } from './closers.ts';
import type { StageContext } from './storage-stage.ts';

/** What differs in startCredless for one process of several (absent: the whole server in one process). */
export interface ProcessRole {
  kind: 'primary' | 'worker';
  /** Announces this process's directory changes to the others and applies theirs to `directory`. */
  shareChanges(
    store: DirectoryChangeSource,
    directory: CachedTokenDirectory,
    ctx: StageContext,
  ): Opened<void> | Promise<Opened<void>>;
  /** The metrics the app records into and serves (a worker serves the sum over every worker). */
  metrics(own: CredlessMetrics): CredlessMetrics;
  /**
   * Where sign-in records go. SQLite has one writer at a time and better-sqlite3 waits for the lock on
   * the event loop, so on SQLite the workers hand their batches to the primary, which writes them all;
   * on PostgreSQL each worker writes its own.
   */
  signInSink(store: SignInSink, config: Pick<ServerConfig, 'databaseUrl'>): SignInSink;
  /** Primary: forks the workers once the shared state is ready; resolves with the port they listen on. */
  startWorkers(ctx: StageContext): Promise<Opened<number>>;
}

/** The store as the sign-in log uses it. */
export interface SignInSink {
  insertSignInLogs(records: readonly SignInLogRecord[]): Promise<void>;
  deleteSignInLogsBefore(before: Date): Promise<number>;
}

/**
 * Worker processes when `--workers`/CREDLESS_WORKERS is 0 (automatic): one per CPU with PostgreSQL (a
 * server), one with the embedded SQLite store (the laptop set-up: one process, nothing to coordinate).
 * 1 means today's single process, with no cluster at all.
 */
export function workerCount(config: Pick<ServerConfig, 'workers' | 'databaseUrl'>): number {
  if (config.workers > 0) return config.workers;
  return config.databaseUrl ? availableParallelism() : 1;
}

/**
 * Calls between the processes, each answered by one `reply`: a worker's directory write
 * (`directory-changed`), its /metrics (`metrics`) and, on SQLite, its sign-in records (`sign-ins`) to
 * the primary; the primary's `invalidate` and `collect` (a worker's own metrics, as JSON) to the workers.
 */
export type CallKind = 'directory-changed' | 'metrics' | 'sign-ins' | 'invalidate' | 'collect';

/**
 * The messages the processes exchange: calls, replies, and a worker's news — it follows directory
 * changes (from then on it is told of every one), it serves (start-up is over).
 */
export type WorkerMessage =
  | { credless: 'following' }
  | { credless: 'ready'; port: number }
  | { credless: CallKind; id: number; payload?: unknown }
  | { credless: 'reply'; id: number; value?: string; error?: string };

/** What answers one kind of call (given its payload); resolves with the reply's value. */
export type CallHandler = (payload: unknown) => Promise<string | undefined> | string | undefined;

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  return typeof message === 'object' && message !== null && 'credless' in message;
}

/** Sends one message to the other side (a worker's `process.send`, or the primary's `worker.send`). */
export type SendMessage = (message: WorkerMessage) => void;

/** How long a call over IPC may take before the caller gives up (the other side is gone or stuck). */
export const IPC_CALL_TIMEOUT_MS = 5000;

/** Calls over the IPC channel, each answered by one `reply` carrying its id. */
export class IpcCalls {
  #nextId = 1;
  readonly #pending = new Map<
    number,
    { resolve: (value: string | undefined) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }
  >();

  call(send: SendMessage, kind: CallKind, payload?: unknown): Promise<string | undefined> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`no answer to '${kind}' within ${IPC_CALL_TIMEOUT_MS} ms`));
      }, IPC_CALL_TIMEOUT_MS);
      this.#pending.set(id, { resolve, reject, timer });
      try {
        send({ credless: kind, id, ...(payload === undefined ? {} : { payload }) });
      } catch (error) {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(error as Error);
      }
    });
  }

  /** Settles the call a reply answers; false when `message` is no reply of ours. */
  settle(message: WorkerMessage): boolean {
    if (message.credless !== 'reply') return false;
    const pending = this.#pending.get(message.id);
    if (!pending) return true;
    this.#pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.error !== undefined) pending.reject(new Error(message.error));
    else pending.resolve(message.value);
    return true;
  }
}

/** Runs `handle` for a call and sends its result (or its failure) back as the reply. */
export function answer(send: SendMessage, id: number, handle: () => ReturnType<CallHandler>): void {
  Promise.resolve()
    .then(handle)
    .then(
      (value) => send({ credless: 'reply', id, ...(value === undefined ? {} : { value }) }),
      (error: unknown) => send({ credless: 'reply', id, error: String(error) }),
    )
    .catch(() => {
      // The other side is gone: nobody waits for this answer any more.
    });
}
