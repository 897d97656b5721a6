/**
 * Fetches a small JSON document from an external issuer without trusting it: https only, no redirects,
 * one deadline for connect + headers + body, and a byte cap enforced while the body streams.
 * @module
 */
import { type Dispatcher, request } from 'undici';

export interface FetchCappedJsonOptions {
  /** Connection pool to use (tests pass one that trusts their CA). Must not follow redirects. */
  dispatcher?: Dispatcher;
  /** One deadline for the whole exchange: connect, headers and body. */
  timeoutMs: number;
  /** Largest body accepted, in bytes; the download is aborted as soon as it grows past this. */
  maxBytes: number;
  signal?: AbortSignal;
}

/** A failed fetch. `reason` is safe to show: it never contains response bodies or header values. */
export class IssuerFetchError extends Error {
  override readonly name = 'IssuerFetchError';
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

function requireHttpsUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new IssuerFetchError('URL is not valid');
  }
  if (parsed.protocol !== 'https:')
    throw new IssuerFetchError(`URL scheme '${parsed.protocol}' is not https`);
  if (parsed.username || parsed.password) throw new IssuerFetchError('URL must not contain credentials');
  return parsed;
}

/**
 * Describes a transport failure by its code only (messages can quote peer data); the network guard's
 * own message (host and refused address) is kept, for the log.
 */
function describeTransportError(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code === 'ADDRESS_BLOCKED' && typeof message === 'string')
    return `request failed (${code}: ${message})`;
  if (typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code)) return `request failed (${code})`;
  return 'request failed';
}

/** Drops the connection; the listener keeps undici's "aborted" error from surfacing as uncaught. */
function discardBody(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}

async function readCappedBody(body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      discardBody(body);
      throw new IssuerFetchError(`response body exceeds ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

function parseJson(bytes: Buffer): unknown {
  try {
    // fatal: invalid UTF-8 is an error rather than silently replaced characters.
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new IssuerFetchError('response is not JSON');
  }
}

export async function fetchCappedJson(url: string, options: FetchCappedJsonOptions): Promise<unknown> {
  const target = requireHttpsUrl(url);
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline.signal, options.signal]) : deadline.signal;
  let body: Dispatcher.ResponseData['body'] | undefined;
  try {
    const response = await request(target, {
      method: 'GET',
      headers: { accept: 'application/json' },
      signal,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    body = response.body;
    const status = response.statusCode;
    // The Location of a redirect is attacker-influenced (SSRF bait): name the status only.
    if (status >= 300 && status < 400) throw new IssuerFetchError(`redirect (HTTP ${status}) not followed`);
    if (status < 200 || status >= 300) throw new IssuerFetchError(`unexpected HTTP status ${status}`);
    const declaredLength = Number(response.headers['content-length']);
    if (Number.isFinite(declaredLength) && declaredLength > options.maxBytes) {
      throw new IssuerFetchError(`declared Content-Length exceeds ${options.maxBytes} bytes`);
    }
    return parseJson(await readCappedBody(body, options.maxBytes));
  } catch (error) {
    if (body) discardBody(body);
    if (error instanceof IssuerFetchError) throw error;
    if (deadline.signal.aborted) throw new IssuerFetchError(`timed out after ${options.timeoutMs} ms`);
    if (options.signal?.aborted) throw new IssuerFetchError('aborted');
    throw new IssuerFetchError(describeTransportError(error));
  } finally {
    clearTimeout(timer);
  }
}
