/**
 * Options of WorkloadIdentityCredential and their defaults from the environment the
 * azure-workload-identity webhook injects (AZURE_TENANT_ID, AZURE_CLIENT_ID,
 * AZURE_FEDERATED_TOKEN_FILE, AZURE_AUTHORITY_HOST).
 * @module
 */
import { CredlessSdkError } from '../errors.ts';

export interface WorkloadIdentityCredentialOptions {
  /** Tenant id or domain. Default: AZURE_TENANT_ID. */
  tenantId?: string;
  /** The application's client id. Default: AZURE_CLIENT_ID. */
  clientId?: string;
  /** Path of the projected federated token. Default: AZURE_FEDERATED_TOKEN_FILE. */
  tokenFilePath?: string;
  /** Token service base URL (credless's URL). Default: AZURE_AUTHORITY_HOST, else Entra's. */
  authorityHost?: string;
  /** Refresh a cached token this long before it expires. Default 5 minutes. */
  refreshMarginMs?: number;
  /** Give up on a token request after this long. Default 10 seconds. */
  timeoutMs?: number;
  /** fetch to use (e.g. one trusting a private CA). Default: the global fetch. */
  fetch?: typeof fetch;
  /** Clock in milliseconds. Default: Date.now. */
  now?: () => number;
  /** Environment the defaults come from. Default: process.env. */
  env?: Record<string, string | undefined>;
}

export interface ResolvedOptions {
  tenantId: string;
  clientId: string;
  tokenFilePath: string;
  tokenEndpoint: string;
  refreshMarginMs: number;
  timeoutMs: number;
  fetch: typeof fetch;
  now: () => number;
}

export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';
export const DEFAULT_REFRESH_MARGIN_MS = 5 * 60 * 1000;
export const DEFAULT_TIMEOUT_MS = 10_000;

// A tenant id or domain is one path segment; anything else would change which endpoint is called.
const TENANT = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${name} must be a non-negative number of milliseconds`);
  }
  return value;
}

export function resolveOptions(options: WorkloadIdentityCredentialOptions): ResolvedOptions {
  const env = options.env ?? process.env;
  const pick = (value: string | undefined, name: string) => (value || env[name] || '').trim();
  const tenantId = pick(options.tenantId, 'AZURE_TENANT_ID');
  const clientId = pick(options.clientId, 'AZURE_CLIENT_ID');
  const tokenFilePath = pick(options.tokenFilePath, 'AZURE_FEDERATED_TOKEN_FILE');
  const authorityHost = pick(options.authorityHost, 'AZURE_AUTHORITY_HOST') || DEFAULT_AUTHORITY_HOST;

  const missing = [
    !tenantId && 'tenantId (AZURE_TENANT_ID)',
    !clientId && 'clientId (AZURE_CLIENT_ID)',
    !tokenFilePath && 'tokenFilePath (AZURE_FEDERATED_TOKEN_FILE)',
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new CredlessSdkError(
      'ERR_CREDENTIAL_UNAVAILABLE',
      `WorkloadIdentityCredential is missing ${missing.join(', ')}: pass them as options or set the ` +
        'environment variables (the workload identity webhook sets them in pods labelled ' +
        'azure.workload.identity/use: "true" whose service account has the client-id annotation)',
    );
  }
  if (!TENANT.test(tenantId)) {
    throw new CredlessSdkError(
      'ERR_CREDENTIAL_UNAVAILABLE',
      `tenantId '${tenantId}' is not a tenant id or domain`,
    );
  }
  let authority: URL;
  try {
    authority = new URL(authorityHost);
  } catch {
    authority = new URL('invalid:');
  }
  if (authority.protocol !== 'https:' && authority.protocol !== 'http:') {
    throw new CredlessSdkError(
      'ERR_CREDENTIAL_UNAVAILABLE',
      `authorityHost '${authorityHost}' is not an https URL (set AZURE_AUTHORITY_HOST to credless's URL)`,
    );
  }
  const base = authority.href.replace(/\/+$/, '');
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new TypeError('fetch must be a function');
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new TypeError('now must be a function');
  }
  return {
    tenantId,
    clientId,
    tokenFilePath,
    tokenEndpoint: `${base}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`,
    refreshMarginMs: nonNegative('refreshMarginMs', options.refreshMarginMs, DEFAULT_REFRESH_MARGIN_MS),
    timeoutMs: nonNegative('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS),
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    now: options.now ?? Date.now,
  };
}
