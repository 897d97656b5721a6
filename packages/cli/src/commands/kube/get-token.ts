/**
 * `credless get-token --login workloadidentity --server-id …`: the client-go exec credential plugin
 * (kubelogin's workloadidentity mode). Takes the federated token from AZURE_FEDERATED_TOKEN_FILE, or
 * from GitHub Actions (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN) when no file is set, exchanges it at
 * `<authority>/<tenant>/oauth2/v2.0/token` for `<server-id>/.default`, and prints an ExecCredential.
 * Tokens go to standard output only, never to standard error.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CredlessError, caTrustHint, isCertificateVerificationError } from '@credless/core';
import { UsageError } from '../../exit-codes.ts';
import { checkLogin, EXEC_API_VERSIONS } from './exec-plugin.ts';
import {
  type CachedToken,
  readCachedToken,
  tokenCacheDir,
  tokenCacheFile,
  writeCachedToken,
} from './token-cache.ts';

export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com/';
const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const REQUEST_TIMEOUT_MS = 30_000;
const MAX_FEDERATED_TOKEN_BYTES = 1024 * 1024;

export interface GetTokenOptions {
  login: string;
  serverId: string;
  tenantId?: string;
  clientId?: string;
  authorityHost?: string;
  federatedTokenFile?: string;
  tokenCacheDir?: string;
  /** Default true; false = always exchange (and do not write the cache). */
  cache?: boolean;
}

export interface GetTokenDeps {
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface ExecCredential {
  kind: 'ExecCredential';
  apiVersion: string;
  spec: { interactive: false };
  status: { token: string; expirationTimestamp: string };
}

/** A token request or GitHub Actions request failed; the message is safe to print (no tokens). */
export class GetTokenError extends CredlessError {
  override readonly name = 'GetTokenError';
  constructor(reason: string) {
    super('get_token_failed', { reason });
  }
}

/** The ExecCredential version kubectl asks for in KUBERNETES_EXEC_INFO (default v1beta1). */
export function execCredentialApiVersion(execInfo: string | undefined): string {
  if (!execInfo) return EXEC_API_VERSIONS.v1beta1;
  let apiVersion: unknown;
  try {
    apiVersion = (JSON.parse(execInfo) as { apiVersion?: unknown } | null)?.apiVersion;
  } catch {
    throw new UsageError('KUBERNETES_EXEC_INFO is not JSON');
  }
  if (apiVersion === undefined || apiVersion === '') return EXEC_API_VERSIONS.v1beta1;
  if (apiVersion === EXEC_API_VERSIONS.v1 || apiVersion === EXEC_API_VERSIONS.v1beta1) return apiVersion;
  throw new UsageError(`KUBERNETES_EXEC_INFO asks for ${String(apiVersion)}; supported: v1, v1beta1`);
}

/** RFC 3339 in UTC without fractions, as kubelogin writes it. */
export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function required(value: string | undefined, flag: string, variable: string): string {
  if (!value) throw new UsageError(`${flag} or $${variable} is required`);
  return value;
}

function authorityBase(host: string): string {
  const url = URL.canParse(host) ? new URL(host) : undefined;
  if (url?.protocol !== 'https:') throw new UsageError(`--authority-host: '${host}' is not an https URL`);
  return url.toString().replace(/\/+$/, '');
}

async function readFederatedToken(file: string): Promise<string> {
  let text: string;
  try {
    const bytes = await readFile(file);
    if (bytes.length > MAX_FEDERATED_TOKEN_BYTES)
      throw new UsageError(`federated token file '${file}' is too large`);
    text = bytes.toString('utf8').trim();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `cannot read the federated token file '${file}' (${(error as NodeJS.ErrnoException).code})`,
    );
  }
  if (!text) throw new UsageError(`the federated token file '${file}' is empty`);
  return text;
}

async function fetchJson(
  doFetch: typeof fetch,
  what: string,
  url: string,
  init: RequestInit,
): Promise<{ status: number; body: Record<string, unknown> }> {
  let response: Response;
  try {
    response = await doFetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    // kubectl shows this on every call: say how to fix an untrusted local CA, not only that it failed.
    const hint = isCertificateVerificationError(error) ? `; ${caTrustHint()}` : '';
    throw new GetTokenError(`${what}: cannot reach ${new URL(url).origin} (${reason})${hint}`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new GetTokenError(`${what}: HTTP ${response.status}, the answer is not JSON`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new GetTokenError(`${what}: HTTP ${response.status}, the answer is not a JSON object`);
  }
  return { status: response.status, body: body as Record<string, unknown> };
}

/** GitHub Actions' OIDC token for the federation audience (what azure/login and kubelogin request). */
async function githubActionsToken(doFetch: typeof fetch, requestUrl: string, requestToken: string) {
  if (!URL.canParse(requestUrl)) throw new UsageError('$ACTIONS_ID_TOKEN_REQUEST_URL is not a URL');
  const url = new URL(requestUrl);
  url.searchParams.set('audience', FEDERATION_AUDIENCE);
  const { status, body } = await fetchJson(doFetch, 'GitHub Actions token request', url.toString(), {
    headers: { authorization: `bearer ${requestToken}`, accept: 'application/json; api-version=2.0' },
  });
  const value = body['value'];
  if (status !== 200 || typeof value !== 'string' || !value) {
    throw new GetTokenError(`GitHub Actions token request: HTTP ${status}, no token in the answer`);
  }
  return value;
}

function stsFailure(status: number, body: Record<string, unknown>): GetTokenError {
  const codes = Array.isArray(body['error_codes']) ? ` AADSTS${body['error_codes'].join(',')}` : '';
  const error = typeof body['error'] === 'string' ? ` ${body['error']}` : '';
  const description = typeof body['error_description'] === 'string' ? `: ${body['error_description']}` : '';
  return new GetTokenError(`token request refused (HTTP ${status}${error}${codes})${description}`);
}

async function exchange(
  doFetch: typeof fetch,
  tokenEndpoint: string,
  form: Record<string, string>,
  now: number,
): Promise<CachedToken> {
  const { status, body } = await fetchJson(doFetch, 'token request', tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
  });
  if (status !== 200) throw stsFailure(status, body);
  const accessToken = body['access_token'];
  const expiresIn = Number(body['expires_in']);
  if (typeof accessToken !== 'string' || !accessToken || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new GetTokenError('token request: the answer has no access_token or expires_in');
  }
  return { accessToken, expiresOn: now + expiresIn * 1000 };
}

/** The ExecCredential for kubectl: from the cache, or a fresh exchange (then cached). */
export async function getToken(options: GetTokenOptions, deps: GetTokenDeps = {}): Promise<ExecCredential> {
  const env = deps.env ?? process.env;
  const doFetch = deps.fetch ?? fetch;
  const now = deps.now ?? Date.now;
  checkLogin(options.login);
  const apiVersion = execCredentialApiVersion(env['KUBERNETES_EXEC_INFO']);
  if (!options.serverId) throw new UsageError('--server-id is required');
  const clientId = required(options.clientId ?? env['AZURE_CLIENT_ID'], '--client-id', 'AZURE_CLIENT_ID');
  const tenantId = required(options.tenantId ?? env['AZURE_TENANT_ID'], '--tenant-id', 'AZURE_TENANT_ID');
  const authority = authorityBase(
    options.authorityHost ?? (env['AZURE_AUTHORITY_HOST'] || DEFAULT_AUTHORITY_HOST),
  );
  const tokenFile = options.federatedTokenFile ?? env['AZURE_FEDERATED_TOKEN_FILE'];
  const actionsUrl = env['ACTIONS_ID_TOKEN_REQUEST_URL'];
  const actionsToken = env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'];
  if (!tokenFile && !(actionsUrl && actionsToken)) {
    throw new UsageError(
      '--federated-token-file or $AZURE_FEDERATED_TOKEN_FILE is required ' +
        '(or $ACTIONS_ID_TOKEN_REQUEST_URL and $ACTIONS_ID_TOKEN_REQUEST_TOKEN in GitHub Actions)',
    );
  }

  const useCache = options.cache !== false;
  const cacheDir = options.tokenCacheDir ?? tokenCacheDir(env);
  const cacheFile = tokenCacheFile(cacheDir, {
    authorityHost: authority,
    tenantId,
    clientId,
    serverId: options.serverId,
    tokenSource: tokenFile ? resolve(tokenFile) : `github-actions ${actionsUrl}`,
  });
  let token = useCache ? await readCachedToken(cacheFile, now()) : undefined;
  if (!token) {
    const assertion = tokenFile
      ? await readFederatedToken(tokenFile)
      : await githubActionsToken(doFetch, actionsUrl as string, actionsToken as string);
    token = await exchange(
      doFetch,
      `${authority}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`,
      {
        grant_type: 'client_credentials',
        client_id: clientId,
        scope: `${options.serverId}/.default`,
        client_assertion_type: JWT_BEARER,
        client_assertion: assertion,
      },
      now(),
    );
    if (useCache) await writeCachedToken(cacheFile, cacheDir, token);
  }
  return {
    kind: 'ExecCredential',
    apiVersion,
    spec: { interactive: false },
    status: { token: token.accessToken, expirationTimestamp: rfc3339(token.expiresOn) },
  };
}
