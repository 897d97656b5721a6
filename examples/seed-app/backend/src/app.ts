/**
 * The backend's one endpoint: GET /api/organization exchanges the pod's projected service-account token
 * for a Microsoft Graph token (WorkloadIdentityCredential) and answers `{ organizationName }` from
 * Graph's `/organization`. Failures say where they happened: Graph refusing (401/403 -> 403 with
 * Graph's error code), the token service refusing (502 with the AADSTS code), or the credential not
 * being configured (503).
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CredlessSdkError, TokenServiceError } from '@credless/sdk';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

export interface BackendOptions {
  /** Anything with @azure/identity's getToken shape. */
  credential: { getToken(scopes: string): Promise<{ token: string }> };
  /** Graph base URL, e.g. https://graph.microsoft.com/v1.0 or credless's `<url>/v1.0`. */
  graphBaseUrl: string;
  log?: (entry: Record<string, unknown>) => void;
}

export interface ErrorBody {
  error: { code: string; message: string; source: 'graph' | 'sts' | 'credential' | 'backend' };
}

class GraphRequestError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function readOrganizationName(options: BackendOptions): Promise<string> {
  const { token } = await options.credential.getToken(GRAPH_SCOPE);
  const response = await fetch(`${options.graphBaseUrl.replace(/\/+$/, '')}/organization`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json().catch(() => undefined)) as
    | { value?: Array<{ displayName?: unknown }>; error?: { code?: unknown; message?: unknown } }
    | undefined;
  if (!response.ok) {
    const code = typeof body?.error?.code === 'string' ? body.error.code : `HTTP${response.status}`;
    const message = typeof body?.error?.message === 'string' ? body.error.message : response.statusText;
    throw new GraphRequestError(response.status, code, message);
  }
  const name = body?.value?.[0]?.displayName;
  if (typeof name !== 'string')
    throw new GraphRequestError(502, 'UnexpectedResponse', 'no organization in the answer');
  return name;
}

/** Status and body for a failure, saying which hop failed. */
export function describeFailure(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof GraphRequestError) {
    // Graph refusing the token (no consent, wrong audience) is the caller's 403, as in the seed.
    const status = error.status === 401 || error.status === 403 ? 403 : 502;
    return { status, body: { error: { code: error.code, message: error.message, source: 'graph' } } };
  }
  if (error instanceof TokenServiceError) {
    const code = error.aadstsCode ?? error.error;
    const message = error.errorDescription ?? error.message;
    return { status: 502, body: { error: { code, message, source: 'sts' } } };
  }
  if (error instanceof CredlessSdkError) {
    const status = error.code === 'ERR_STS_TIMEOUT' || error.code === 'ERR_STS_UNREACHABLE' ? 504 : 503;
    return { status, body: { error: { code: error.code, message: error.message, source: 'credential' } } };
  }
  return {
    status: 500,
    body: { error: { code: 'InternalError', message: 'the backend failed; see its log', source: 'backend' } },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function createBackendHandler(options: BackendOptions) {
  const log = options.log ?? ((entry) => console.log(JSON.stringify(entry)));
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const path = new URL(req.url ?? '/', 'http://backend').pathname;
    let status: number;
    let detail: Record<string, unknown> = {};
    if (req.method === 'GET' && path === '/healthz') {
      status = 200;
      send(res, status, { status: 'ok' });
    } else if (req.method === 'GET' && path === '/api/organization') {
      try {
        const organizationName = await readOrganizationName(options);
        status = 200;
        send(res, status, { organizationName });
      } catch (error) {
        const failure = describeFailure(error);
        status = failure.status;
        detail = { error: failure.body.error.code, source: failure.body.error.source };
        if (failure.status === 500) detail['cause'] = (error as Error).message;
        send(res, status, failure.body);
      }
    } else {
      status = 404;
      send(res, status, {
        error: { code: 'NotFound', message: `no route ${req.method} ${path}`, source: 'backend' },
      });
    }
    log({ method: req.method, path, status, ms: Date.now() - started, ...detail });
  };
}
