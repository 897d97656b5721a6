/**
 * A small client of credless's Graph-compatible API for the local administrator: it signs a
 * certificate client assertion with the bootstrap key in the data directory, exchanges it for a
 * Microsoft Graph token at the tenant's token endpoint (cached until shortly before it expires) and
 * sends requests with it. Tests and the az-shaped commands build on it.
 * @module
 */
import { GRAPH_RESOURCE_URI, JWT_BEARER_ASSERTION_TYPE } from '@credless/core';
import { type AdminIdentity, createAdminAssertion, readAdminIdentity } from '@credless/server';

/** Refresh this long before expiry, as MSAL does. */
const EXPIRY_MARGIN_MS = 300_000;

export interface GraphClientOptions {
  /** credless base URL (authority host), e.g. https://localhost:8443. */
  url: string;
  /** Data directory holding `admin/` (default: the server's). */
  dataDir: string;
  /** Graph-compatible API base; default `<url>/v1.0`. */
  graphUrl?: string;
  /** An undici dispatcher (e.g. one trusting the local CA); default: Node's global one. */
  dispatcher?: unknown;
  now?: () => number;
}

export interface GraphResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body (204). */
  body: T | undefined;
}

export interface GraphClient {
  readonly identity: Omit<AdminIdentity, 'privateKeyPem'>;
  /** A Graph access token for the administrator (cached). */
  getToken(): Promise<string>;
  /** `path` is relative to the Graph base (`/applications`), or an absolute URL. */
  request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<GraphResponse<T>>;
}

export class GraphClientError extends Error {
  override readonly name = 'GraphClientError';
}

export async function createGraphClient(options: GraphClientOptions): Promise<GraphClient> {
  const identity = await readAdminIdentity(options.dataDir);
  if (!identity) {
    throw new GraphClientError(
      `no administrator identity in ${options.dataDir}/admin: start credless once with this data directory`,
    );
  }
  const now = options.now ?? Date.now;
  const graphUrl = options.graphUrl ?? `${options.url}/v1.0`;
  const tokenEndpoint = `${options.url}/${identity.tenantId}/oauth2/v2.0/token`;
  const dispatch = options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher };
  let cached: { token: string; expiresAt: number } | undefined;

  const getToken = async (): Promise<string> => {
    if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > now()) return cached.token;
    const assertion = await createAdminAssertion(identity, tokenEndpoint, now());
    const response = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: identity.clientId,
        scope: `${GRAPH_RESOURCE_URI}/.default`,
        client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
        client_assertion: assertion,
      }).toString(),
      ...dispatch,
    } as RequestInit);
    const body = (await response.json()) as Record<string, unknown>;
    if (response.status !== 200 || typeof body['access_token'] !== 'string') {
      throw new GraphClientError(
        `the administrator could not get a Graph token: ${String(body['error_description'] ?? response.status)}`,
      );
    }
    cached = { token: body['access_token'], expiresAt: now() + Number(body['expires_in']) * 1000 };
    return cached.token;
  };

  return {
    identity: {
      tenantId: identity.tenantId,
      clientId: identity.clientId,
      keyId: identity.keyId,
      x5t: identity.x5t,
    },
    getToken,
    async request<T>(method: string, path: string, body?: unknown): Promise<GraphResponse<T>> {
      const url = /^https?:\/\//.test(path) ? path : `${graphUrl}${path}`;
      const response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${await getToken()}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...dispatch,
      } as RequestInit);
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        body: text === '' ? undefined : (JSON.parse(text) as T),
      };
    },
  };
}
