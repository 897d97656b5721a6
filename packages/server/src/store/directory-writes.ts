/**
 * The one write-transaction runner of the store, and the one post-commit change hook. Every directory
 * write runs here: one transaction that first bumps the directory version (that row lock serializes
 * writers on PostgreSQL; SQLite's BEGIN IMMEDIATE already does), then, once committed, tells every
 * listener what changed. The token path's cache and the replicas' change feed (NOTIFY) both listen
 * here, so "what is a directory change" is decided in exactly one place: whatever runs through `write`.
 * Sign-in records never do (they are not directory changes).
 * @module
 */

import { toMillis } from './rows.ts';
import { isUniqueViolation } from './sql-errors.ts';
import type { Db, StoreContext } from './store-context.ts';

/** The aggregates whose writes are directory changes (one repository each). */
export const DIRECTORY_AGGREGATES = [
  'tenants',
  'applications',
  'passwordCredentials',
  'federatedCredentials',
  'servicePrincipals',
  'appRoleAssignments',
  'oauth2PermissionGrants',
  'groups',
  'issuerPolicies',
  'signingKeys',
  // Clusters and their RBAC assignments are directory changes too: other replicas' cluster API
  // listeners and emulated-issuer key caches follow them.
  'clusters',
  'roleAssignments',
  'resourceGroups',
] as const;
export type DirectoryAggregate = (typeof DIRECTORY_AGGREGATES)[number];

export interface DirectoryChange {
  readonly aggregate: DirectoryAggregate;
  /**
   * The directory version this write committed. A cache that polls the version uses it to tell its
   * own, already applied, change from another process's (CachedTokenDirectory.changed).
   */
  readonly version?: number;
}

/** Runs after commit only; may be async (awaited before the write returns). Must not throw. */
export type DirectoryChangeListener = (change: DirectoryChange) => void | Promise<void>;

export interface DirectoryChangeSource {
  /** Subscribes to committed directory writes of this store; returns the unsubscribe function. */
  onDirectoryChange(listener: DirectoryChangeListener): () => void;
}

export interface DirectoryWritesOptions {
  now: () => number;
  newId: () => string;
  /** A listener failed; the write itself is committed and still succeeds. Default: a process warning. */
  onListenerError?: (error: unknown) => void;
}

export class DirectoryWrites implements DirectoryChangeSource {
  readonly #db: Db;
  readonly #options: DirectoryWritesOptions;
  readonly #listeners = new Set<DirectoryChangeListener>();

  constructor(db: Db, options: DirectoryWritesOptions) {
    this.#db = db;
    this.#options = options;
  }

  onDirectoryChange(listener: DirectoryChangeListener): () => void {
    // Wrapped, so subscribing the same function twice gives two independent subscriptions.
    const entry: DirectoryChangeListener = (change) => listener(change);
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  /** The context one repository works in: its writes are reported as changes of `aggregate`. */
  contextFor(aggregate: DirectoryAggregate): StoreContext {
    const change: DirectoryChange = { aggregate };
    return {
      db: this.#db,
      write: (work) => this.write(change, work),
      now: () => this.#options.now(),
      newId: () => this.#options.newId(),
    };
  }

  /**
   * Runs `work` in a transaction that bumps the directory version first, then notifies. A unique
   * violation means a concurrent writer slipped past the checks (not expected, given the lock); the
   * write is run once more so that its checks report the conflict with the proper error. A write that
   * throws is rolled back and notifies nobody.
   */
  async write<T>(change: DirectoryChange, work: (trx: Db) => Promise<T>): Promise<T> {
    let result: T;
    let version: number | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        result = await this.#db.transaction().execute(async (trx) => {
          const bumped = await trx
            .updateTable('directory_version')
            .set((eb) => ({ version: eb('version', '+', 1) }))
            .where('id', '=', 1)
            .returning('version')
            .executeTakeFirst();
          version = bumped === undefined ? undefined : toMillis(bumped.version);
          return work(trx);
        });
        break;
      } catch (error) {
        if (attempt >= 2 || !isUniqueViolation(error)) throw error;
      }
    }
    await this.#notify(version === undefined ? change : { ...change, version });
    return result;
  }

  async #notify(change: DirectoryChange): Promise<void> {
    const report =
      this.#options.onListenerError ??
      ((error: unknown) => process.emitWarning(`directory change listener failed: ${String(error)}`));
    await Promise.all(
      [...this.#listeners].map(async (listener) => {
        try {
          await listener(change);
        } catch (error) {
          report(error);
        }
      }),
    );
  }
}
