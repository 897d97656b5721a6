/**
 * Keeps sign-in logging off the token path: `record` only appends to an in-memory buffer; batches go
 * to the store on a short timer or as soon as a batch is full. The buffer is bounded: when the store
 * cannot keep up (or is down), new records are dropped and counted, and a warning is logged — a token
 * request is never delayed or failed by logging. `close` flushes what is left.
 *
 * A batch the store refuses because it is unreachable (a database restart or failover) goes back to the
 * front of the buffer and is retried with backoff, so an outage costs records only once the buffer is full.
 * @module
 */
import type { SignInLogRecord } from '../store/sign-in-logs.ts';
import { isTransientStoreError } from '../store/sql-errors.ts';

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 10_000;

export interface SignInLogSink {
  insertSignInLogs(records: readonly SignInLogRecord[]): Promise<void>;
}

export interface SignInLogRecorderOptions {
  store: SignInLogSink;
  /** Longest a record waits before its batch is written (default 200 ms). */
  flushIntervalMs?: number;
  /** Records per insert; a full batch is written at once (default 500). */
  maxBatch?: number;
  /** Records held in memory at most; beyond that new ones are dropped (default 50,000). */
  maxBuffered?: number;
  /** Told about drops and failed writes (never about record contents). */
  warn?: (message: string, fields: Record<string, unknown>) => void;
  /** Decides which store errors are worth retrying (default: connection-level database errors). */
  isRetryable?: (error: unknown) => boolean;
}

export class SignInLogRecorder {
  readonly #store: SignInLogSink;
  readonly #flushIntervalMs: number;
  readonly #maxBatch: number;
  readonly #maxBuffered: number;
  readonly #warn: (message: string, fields: Record<string, unknown>) => void;
  readonly #isRetryable: (error: unknown) => boolean;
  /** Consecutive failed attempts while the store is unreachable; sets the retry delay. */
  #retries = 0;
  #buffer: SignInLogRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;
  #dropped = 0;
  #failed = 0;
  /** Drops since the last warning, so a long overload warns once per episode, not per record. */
  #droppedUnreported = 0;
  /** flush() callers waiting: while any, a drain writes every record, not only full batches. */
  #draining = 0;

  constructor(options: SignInLogRecorderOptions) {
    this.#store = options.store;
    this.#flushIntervalMs = options.flushIntervalMs ?? 200;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#maxBuffered = options.maxBuffered ?? 50_000;
    this.#warn = options.warn ?? (() => {});
    this.#isRetryable = options.isRetryable ?? isTransientStoreError;
  }

  /** Records dropped because the buffer was full or the recorder closed. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Records lost because the store refused a batch. */
  get failed(): number {
    return this.#failed;
  }

  /** Records waiting to be written. */
  get buffered(): number {
    return this.#buffer.length;
  }

  /** Synchronous and cheap; never throws. */
  record(record: SignInLogRecord): void {
    if (this.#closed || this.#buffer.length >= this.#maxBuffered) {
      this.#dropped += 1;
      if (this.#droppedUnreported++ === 0) {
        this.#warn('sign-in log buffer full: dropping sign-in records until the store catches up', {
          buffered: this.#buffer.length,
          closed: this.#closed,
        });
      }
      return;
    }
    this.#buffer.push(record);
    // While the store is unreachable the retry timer paces writes; full batches do not hammer it.
    if (this.#buffer.length >= this.#maxBatch && this.#retries === 0) this.#startFlush();
    else this.#armTimer();
  }

  #armTimer(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => this.#startFlush(), this.#flushIntervalMs);
    // Never keeps the process alive; close() flushes what is left.
    this.#timer.unref();
  }

  /**
   * Writes everything buffered so far (including records arriving while it runs); while the store is
   * unreachable it returns after one attempt, leaving the records to the retry timer.
   */
  async flush(): Promise<void> {
    this.#draining += 1;
    try {
      while (this.#flushing !== undefined || this.#buffer.length > 0) {
        await (this.#flushing ?? this.#startFlush());
        if (this.#retries > 0 && !this.#closed) return;
      }
    } finally {
      this.#draining -= 1;
    }
  }

  /** Stops accepting records and writes what is buffered. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    this.#clearTimer();
  }

  /** Puts a refused batch back (oldest first) and tries again later; what no longer fits is dropped. */
  #requeue(batch: SignInLogRecord[], error: unknown): void {
    const room = Math.max(0, this.#maxBuffered - this.#buffer.length);
    const kept = batch.slice(0, room);
    const lost = batch.length - kept.length;
    this.#buffer.unshift(...kept);
    this.#dropped += lost;
    if (this.#retries === 0) {
      this.#warn('sign-in log store unreachable; keeping records in memory and retrying', {
        err: error,
        buffered: this.#buffer.length,
      });
    }
    const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** this.#retries);
    this.#retries += 1;
    this.#clearTimer();
    this.#timer = setTimeout(() => this.#startFlush(), delay);
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** One drain at a time; it takes batches until the buffer is empty. */
  #startFlush(): Promise<void> {
    this.#clearTimer();
    this.#flushing ??= this.#drain().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  /**
   * Writes batches while full ones are waiting. What arrived during a write and does not fill a batch
   * waits for the timer (record() set it): on a store that answers after a round trip (PostgreSQL, or
   * the primary over IPC) draining it at once would send a stream of inserts of a few records each, one
   * transaction per round trip, under exactly the load where batching matters.
   */
  async #drain(): Promise<void> {
    let first = true;
    while (this.#buffer.length > 0) {
      const partial = this.#buffer.length < this.#maxBatch;
      if (!first && partial && this.#draining === 0 && !this.#closed) {
        this.#armTimer();
        break;
      }
      first = false;
      const batch = this.#buffer.splice(0, this.#maxBatch);
      try {
        await this.#store.insertSignInLogs(batch);
        this.#retries = 0;
      } catch (error) {
        if (this.#isRetryable(error) && !this.#closed) {
          this.#requeue(batch, error);
          return;
        }
        this.#failed += batch.length;
        this.#warn('could not write sign-in records; they are lost', {
          err: error,
          records: batch.length,
        });
      }
    }
    if (this.#droppedUnreported > 0) {
      this.#warn('sign-in log buffer drained; some sign-in records were dropped', {
        dropped: this.#droppedUnreported,
        droppedTotal: this.#dropped,
      });
      this.#droppedUnreported = 0;
    }
  }
}
