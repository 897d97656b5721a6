/**
 * Keeps sign-in logging off the token path: `record` only appends to an in-memory buffer; batches go
 * to the store on a short timer or as soon as a batch is full. The buffer is bounded: when the store
 * cannot keep up (or is down), new records are dropped and counted, and a warning is logged — a token
 * request is never delayed or failed by logging. `close` flushes what is left.
 * @module
 */
import type { SignInLogRecord } from '../store/sign-in-logs.ts';

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
}

export class SignInLogRecorder {
  readonly #store: SignInLogSink;
  readonly #flushIntervalMs: number;
  readonly #maxBatch: number;
  readonly #maxBuffered: number;
  readonly #warn: (message: string, fields: Record<string, unknown>) => void;
  #buffer: SignInLogRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;
  #dropped = 0;
  #failed = 0;
  /** Drops since the last warning, so a long overload warns once per episode, not per record. */
  #droppedUnreported = 0;

  constructor(options: SignInLogRecorderOptions) {
    this.#store = options.store;
    this.#flushIntervalMs = options.flushIntervalMs ?? 200;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#maxBuffered = options.maxBuffered ?? 50_000;
    this.#warn = options.warn ?? (() => {});
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
    if (this.#buffer.length >= this.#maxBatch) this.#startFlush();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.#startFlush(), this.#flushIntervalMs);
      // Never keeps the process alive; close() flushes what is left.
      this.#timer.unref();
    }
  }

  /** Writes everything buffered so far (including records arriving while it runs). */
  async flush(): Promise<void> {
    while (this.#flushing !== undefined || this.#buffer.length > 0) {
      await (this.#flushing ?? this.#startFlush());
    }
  }

  /** Stops accepting records and writes what is buffered. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    this.#clearTimer();
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

  async #drain(): Promise<void> {
    while (this.#buffer.length > 0) {
      const batch = this.#buffer.splice(0, this.#maxBatch);
      try {
        await this.#store.insertSignInLogs(batch);
      } catch (error) {
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
