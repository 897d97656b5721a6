/**
 * The primary side of `credless up --workers` (start/workers.ts): forks the workers, replaces one that
 * dies (with back-off), relays directory changes between them, answers /metrics with their sum, and on
 * close stops them (SIGTERM: each drains its requests and sign-in records) before the rest closes.
 * @module
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '@credless/common';
import { AggregatorRegistry } from 'prom-client';
import type { SignInLogRecord } from '../store/sign-in-logs.ts';
import {
  answer,
  IpcCalls,
  isWorkerMessage,
  type ProcessRole,
  type SendMessage,
  type WorkerMessage,
} from './workers.ts';

/** A worker must serve within this long, or start-up fails. */
const WORKER_START_TIMEOUT_MS = 60_000;
/** A stopping worker gets this long to drain before SIGKILL. */
const WORKER_STOP_GRACE_MS = 10_000;
/** Back-off before replacing a worker: doubled while replacements die young, up to the maximum. */
const RESTART_DELAY_MS = { first: 250, max: 10_000 };
/** A worker that served this long died of something else than its start: the back-off starts over. */
const HEALTHY_AFTER_MS = 30_000;

const sendTo =
  (worker: Worker): SendMessage =>
  (message) => {
    worker.send(message);
  };

type MessageHandler = (worker: Worker, message: WorkerMessage) => void;

interface Slot {
  worker: Worker;
  /** It is told of directory changes from then on (its listener is set up). */
  following: boolean;
  /** When it started serving. */
  readyAt: number | undefined;
}

/** The workers: forked, watched, replaced, stopped. */
class WorkerPool {
  readonly #count: number;
  readonly #logger: Logger;
  readonly #onMessage: MessageHandler;
  readonly #slots = new Map<number, Slot>();
  readonly #restartDelay = new Map<number, number>();
  readonly #restartTimers = new Set<NodeJS.Timeout>();
  #stopping = false;

  constructor(count: number, logger: Logger, onMessage: MessageHandler) {
    this.#count = count;
    this.#logger = logger;
    this.#onMessage = onMessage;
    // A signal to the primary stops the whole server: workers exiting from now on (the terminal sends
    // Ctrl-C to every process of the group) are not replaced.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => this.#markStopping());
  }

  /** Forks every worker; resolves with the shared port once all of them serve. */
  async start(): Promise<number> {
    // Structured clone over IPC: sign-in records keep their Dates.
    cluster.setupPrimary({ serialization: 'advanced' });
    const ports = await Promise.all(Array.from({ length: this.#count }, (_, slot) => this.#fork(slot)));
    return ports[0]!;
  }

  /** The connected workers that follow directory changes (`serving`: and serve requests). */
  workers(which: 'following' | 'serving'): Worker[] {
    return [...this.#slots.values()]
      .filter((entry) => (which === 'serving' ? entry.readyAt !== undefined : entry.following))
      .map((entry) => entry.worker)
      .filter((worker) => worker.isConnected());
  }

  #fork(slot: number): Promise<number> {
    const worker = cluster.fork();
    const entry: Slot = { worker, following: false, readyAt: undefined };
    this.#slots.set(slot, entry);
    const ready = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`worker ${worker.id} did not serve within ${WORKER_START_TIMEOUT_MS} ms`)),
        WORKER_START_TIMEOUT_MS,
      );
      worker.on('message', (message: unknown) => {
        if (!isWorkerMessage(message)) return;
        if (message.credless === 'following') entry.following = true;
        else if (message.credless === 'ready') {
          clearTimeout(timer);
          entry.readyAt = Date.now();
          resolve(message.port);
        } else this.#onMessage(worker, message);
      });
      // A message sent just as the worker dies fails here; its exit is what counts (handled below).
      worker.on('error', (error) => this.#logger.warn({ err: error, worker: worker.id }, 'worker IPC error'));
      worker.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (entry.readyAt === undefined)
          reject(new Error(`worker ${worker.id} exited during start-up (${signal ?? `code ${code}`})`));
        this.#exited(slot, entry, code, signal);
      });
    });
    return ready;
  }

  #exited(slot: number, entry: Slot, code: number | null, signal: string | null): void {
    if (this.#stopping || this.#slots.get(slot) !== entry) return;
    const { worker, readyAt } = entry;
    const diedYoung = readyAt === undefined || Date.now() - readyAt < HEALTHY_AFTER_MS;
    const previous = this.#restartDelay.get(slot);
    const delay =
      diedYoung && previous !== undefined
        ? Math.min(previous * 2, RESTART_DELAY_MS.max)
        : RESTART_DELAY_MS.first;
    this.#restartDelay.set(slot, delay);
    this.#logger.error(
      { worker: worker.id, pid: worker.process.pid, code, signal, restartInMs: delay },
      'a worker process exited; replacing it',
    );
    const timer = setTimeout(() => {
      this.#restartTimers.delete(timer);
      if (this.#stopping) return;
      this.#fork(slot).then(
        () => this.#logger.info({ slot }, 'replacement worker serving'),
        // Its own exit handler schedules the next attempt.
        (error: unknown) => this.#logger.warn({ err: error }, 'replacement worker failed to start'),
      );
    }, delay);
    this.#restartTimers.add(timer);
  }

  #markStopping(): void {
    this.#stopping = true;
    for (const timer of this.#restartTimers) clearTimeout(timer);
    this.#restartTimers.clear();
  }

  /** SIGTERM to every worker (each drains, then exits); SIGKILL for one still running after the grace period. */
  async stop(): Promise<void> {
    this.#markStopping();
    await Promise.all(
      [...this.#slots.values()].map(async ({ worker }) => {
        if (worker.isDead()) return;
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        worker.process.kill('SIGTERM');
        const timer = setTimeout(() => worker.process.kill('SIGKILL'), WORKER_STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

/** The role of the primary process in startCredless, running `count` workers. */
export function primaryRole(count: number): ProcessRole {
  const calls = new IpcCalls();
  const handlers = new Map<WorkerMessage['credless'], MessageHandler>();
  let pool: WorkerPool | undefined;

  /** Tells every worker but `except` to drop its caches; resolves once they all did (or gave up). */
  const invalidateWorkers = async (except: Worker | undefined, logger: Logger, version?: number) => {
    const others = (pool?.workers('following') ?? []).filter((worker) => worker !== except);
    const results = await Promise.allSettled(
      others.map((worker) => calls.call(sendTo(worker), 'invalidate', version)),
    );
    for (const result of results)
      if (result.status === 'rejected')
        logger.warn({ err: result.reason }, 'a worker did not confirm a directory change; it polls');
  };

  /** Every serving worker's metrics, added up; a worker that does not answer is left out. */
  const sumOfWorkers = async () => {
    const serving = pool?.workers('serving') ?? [];
    const answers = await Promise.allSettled(serving.map((worker) => calls.call(sendTo(worker), 'collect')));
    const registries = answers.flatMap((result) =>
      result.status === 'fulfilled' && result.value ? [JSON.parse(result.value) as object[]] : [],
    );
    return AggregatorRegistry.aggregate(registries).metrics();
  };

  return {
    kind: 'primary',
    shareChanges(store, directory, { logger }) {
      // The primary's own writes (key rotation, local clusters) reach every worker.
      const unsubscribe = store.onDirectoryChange((change) =>
        invalidateWorkers(undefined, logger, change.version),
      );
      handlers.set('directory-changed', (worker, message) => {
        if (message.credless !== 'directory-changed') return;
        // The version travels with the notice: each process's poll then knows the change is applied.
        const version = typeof message.payload === 'number' ? message.payload : undefined;
        answer(sendTo(worker), message.id, async () => {
          directory.changed(version);
          await invalidateWorkers(worker, logger, version);
          return undefined;
        });
      });
      return { value: undefined, close: unsubscribe };
    },
    metrics(own) {
      handlers.set('metrics', (worker, message) => {
        if (message.credless === 'metrics') answer(sendTo(worker), message.id, sumOfWorkers);
      });
      // The primary answers no request: its own registry is never served.
      return own;
    },
    signInSink(store) {
      handlers.set('sign-ins', (worker, message) => {
        if (message.credless === 'sign-ins')
          answer(sendTo(worker), message.id, async () => {
            await store.insertSignInLogs(message.payload as SignInLogRecord[]);
            return undefined;
          });
      });
      return store;
    },
    async startWorkers({ logger }) {
      const started = new WorkerPool(count, logger, (worker, message) => {
        if (calls.settle(message)) return;
        handlers.get(message.credless)?.(worker, message);
      });
      pool = started;
      try {
        const port = await started.start();
        logger.info({ workers: count, port }, 'worker processes serving');
        return { value: port, close: () => started.stop() };
      } catch (error) {
        await started.stop();
        throw error;
      }
    },
  };
}
