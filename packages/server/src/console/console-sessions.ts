/**
 * Console sessions: opened by redeeming a sign-in code, identified by an opaque cookie value (stored
 * only as its digest). Each session's CSRF token derives from its cookie value, so it is never stored
 * either, yet every process can check it. Sessions expire, can be listed and revoked, and live in the
 * store: every worker and replica sees the same ones, and a revocation holds everywhere at once.
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ConsoleSessionRecord, ConsoleSessionsRepository } from '../store/console-sessions.ts';
import { newSecret, SECRET_SHAPE, secretDigest } from './console-secrets.ts';
import type { ConsolePrincipal } from './sign-in-codes.ts';

/** `lastUsedAt` is written at most this often (not one write per request). */
const LAST_USED_RESOLUTION_MS = 60_000;

/** The principal as the console shows it (`Session.principal` of the API, plus its tenant). */
export interface SessionPrincipal extends ConsolePrincipal {
  displayName: string;
  /** The service principal's object id. */
  objectId: string;
}

export interface ConsoleSession {
  id: string;
  principal: SessionPrincipal;
  /** The Graph roles the principal held when the session opened (who may revoke whom). */
  rolesAtSignIn: readonly string[];
  createdAt: number;
  expiresAt: number;
  lastUsedAt: number;
}

/** A session found by its cookie, with the CSRF token that cookie implies. */
export interface PresentedSession extends ConsoleSession {
  csrfToken: string;
}

export type ConsoleSessionStore = Pick<
  ConsoleSessionsRepository,
  | 'insertConsoleSession'
  | 'findConsoleSession'
  | 'touchConsoleSession'
  | 'listConsoleSessions'
  | 'deleteConsoleSession'
>;

/** The CSRF token of the session whose cookie value is `cookie` (a different digest from the stored one). */
export const csrfTokenFor = (cookie: string): string =>
  createHash('sha256').update(`credless console csrf\0${cookie}`).digest('base64url');

const fromRecord = (record: ConsoleSessionRecord): ConsoleSession => ({
  id: record.id,
  principal: {
    tenantId: record.tenantId,
    appId: record.appId,
    displayName: record.displayName,
    objectId: record.objectId,
  },
  rolesAtSignIn: record.rolesAtSignIn,
  createdAt: record.createdAt,
  expiresAt: record.expiresAt,
  lastUsedAt: record.lastUsedAt,
});

export class ConsoleSessions {
  readonly #store: ConsoleSessionStore;
  readonly #now: () => number;
  readonly #lifetimeMs: number;

  constructor(options: { store: ConsoleSessionStore; now: () => number; lifetimeMs: number }) {
    this.#store = options.store;
    this.#now = options.now;
    this.#lifetimeMs = options.lifetimeMs;
  }

  /** Opens a session; the cookie value is returned once and never kept. */
  async open(
    principal: SessionPrincipal,
    roles: readonly string[],
  ): Promise<{ cookie: string; session: PresentedSession }> {
    const now = this.#now();
    const cookie = newSecret();
    const session: ConsoleSession = {
      id: randomUUID(),
      principal,
      rolesAtSignIn: [...roles],
      createdAt: now,
      expiresAt: now + this.#lifetimeMs,
      lastUsedAt: now,
    };
    await this.#store.insertConsoleSession(secretDigest(cookie), {
      id: session.id,
      ...principal,
      rolesAtSignIn: [...roles],
      createdAt: session.createdAt,
      expiresAt: session.expiresAt,
      lastUsedAt: session.lastUsedAt,
    });
    return { cookie, session: { ...session, csrfToken: csrfTokenFor(cookie) } };
  }

  /** The live session a cookie value names (its use recorded), or undefined. */
  async find(cookie: string | undefined): Promise<PresentedSession | undefined> {
    if (cookie === undefined || !SECRET_SHAPE.test(cookie)) return undefined;
    const record = await this.#store.findConsoleSession(secretDigest(cookie));
    if (!record) return undefined;
    const now = this.#now();
    if (record.expiresAt <= now) {
      await this.#store.deleteConsoleSession(record.id);
      return undefined;
    }
    if (now - record.lastUsedAt >= LAST_USED_RESOLUTION_MS) {
      await this.#store.touchConsoleSession(record.id, now);
      record.lastUsedAt = now;
    }
    return { ...fromRecord(record), csrfToken: csrfTokenFor(cookie) };
  }

  /** Live sessions of a tenant, oldest first. */
  async list(tenantId: string): Promise<ConsoleSession[]> {
    const now = this.#now();
    const records = await this.#store.listConsoleSessions(tenantId);
    return records.filter((record) => record.expiresAt > now).map(fromRecord);
  }

  /** Ends the session with this id; false when there is none. */
  revoke(id: string): Promise<boolean> {
    return this.#store.deleteConsoleSession(id);
  }
}
