/**
 * Fetches a small JSON document from an external issuer without trusting it: https only, no redirects,
 * one deadline for connect + headers + body, and a byte cap enforced while the body streams.
 * @module
 */
import { BlockList, isIP } from 'node:net';
import { Agent, buildConnector, type Dispatcher, request } from 'undici';

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

/** Never a legitimate issuer: unspecified, link-local (cloud metadata at 169.254.169.254), multicast, reserved. */
const ALWAYS_BLOCKED = new BlockList();
ALWAYS_BLOCKED.addSubnet('0.0.0.0', 8, 'ipv4');
ALWAYS_BLOCKED.addSubnet('169.254.0.0', 16, 'ipv4');
ALWAYS_BLOCKED.addSubnet('224.0.0.0', 3, 'ipv4'); // multicast, reserved and broadcast
ALWAYS_BLOCKED.addAddress('::', 'ipv6');
ALWAYS_BLOCKED.addSubnet('fe80::', 10, 'ipv6');
ALWAYS_BLOCKED.addSubnet('ff00::', 8, 'ipv6');
/** Loopback and private networks: blocked unless the deployment trusts issuers on its own network. */
const PRIVATE_NETWORKS = new BlockList();
PRIVATE_NETWORKS.addSubnet('127.0.0.0', 8, 'ipv4');
PRIVATE_NETWORKS.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE_NETWORKS.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE_NETWORKS.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE_NETWORKS.addSubnet('100.64.0.0', 10, 'ipv4');
PRIVATE_NETWORKS.addAddress('::1', 'ipv6');
PRIVATE_NETWORKS.addSubnet('fc00::', 7, 'ipv6');

/** True when an issuer must not be contacted at `address` (IPv4-mapped IPv6 is judged as IPv4). */
export function isBlockedIssuerAddress(address: string, options: { blockPrivateNetworks: boolean }): boolean {
  const version = isIP(address);
  if (version === 0) return true;
  const type = version === 6 ? 'ipv6' : 'ipv4';
  return (
    ALWAYS_BLOCKED.check(address, type) ||
    (options.blockPrivateNetworks && PRIVATE_NETWORKS.check(address, type))
  );
}

const addressBlocked = () =>
  Object.assign(new Error('issuer address is not allowed'), { code: 'ADDRESS_BLOCKED' });

/**
 * An undici Agent that refuses special-use addresses: IP-literal hosts before connecting, resolved names
 * by the socket's remote address before any request is sent (so DNS answers cannot aim it inward).
 * `blockPrivateNetworks` (default true) also refuses loopback and private ranges.
 */
export function createIssuerAgent(options: { blockPrivateNetworks?: boolean; ca?: string } = {}): Agent {
  const policy = { blockPrivateNetworks: options.blockPrivateNetworks ?? true };
  const connect = buildConnector(options.ca ? { ca: options.ca } : {});
  return new Agent({
    connect: (connectOptions, callback) => {
      const host = connectOptions.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) !== 0 && isBlockedIssuerAddress(host, policy)) return callback(addressBlocked(), null);
      connect(connectOptions, (error, socket) => {
        if (error) return callback(error, null);
        if (isBlockedIssuerAddress(socket.remoteAddress ?? '', policy)) {
          socket.destroy();
          return callback(addressBlocked(), null);
        }
        callback(null, socket);
      });
    },
  });
}

/** Describes a transport failure by its code only (messages can quote peer data). */
function describeTransportError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
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
