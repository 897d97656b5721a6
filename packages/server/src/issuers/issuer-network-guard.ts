/**
 * Where credless may connect to fetch an issuer's metadata. A host name is resolved once, every address
 * in the answer is checked, and the socket is opened to a checked address only (the connector's
 * `lookup` answers with it, so no second DNS query can aim it elsewhere); TLS still names the host (SNI).
 * Nothing is sent, not even a TCP SYN, to an address the policy refuses.
 * @module
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector } from 'undici';

export interface IssuerAddressPolicy {
  /** Also refuse loopback, private (RFC 1918, unique-local) and CGNAT addresses. */
  blockPrivateNetworks: boolean;
}

/** Resolves a host name to every address it has (tests inject answers; default: the system resolver). */
export type ResolveHost = (hostname: string) => Promise<readonly LookupAddress[]>;

/** The deployment's own networks: refused unless it trusts issuers there (tests, local setups). */
const PRIVATE_RANGES: ReadonlySet<string> = new Set([
  'loopback',
  'private',
  'carrierGradeNat',
  'uniqueLocal',
]);

/**
 * True when an issuer must not be contacted at `address`. Only ipaddr.js's `unicast` (global) range
 * passes; unspecified, link-local (cloud metadata), multicast, broadcast, documentation, benchmarking,
 * reserved and IPv4-in-IPv6 tunnels (NAT64, 6to4, Teredo) never do. IPv4-mapped IPv6 is judged as IPv4.
 */
export function isBlockedIssuerAddress(address: string, policy: IssuerAddressPolicy): boolean {
  // net.isIP is strict (canonical forms only); ipaddr.js alone would also accept "0x7f.1".
  if (isIP(address) === 0) return true;
  const range = ipaddr.process(address).range();
  if (range === 'unicast') return false;
  return policy.blockPrivateNetworks || !PRIVATE_RANGES.has(range);
}

/** The connector's error; its code is all a caller sees (the address stays in the detail). */
const addressBlocked = (host: string, address: string) =>
  Object.assign(new Error(`issuer host ${host} resolves to a refused address (${address})`), {
    code: 'ADDRESS_BLOCKED',
  });

const systemResolve: ResolveHost = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

/** A `lookup` for net/tls.connect that answers only when every resolved address passes the policy. */
export function guardedLookup(
  policy: IssuerAddressPolicy,
  resolve: ResolveHost = systemResolve,
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (answers) => {
        const blocked = answers.find((answer) => isBlockedIssuerAddress(answer.address, policy));
        if (blocked) return callback(addressBlocked(hostname, blocked.address), '', 0);
        const usable = options.family ? answers.filter((a) => a.family === options.family) : answers;
        const [first] = usable;
        if (!first) {
          const notFound = Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' });
          return callback(notFound, '', 0);
        }
        if (options.all)
          return callback(
            null,
            usable.map(({ address, family }) => ({ address, family })),
          );
        callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

export interface IssuerAgentOptions {
  /** Default true: also refuse loopback, private and CGNAT addresses. */
  blockPrivateNetworks?: boolean;
  /** CA certificates to trust instead of Node's defaults (PEM). */
  ca?: string;
  /** Host-name resolution (tests inject answers); default: the system resolver. */
  resolve?: ResolveHost;
}

/**
 * An undici Agent that never connects to a refused address: IP-literal hosts (already normalised by
 * WHATWG URL parsing: `2130706433`, `0177.0.0.1` and `0x7f.1` arrive as `127.0.0.1`) are checked before
 * connecting, names through {@link guardedLookup}. The socket's peer is checked once more as a backstop.
 */
export function createIssuerAgent(options: IssuerAgentOptions = {}): Agent {
  const policy = { blockPrivateNetworks: options.blockPrivateNetworks ?? true };
  const lookup = guardedLookup(policy, options.resolve);
  const connect = buildConnector({ lookup, ...(options.ca ? { ca: options.ca } : {}) });
  return new Agent({
    connect: (connectOptions, callback) => {
      const host = connectOptions.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) !== 0 && isBlockedIssuerAddress(host, policy))
        return callback(addressBlocked(host, host), null);
      connect(connectOptions, (error, socket) => {
        if (error) return callback(error, null);
        const peer = socket.remoteAddress ?? '';
        if (isBlockedIssuerAddress(peer, policy)) {
          socket.destroy();
          return callback(addressBlocked(host, peer), null);
        }
        callback(null, socket);
      });
    },
  });
}
