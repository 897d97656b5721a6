/**
 * One client-credentials request with a jwt-bearer client assertion to the v2 token endpoint, and the
 * parsing of its answer into an access token or a typed error. The assertion and the access token
 * never appear in an error message.
 * @internal
 * @module
 */
import { randomUUID } from 'node:crypto';
import { CredlessSdkError, TokenServiceError } from '../errors.ts';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface TokenRequest {
  tokenEndpoint: string;
  clientId: string;
  /** Space-separated scopes, e.g. 'https://graph.microsoft.com/.default'. */
  scope: string;
  assertion: string;
  fetch: typeof fetch;
  timeoutMs: number;
  now: () => number;
}

export interface IssuedToken {
  token: string;
  expiresOnTimestamp: number;
  /** When the STS asked clients to refresh (`refresh_in`), if it did. */
  refreshAfterTimestamp: number | undefined;
}

/** Seconds as the v2 endpoint (number) or the v1 endpoint (numeric string) writes them. */
function seconds(value: unknown): number | undefined {
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof parsed === 'number' && Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

async function send(request: TokenRequest): Promise<{ status: number; body: unknown }> {
  const started = request.now();
  try {
    // The timeout covers the body too: undici aborts a body read when the signal fires.
    const response = await request.fetch(request.tokenEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        'client-request-id': randomUUID(),
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: request.clientId,
        scope: request.scope,
        client_assertion_type: JWT_BEARER,
        client_assertion: request.assertion,
      }).toString(),
      redirect: 'error',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    const raw = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    return { status: response.status, body };
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') {
      throw new CredlessSdkError(
        'ERR_STS_TIMEOUT',
        `the token request to ${request.tokenEndpoint} timed out after ${request.timeoutMs} ms`,
        { cause: error },
      );
    }
    const reason = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new CredlessSdkError(
      'ERR_STS_UNREACHABLE',
      `cannot reach the token service at ${request.tokenEndpoint} after ${request.now() - started} ms: ${reason}`,
      { cause: error },
    );
  }
}

export async function requestAccessToken(request: TokenRequest): Promise<IssuedToken> {
  // Lifetimes count from when the request left: never later than the STS's own clock.
  const sentAt = request.now();
  const { status, body } = await send(request);
  const fields = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : undefined;
  if (status !== 200) {
    const error = text(fields?.['error']);
    if (error === undefined) {
      throw new CredlessSdkError(
        'ERR_STS_RESPONSE',
        `the token service at ${request.tokenEndpoint} answered HTTP ${status} without an OAuth error body`,
      );
    }
    const codes = fields?.['error_codes'];
    throw new TokenServiceError({
      status,
      error,
      errorDescription: text(fields?.['error_description']),
      errorCodes: Array.isArray(codes) ? codes.filter((code): code is number => Number.isInteger(code)) : [],
      traceId: text(fields?.['trace_id']),
      correlationId: text(fields?.['correlation_id']),
    });
  }
  const token = text(fields?.['access_token']);
  const expiresIn = seconds(fields?.['expires_in']);
  if (!token || expiresIn === undefined) {
    throw new CredlessSdkError(
      'ERR_STS_RESPONSE',
      `the token service at ${request.tokenEndpoint} answered HTTP 200 without access_token and expires_in`,
    );
  }
  const refreshIn = seconds(fields?.['refresh_in']);
  return {
    token,
    expiresOnTimestamp: sentAt + expiresIn * 1000,
    refreshAfterTimestamp: refreshIn === undefined ? undefined : sentAt + refreshIn * 1000,
  };
}
