/**
 * Requesting a token from a test credless the way a workload does: a form-encoded client-credentials
 * request with a jwt-bearer client assertion, over HTTPS.
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http';
import { GRAPH_RESOURCE_URI, JWT_BEARER_ASSERTION_TYPE } from '@credless/core';
import { type Dispatcher, request } from 'undici';

export interface ClientCredentialsFormOptions {
  clientId: string;
  assertion: string;
  /** Default: the Graph resource's `.default` scope. */
  scope?: string;
}

export function clientCredentialsForm(options: ClientCredentialsFormOptions): Record<string, string> {
  return {
    grant_type: 'client_credentials',
    client_id: options.clientId,
    scope: options.scope ?? `${GRAPH_RESOURCE_URI}/.default`,
    client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
    client_assertion: options.assertion,
  };
}

export interface TokenResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** POSTs `form` to the tenant's v2 (default) or v1 token endpoint and returns the parsed answer. */
export async function requestToken(
  credless: { url: string; tenantId: string },
  form: Record<string, string>,
  options: { dispatcher: Dispatcher; version?: 'v1' | 'v2' },
): Promise<TokenResponse> {
  const path = options.version === 'v1' ? 'oauth2/token' : 'oauth2/v2.0/token';
  const response = await request(`${credless.url}/${credless.tenantId}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    dispatcher: options.dispatcher,
  });
  return {
    status: response.statusCode,
    headers: response.headers,
    body: (await response.body.json()) as Record<string, unknown>,
  };
}
