/**
 * ServiceAccounts held in memory: for the local cluster (which owns its ServiceAccounts), the benchmark,
 * and a webhook run without a Kubernetes API. `set`/`delete` take effect for the next admission.
 * @module
 */
import type { ServiceAccountInfo } from '../mutation/types.ts';
import type { ServiceAccountSource } from './source.ts';

export class StaticServiceAccountSource implements ServiceAccountSource {
  readonly #accounts = new Map<string, ServiceAccountInfo>();

  constructor(accounts: Iterable<ServiceAccountInfo> = []) {
    for (const account of accounts) this.set(account);
  }

  set(account: ServiceAccountInfo): void {
    this.#accounts.set(key(account.namespace, account.name), {
      namespace: account.namespace,
      name: account.name,
      annotations: Object.freeze({ ...account.annotations }),
    });
  }

  delete(namespace: string, name: string): void {
    this.#accounts.delete(key(namespace, name));
  }

  async get(namespace: string, name: string): Promise<ServiceAccountInfo | undefined> {
    return this.#accounts.get(key(namespace, name));
  }

  ready(): boolean {
    return true;
  }

  async close(): Promise<void> {}
}

const key = (namespace: string, name: string) => `${namespace}/${name}`;
