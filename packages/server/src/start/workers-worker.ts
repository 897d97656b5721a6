/**
 * The worker side of `credless up --workers` (start/workers.ts): a process that serves the main
 * listener, tells the primary about its directory writes, drops its caches when told, and serves the
 * metrics of every worker.
 * @module
 */
import cluster from 'node:cluster';
import { Counter, Registry } from 'prom-client';
import type { ServerPlugin } from './server-plugin.ts';
import {
  answer,
  type CallHandler,
  type CallKind,
  IpcCalls,
  isWorkerMessage,
  type ProcessRole,
  type SendMessage,
} from './workers.ts';

const toPrimary: SendMessage = (message) => {
  if (!process.send) throw new Error('not a worker process: no IPC channel to the primary');
  // Thrown here, the failure reaches the caller; sent on a closed channel, it would be an uncaught 'error'.
  if (!process.connected) throw new Error('the primary process is gone');
  process.send(message);
};

/** Serves what the primary adds up: GET /metrics on any worker answers for all of them. */
class ClusterMetricsRegistry extends Registry {
  readonly #calls: IpcCalls;

  constructor(calls: IpcCalls) {
    super();
    this.#calls = calls;
  }

  override async metrics(): Promise<string> {
    return (await this.#calls.call(toPrimary, 'metrics')) ?? '';
  }
}

/** The role of a worker process in startCredless. */
export function workerRole(): ProcessRole {
  const calls = new IpcCalls();
  const handlers = new Map<CallKind, CallHandler>();
  const onMessage = (message: unknown) => {
    if (!isWorkerMessage(message) || calls.settle(message) || !('id' in message)) return;
    const call = message as { credless: CallKind; id: number; payload?: unknown };
    const handle = handlers.get(call.credless);
    // A call that comes before its handler is set up (metrics during start-up) fails; the primary skips it.
    answer(toPrimary, call.id, () =>
      handle ? handle(call.payload) : Promise.reject(new Error('still starting')),
    );
  };
  return {
    kind: 'worker',
    shareChanges(store, directory) {
      handlers.set('invalidate', (version) => {
        directory.changed(typeof version === 'number' ? version : undefined);
        return undefined;
      });
      process.on('message', onMessage);
      toPrimary({ credless: 'following' });
      // Awaited by the write (the post-commit hook): it returns once every other worker dropped its caches.
      const unsubscribe = store.onDirectoryChange(async (change) => {
        await calls.call(toPrimary, 'directory-changed', change.version);
      });
      return {
        value: undefined,
        // Runs after the app stopped serving: leaving the cluster lets this process exit once the store closes.
        close: () => {
          unsubscribe();
          process.off('message', onMessage);
          cluster.worker?.disconnect();
        },
      };
    },
    metrics(own) {
      const worker = String(cluster.worker?.id ?? process.pid);
      const perWorker = new Counter({
        name: 'credless_worker_token_exchanges_total',
        help: 'Token exchanges answered by each worker process of `credless up --workers`.',
        labelNames: ['worker'] as const,
        registers: [own.registry],
      });
      // Bound once: a label lookup per exchange is work the single process does not do.
      const thisWorker = perWorker.labels({ worker });
      handlers.set('collect', async () => JSON.stringify(await own.registry.getMetricsAsJSON()));
      return {
        registry: new ClusterMetricsRegistry(calls),
        observeExchange(outcome, latencySeconds) {
          own.observeExchange(outcome, latencySeconds);
          thisWorker.inc();
        },
        observeIssuerFetch: (event) => own.observeIssuerFetch(event),
      };
    },
    signInSink(store, { databaseUrl }) {
      if (databaseUrl) return store;
      return {
        // The recorder sends full batches at once and the rest once per flush interval, so this is
        // one IPC message and one SQLite commit in the primary per batch, not per round trip.
        insertSignInLogs: async (records) => {
          await calls.call(toPrimary, 'sign-ins', records);
        },
        deleteSignInLogsBefore: (before) => store.deleteSignInLogsBefore(before),
      };
    },
    startWorkers() {
      return Promise.reject(new Error('a worker process starts no workers'));
    },
  };
}

/** Tells the primary this worker serves (startCredless resolved). */
export function reportWorkerReady(listenUrl: string): void {
  toPrimary({ credless: 'ready', port: Number(new URL(listenUrl).port) });
}

/**
 * A plugin as a worker runs it: its routes and issuer keys, not what it starts once the server listens
 * (listeners on other ports, such as the local clusters' APIs, run once, in the primary).
 */
export function servingOnly(plugin: ServerPlugin): ServerPlugin {
  return {
    name: plugin.name,
    async open(host) {
      const { listening: _primaryOnly, ...parts } = await plugin.open(host);
      return parts;
    },
  };
}
