/**
 * The console's only way to credless: its public HTTP APIs, with the session cookie (sent by the
 * browser, HttpOnly) and the CSRF header the session gave. A 401 ends the session in the UI; every
 * other failure is an ApiError carrying the API's own message and, when it names one, the field.
 * @module
 */
import { type ApiErrorBody, fieldOfError } from './field-errors.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The request field the API's message is about, when it names one. */
  readonly field: string | undefined;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = fieldOfError(message);
  }
}

/**
 * Why GET /console/api/session refused: both answers carry `no_session` (the console contract), and
 * only the message tells a cookie naming a revoked or expired session (the catalogue's
 * console_no_session, "Your session has ended. …") from no cookie at all (console_not_signed_in).
 */
export const signedOutReason = (error: ApiError): 'ended' | 'none' =>
  /^Your session has ended\b/.test(error.message) ? 'ended' : 'none';

let csrfToken: string | undefined;
let onUnauthorized: (() => void) | undefined;

/** Set by the session once signed in; cleared at sign-out. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called on any 401 (the session ended or was revoked). */
export function setUnauthorizedHandler(handler: (() => void) | undefined): void {
  onUnauthorized = handler;
}

async function errorOf(response: Response): Promise<ApiError> {
  let body: ApiErrorBody | { message?: string } = {};
  try {
    body = (await response.json()) as ApiErrorBody;
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  const error = 'error' in body ? body.error : undefined;
  const message =
    error?.message ??
    ('message' in body && typeof body.message === 'string' ? body.message : undefined) ??
    `${response.status} ${response.statusText}`;
  return new ApiError(response.status, error?.code ?? String(response.status), message);
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** Leave 401 to the caller (the sign-in exchange, whose 401 is a refused code, not an ended session). */
  ownUnauthorized?: boolean;
}

/** JSON in, JSON out (undefined for 204). Throws ApiError. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (csrfToken) headers['x-credless-csrf'] = csrfToken;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method: options.method ?? 'GET',
    credentials: 'same-origin',
    headers,
    body: options.body === undefined ? null : JSON.stringify(options.body),
    signal: options.signal ?? null,
  });
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401 && !options.ownUnauthorized) onUnauthorized?.();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Graph's collections: `{ value: [...] }`. */
export async function list<T>(path: string, signal?: AbortSignal): Promise<T[]> {
  const answer = await api<{ value: T[] }>(path, signal ? { signal } : {});
  return answer.value;
}

/** An OData string literal: quotes doubled. */
export const odataString = (value: string) => `'${value.replaceAll("'", "''")}'`;
