/**
 * The console's server side in one object: sign-in codes, sessions, and the access token each session
 * acts with. Routes (console-routes.ts), the cookie→bearer hook (console-auth.ts) and `credless up`'s
 * printed link all go through it.
 * @module
 */
import { type AccessTokenSigner, CredlessError } from '@credless/core';
import type { FastifyRequest } from 'fastify';
import { sameSecret } from './console-secrets.ts';
import {
  type ConsoleSession,
  type ConsoleSessionStore,
  ConsoleSessions,
  type PresentedSession,
  type SessionPrincipal,
} from './console-sessions.ts';
import { graphPrincipal, type PrincipalDirectory, PrincipalTokens } from './principal-tokens.ts';
import { type ConsolePrincipal, type SignInCodeStore, SignInCodes } from './sign-in-codes.ts';

export const SESSION_COOKIE = 'credless_console';
export const CSRF_HEADER = 'x-credless-csrf';
const COOKIE_VALUE = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([A-Za-z0-9_-]+)`);

export interface ConsoleServiceOptions {
  /** Where codes and sessions live: the directory store (shared by every worker and replica). */
  store: SignInCodeStore & ConsoleSessionStore;
  directory: PrincipalDirectory & { onInvalidate?(listener: () => void): void };
  signer: AccessTokenSigner;
  baseUrl: () => string;
  now: () => number;
  sessionLifetimeMs: number;
}

/** What a new sign-in code comes with (the API's answer and `credless up`'s banner). */
export interface SignInLink {
  link: string;
  code: string;
  expiresDateTime: string;
  tenantId: string;
  principal: { appId: string; displayName: string; objectId: string };
}

/** The `Session` of the console API. */
export interface SessionView {
  id: string;
  principal: { appId: string; displayName: string; objectId: string };
  tenantId: string;
  roles: string[];
  createdAt: string;
  expiresAt: string;
  csrfToken: string;
}

export const iso = (ms: number) => new Date(ms).toISOString();

/** Whether holding `held` grants what `role` does: the role itself, or its ReadWrite for a Read role. */
export function roleCovered(held: readonly string[], role: string): boolean {
  return (
    held.includes(role) ||
    (role.endsWith('.Read.All') && held.includes(role.replace(/\.Read\.All$/, '.ReadWrite.All')))
  );
}

/** The roles of `roles` that `held` does not cover (empty: `held` is at least as powerful). */
export const uncoveredRoles = (held: readonly string[], roles: readonly string[]): string[] =>
  roles.filter((role) => !roleCovered(held, role));

const principalView = ({ appId, displayName, objectId }: SessionPrincipal) => ({
  appId,
  displayName,
  objectId,
});

/** The session cookie's value in a request, if any. */
export function sessionCookie(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  return typeof header === 'string' ? COOKIE_VALUE.exec(header)?.[1] : undefined;
}

export class ConsoleService {
  readonly #codes: SignInCodes;
  readonly #sessions: ConsoleSessions;
  readonly #tokens: PrincipalTokens;
  readonly #directory: PrincipalDirectory;
  readonly #baseUrl: () => string;
  readonly sessionLifetimeMs: number;

  constructor(options: ConsoleServiceOptions) {
    this.#directory = options.directory;
    this.#baseUrl = options.baseUrl;
    this.sessionLifetimeMs = options.sessionLifetimeMs;
    this.#codes = new SignInCodes(options.store, options.now);
    this.#tokens = new PrincipalTokens(options);
    this.#sessions = new ConsoleSessions({
      store: options.store,
      now: options.now,
      lifetimeMs: options.sessionLifetimeMs,
    });
    options.directory.onInvalidate?.(() => this.#tokens.clear());
  }

  /** The principal and its Graph roles now; `console_principal_unusable` when it cannot act. */
  async principal(principal: ConsolePrincipal): Promise<{ principal: SessionPrincipal; roles: string[] }> {
    const current = await graphPrincipal(this.#directory, principal);
    if (!current) throw new CredlessError('console_principal_unusable', { appId: principal.appId });
    return current;
  }

  /** A single-use sign-in link for `principal` (which must be able to act). */
  async signInLink(principal: ConsolePrincipal): Promise<SignInLink> {
    const current = await this.principal(principal);
    const { code, expiresAt } = await this.#codes.issue(principal);
    return {
      // A fragment: browsers never send it, so the code reaches no access log or proxy.
      link: `${this.#baseUrl()}/console/#code=${code}`,
      code,
      expiresDateTime: iso(expiresAt),
      tenantId: principal.tenantId,
      principal: principalView(current.principal),
    };
  }

  /** Redeems a code (once) into a new session; `console_code_invalid` otherwise. */
  async redeem(code: unknown): Promise<{ cookie: string; view: SessionView }> {
    const principal = await this.#codes.redeem(code);
    const current = principal && (await graphPrincipal(this.#directory, principal));
    if (!current) throw new CredlessError('console_code_invalid');
    const { cookie, session } = await this.#sessions.open(current.principal, current.roles);
    return { cookie, view: this.#view(session, current.roles) };
  }

  /** The request's live session (cookie only: reading one's own session needs no CSRF header). */
  session(request: FastifyRequest): Promise<PresentedSession | undefined> {
    return this.#sessions.find(sessionCookie(request));
  }

  /** The request's live session when it also carries that session's CSRF token. */
  async sessionWithCsrf(request: FastifyRequest): Promise<PresentedSession | undefined> {
    const header = request.headers[CSRF_HEADER];
    // No header, no session: the store is not even asked.
    if (typeof header !== 'string') return undefined;
    const session = await this.session(request);
    return session && sameSecret(header, session.csrfToken) ? session : undefined;
  }

  /** The session as the API shows it, with the principal's Graph roles now. */
  async view(session: PresentedSession): Promise<SessionView> {
    const current = await graphPrincipal(this.#directory, session.principal);
    return this.#view(session, current?.roles ?? []);
  }

  /** The access token the session acts with; undefined when its principal can no longer act. */
  bearer(session: ConsoleSession): Promise<string | undefined> {
    return this.#tokens.tokenFor(session.id, session.principal, session.expiresAt);
  }

  /**
   * The tenant's sessions `viewer` may see and revoke: its principal's own, and those whose roles at
   * sign-in are all among the viewer's (no one ends a more powerful operator's session).
   */
  async visibleSessions(viewer: ConsoleSession): Promise<ConsoleSession[]> {
    return (await this.#sessions.list(viewer.principal.tenantId)).filter(
      (other) =>
        other.principal.appId === viewer.principal.appId ||
        uncoveredRoles(viewer.rolesAtSignIn, other.rolesAtSignIn).length === 0,
    );
  }

  async revoke(id: string): Promise<boolean> {
    this.#tokens.forget(id);
    return this.#sessions.revoke(id);
  }

  #view(session: PresentedSession, roles: readonly string[]): SessionView {
    return {
      id: session.id,
      principal: principalView(session.principal),
      tenantId: session.principal.tenantId,
      roles: [...roles],
      createdAt: iso(session.createdAt),
      expiresAt: iso(session.expiresAt),
      csrfToken: session.csrfToken,
    };
  }
}
