/**
 * ServiceAccounts from a Kubernetes API server: a watch-backed cache (client-node's ListWatch over
 * /api/v1/serviceaccounts) answers the hot path from memory; a miss falls back to one direct GET, so a
 * ServiceAccount created a moment before its pod is still found. A broken watch is restarted with
 * backoff; while the API server is unreachable, misses are refused with a clear message.
 * @module
 */

import { CredlessError } from '@credless/core';
import {
  ApiException,
  CoreV1Api,
  type KubeConfig,
  ListWatch,
  type V1ServiceAccount,
  Watch,
} from '@kubernetes/client-node';
import type { ServiceAccountInfo } from '../mutation/types.ts';
import type { ServiceAccountSource } from './source.ts';

export interface KubernetesServiceAccountSourceOptions {
  kubeConfig: KubeConfig;
  /** Direct reads give up after this long (the API server allows the whole admission 10 s). */
  readTimeoutMs?: number;
  /** First and longest wait before restarting a failed list/watch. */
  restartDelayMs?: { min: number; max: number };
  log?: (message: string) => void;
}

const PATH = '/api/v1/serviceaccounts';

export class KubernetesServiceAccountSource implements ServiceAccountSource {
  readonly #api: CoreV1Api;
  readonly #cache: ListWatch<V1ServiceAccount>;
  readonly #readTimeoutMs: number;
  readonly #delay: { min: number; max: number };
  readonly #log: (message: string) => void;
  readonly #reads = new Map<string, Promise<ServiceAccountInfo | undefined>>();
  #synced = false;
  #closed = false;
  #nextDelay: number;
  #restartTimer: NodeJS.Timeout | undefined;

  constructor(options: KubernetesServiceAccountSourceOptions) {
    this.#api = options.kubeConfig.makeApiClient(CoreV1Api);
    this.#readTimeoutMs = options.readTimeoutMs ?? 3000;
    this.#delay = options.restartDelayMs ?? { min: 500, max: 30_000 };
    this.#nextDelay = this.#delay.min;
    this.#log = options.log ?? (() => {});
    const list = () => this.#api.listServiceAccountForAllNamespaces();
    this.#cache = new ListWatch(PATH, new Watch(options.kubeConfig), list, false);
    this.#cache.on('connect', () => {
      // A fresh list succeeded if the resourceVersion is known by the time the watch connects.
      if (this.#cache.latestResourceVersion()) {
        this.#synced = true;
        this.#nextDelay = this.#delay.min;
      }
    });
    this.#cache.on('error', (error: unknown) => this.#scheduleRestart(error));
  }

  /** Lists once and starts watching; resolves even when the API server is down (it keeps retrying). */
  async start(): Promise<void> {
    await this.#cache.start();
    if (this.#cache.latestResourceVersion()) this.#synced = true;
  }

  ready(): boolean {
    return this.#synced;
  }

  async get(namespace: string, name: string): Promise<ServiceAccountInfo | undefined> {
    const cached = this.#cache.get(name, namespace);
    if (cached) return toInfo(cached, namespace, name);
    // A Deployment scaled up right after its ServiceAccount was created misses many times at once:
    // one read answers them all.
    const key = `${namespace}/${name}`;
    const pending = this.#reads.get(key);
    if (pending) return pending;
    const read = this.#read(namespace, name).finally(() => this.#reads.delete(key));
    this.#reads.set(key, read);
    return read;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#restartTimer);
    await this.#cache.stop();
  }

  async #read(namespace: string, name: string): Promise<ServiceAccountInfo | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.#readTimeoutMs} ms`)),
        this.#readTimeoutMs,
      );
    });
    try {
      const account = await Promise.race([
        this.#api.readNamespacedServiceAccount({ name, namespace }),
        timeout,
      ]);
      return toInfo(account, namespace, name);
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return undefined;
      throw new CredlessError(
        'webhook_service_account_unavailable',
        { namespace, name, reason: describe(error) },
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  #scheduleRestart(error: unknown): void {
    if (this.#closed || this.#restartTimer) return;
    const delay = this.#nextDelay;
    this.#nextDelay = Math.min(this.#delay.max, delay * 2);
    this.#log(`ServiceAccount watch failed (${describe(error)}); retrying in ${delay} ms`);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (this.#closed) return;
      this.#cache.start().then(
        () => {
          if (this.#cache.latestResourceVersion()) this.#synced = true;
        },
        (e: unknown) => this.#scheduleRestart(e),
      );
    }, delay);
    this.#restartTimer.unref();
  }
}

function toInfo(account: V1ServiceAccount, namespace: string, name: string): ServiceAccountInfo {
  return {
    namespace: account.metadata?.namespace ?? namespace,
    name: account.metadata?.name ?? name,
    annotations: account.metadata?.annotations ?? {},
  };
}

function describe(error: unknown): string {
  if (error instanceof ApiException) {
    // The Status message says what is wrong, e.g. missing RBAC: 'serviceaccounts "x" is forbidden: ...'.
    let body: unknown = error.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {}
    }
    const message = (body as { message?: unknown } | undefined)?.message;
    return typeof message === 'string'
      ? `HTTP ${error.code}: ${message.slice(0, 200)}`
      : `HTTP ${error.code}`;
  }
  const err = error as { code?: unknown; message?: unknown; cause?: { code?: unknown } } | undefined;
  const code = err?.code ?? err?.cause?.code;
  const message =
    typeof err?.message === 'string' ? err.message.split('\n')[0]!.slice(0, 160) : String(error);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}
