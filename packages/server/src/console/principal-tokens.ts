/**
 * The access token a console session acts with: a Graph token for its application's service principal
 * with the Graph roles assigned to it — the claims, roles and signing key the token endpoint would use
 * for that client (core's buildAccessTokenClaims, the tenant's active key). Every API then applies its
 * own authorization to it unchanged: the console has no rights of its own. Cached per session, minted
 * again before it expires and after any directory change (so a removed role or a disabled principal
 * applies at once).
 * @module
 */
import { randomUUID } from 'node:crypto';
import {
  type AccessTokenSigner,
  buildAccessTokenClaims,
  GRAPH_APP_ID,
  GRAPH_RESOURCE_URI,
  type TokenDirectory,
} from '@credless/core';
import type { SessionPrincipal } from './console-sessions.ts';
import type { ConsolePrincipal } from './sign-in-codes.ts';

/** One hour, or what is left of the session. */
const TOKEN_LIFETIME_S = 3600;
/** Minted again this long before it expires (as MSAL refreshes). */
const RENEW_MARGIN_S = 300;
/** Tokens cached at most (one per live session of this process). */
const MAX_CACHED_TOKENS = 1000;

export type PrincipalDirectory = Pick<TokenDirectory, 'findClient' | 'findResource' | 'assignedAppRoleIds'>;

/** The principal with its Graph roles now, or undefined when it cannot act (gone or disabled). */
export async function graphPrincipal(
  directory: PrincipalDirectory,
  { tenantId, appId }: ConsolePrincipal,
): Promise<{ principal: SessionPrincipal; roles: string[] } | undefined> {
  const client = await directory.findClient(tenantId, appId);
  const servicePrincipal = client?.servicePrincipal;
  if (!client || !servicePrincipal?.accountEnabled) return undefined;
  const graph = await directory.findResource(tenantId, GRAPH_APP_ID);
  const graphPrincipalId = graph?.servicePrincipal?.id;
  const assigned = graphPrincipalId
    ? await directory.assignedAppRoleIds(tenantId, servicePrincipal.id, graphPrincipalId)
    : new Set<string>();
  const roles = (graph?.application.appRoles ?? [])
    .filter((role) => role.isEnabled && assigned.has(role.id))
    .map((role) => role.value);
  return {
    principal: {
      tenantId,
      appId: client.application.appId,
      displayName: client.application.displayName,
      objectId: servicePrincipal.id,
    },
    roles,
  };
}

interface CachedToken {
  token: string;
  expiresAtS: number;
}

export class PrincipalTokens {
  readonly #cache = new Map<string, CachedToken>();
  readonly #directory: PrincipalDirectory;
  readonly #signer: AccessTokenSigner;
  readonly #baseUrl: () => string;
  readonly #now: () => number;

  constructor(options: {
    directory: PrincipalDirectory;
    signer: AccessTokenSigner;
    baseUrl: () => string;
    now: () => number;
  }) {
    this.#directory = options.directory;
    this.#signer = options.signer;
    this.#baseUrl = options.baseUrl;
    this.#now = options.now;
  }

  /**
   * The Graph token of session `sessionId` (valid until `sessionExpiresAt` at most); undefined when
   * its principal can no longer act.
   */
  async tokenFor(
    sessionId: string,
    principal: ConsolePrincipal,
    sessionExpiresAt: number,
  ): Promise<string | undefined> {
    const nowS = Math.floor(this.#now() / 1000);
    const cached = this.#cache.get(sessionId);
    if (cached && cached.expiresAtS - RENEW_MARGIN_S > nowS) return cached.token;
    const current = await graphPrincipal(this.#directory, principal);
    if (!current) {
      this.#cache.delete(sessionId);
      return undefined;
    }
    const lifetimeSeconds = Math.max(
      1,
      Math.min(TOKEN_LIFETIME_S, Math.floor(sessionExpiresAt / 1000) - nowS),
    );
    const claims = buildAccessTokenClaims({
      version: 1,
      baseUrl: this.#baseUrl(),
      tenantId: principal.tenantId,
      audience: GRAPH_RESOURCE_URI,
      client: {
        appId: current.principal.appId,
        displayName: current.principal.displayName,
        servicePrincipalId: current.principal.objectId,
      },
      roles: current.roles,
      issuedAt: nowS,
      lifetimeSeconds,
      uti: randomUUID().replaceAll('-', ''),
    });
    const token = await this.#signer.sign(principal.tenantId, claims, { includeX5t: true });
    if (this.#cache.size >= MAX_CACHED_TOKENS) this.#dropExpired(nowS);
    this.#cache.set(sessionId, { token, expiresAtS: nowS + lifetimeSeconds });
    return token;
  }

  /** Drops one session's token (revoked or expired session). */
  forget(sessionId: string): void {
    this.#cache.delete(sessionId);
  }

  #dropExpired(nowS: number): void {
    for (const [id, cached] of this.#cache) if (cached.expiresAtS <= nowS) this.#cache.delete(id);
    // Sessions ended elsewhere (another process) leave entries behind: past the bound, start afresh.
    if (this.#cache.size >= MAX_CACHED_TOKENS) this.#cache.clear();
  }

  /** Drops every token: the directory changed (roles, principals). */
  clear(): void {
    this.#cache.clear();
  }
}
