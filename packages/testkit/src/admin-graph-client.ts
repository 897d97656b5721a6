/**
 * For tests: a client of credless's Graph-compatible API as the local administrator, over real HTTPS.
 * It signs a certificate client assertion with the bootstrap key in the data directory, exchanges it
 * for a Microsoft Graph token at the tenant's token endpoint (cached until shortly before it expires)
 * and sends requests with it. (The CLI's own Graph client is its session's, packages/cli/src/session.)
 * @module
 */
import { type AdminIdentity, createAdminAssertion, readAdminIdentity } from '@credless/server';
import { type Dispatcher, request } from 'undici';
import { clientCredentialsForm, requestToken } from './token-request.ts';

/** Refresh this long before expiry, as MSAL does. */
const EXPIRY_MARGIN_MS = 300_000;

export interface AdminGraphClientOptions {
  /** credless base URL (authority host), e.g. https://localhost:8443. */
  url: string;
  /** Data directory holding `admin/`. */
  dataDir: string;
  /** Trusting credless's CA (TestStack.client). */
  dispatcher: Dispatcher;
  now?: () => number;
}

export interface GraphResponse<T = Record<string, unknown>> {
  status: number;
  /** Parsed JSON, or undefined for an empty body (204). */
  body: T | undefined;
}

export interface AdminGraphClient {
  readonly identity: Omit<AdminIdentity, 'privateKeyPem'>;
  /** A Graph access token for the administrator (cached). */
  getToken(): Promise<string>;
  /** `path` is relative to `<url>/v1.0` (`/applications`), or an absolute URL. */
  request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<GraphResponse<T>>;
}

export async function createAdminGraphClient(options: AdminGraphClientOptions): Promise<AdminGraphClient> {
  const found = await readAdminIdentity(options.dataDir);
  if (!found) throw new Error(`test setup: no administrator identity in ${options.dataDir}/admin`);
  const { privateKeyPem: _key, ...identity } = found;
  const now = options.now ?? Date.now;
  const tenant = { url: options.url, tenantId: identity.tenantId };
  const tokenEndpoint = `${options.url}/${identity.tenantId}/oauth2/v2.0/token`;
  let cached: { token: string; expiresAt: number } | undefined;

  const getToken = async (): Promise<string> => {
    if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > now()) return cached.token;
    const assertion = await createAdminAssertion(found, tokenEndpoint, now());
    const answer = await requestToken(
      tenant,
      clientCredentialsForm({ clientId: identity.clientId, assertion }),
      {
        dispatcher: options.dispatcher,
      },
    );
    const token = answer.body['access_token'];
    if (answer.status !== 200 || typeof token !== 'string') {
      throw new Error(`test setup: the administrator got no Graph token: ${JSON.stringify(answer.body)}`);
    }
    cached = { token, expiresAt: now() + Number(answer.body['expires_in']) * 1000 };
    return token;
  };

  return {
    identity,
    getToken,
    async request<T>(method: string, path: string, body?: unknown): Promise<GraphResponse<T>> {
      const response = await request(/^https?:\/\//.test(path) ? path : `${options.url}/v1.0${path}`, {
        method: method as Dispatcher.HttpMethod,
        headers: {
          authorization: `Bearer ${await getToken()}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        dispatcher: options.dispatcher,
      });
      const text = await response.body.text();
      return { status: response.statusCode, body: text === '' ? undefined : (JSON.parse(text) as T) };
    },
  };
}
