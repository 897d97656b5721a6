/**
 * Hand-made JWS for hostile-input tests: raw header and payload JSON (so `"exp":1e400` or a `crit`
 * header can be written as is), signatures made with node:crypto directly (jose refuses HS256 keyed
 * with a public key, which is the point), the secrets an HS256 key-confusion attack would try, and a
 * loopback "bait" server that records any attempt to fetch a key a token header points at.
 * @module
 */
import { Buffer } from 'node:buffer';
import { createHmac, createPublicKey, type JsonWebKey, type KeyObject, sign } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { issueServerCertificate, type PemKeyPair } from '@credless/common';
import type { JWK } from 'jose';

/** An object is serialized with JSON.stringify; a string is used as the exact JSON text. */
export type JsonSource = Record<string, unknown> | string;

export const base64url = (data: string | Uint8Array): string => Buffer.from(data).toString('base64url');

export const encodeSegment = (source: JsonSource): string =>
  base64url(typeof source === 'string' ? source : JSON.stringify(source));

/** Compact JWS signed with an RSA (RS256) or EC P-256 (ES256) private key; the header's alg is not checked. */
export function signJws(header: JsonSource, payload: JsonSource, privateKey: KeyObject): string {
  const signingInput = `${encodeSegment(header)}.${encodeSegment(payload)}`;
  const signature =
    privateKey.asymmetricKeyType === 'ec'
      ? sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', Buffer.from(signingInput), privateKey);
  return `${signingInput}.${base64url(signature)}`;
}

/** Compact JWS with an HS256 signature keyed by arbitrary bytes. */
export function signHs256(header: JsonSource, payload: JsonSource, secret: string | Uint8Array): string {
  const signingInput = `${encodeSegment(header)}.${encodeSegment(payload)}`;
  const signature = createHmac('sha256', secret).update(signingInput).digest();
  return `${signingInput}.${base64url(signature)}`;
}

/** JSON text of `object` with one more member written raw, first, e.g. `"exp":1e400`. */
export const withRawMember = (object: Record<string, unknown>, name: string, rawJson: string): string =>
  `{${JSON.stringify(name)}:${rawJson},${JSON.stringify(object).slice(1)}`;

export function replaceSignature(token: string, edit: (signature: string) => string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  return `${header}.${payload}.${edit(signature)}`;
}

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Sets an unused low bit of the last character (a 256-byte RSA signature leaves 4 spare bits):
 * a lenient decoder yields the same bytes, so only a canonical-encoding check refuses it.
 */
export function withStrayBits(segment: string): string {
  const last = BASE64URL_ALPHABET.indexOf(segment.at(-1) ?? 'A');
  return `${segment.slice(0, -1)}${BASE64URL_ALPHABET[last | 1]}`;
}

/** The encodings of an RSA public key that HMAC key-confusion attacks try as the secret, by label. */
export const PUBLIC_KEY_AS_HMAC_SECRET: Readonly<Record<string, (publicJwk: JWK) => string | Buffer>> = {
  'SPKI PEM': (jwk) => spkiPem(jwk),
  'PEM with a leading newline': (jwk) => `\n${spkiPem(jwk)}`,
  'PEM with leading spaces': (jwk) => `   ${spkiPem(jwk)}`,
  'PKCS#1 PEM': (jwk) => publicKeyFromJwk(jwk).export({ type: 'pkcs1', format: 'pem' }).toString(),
  'SPKI DER bytes': (jwk) => publicKeyFromJwk(jwk).export({ type: 'spki', format: 'der' }),
  'JWK JSON string': (jwk) => JSON.stringify(jwk),
  'raw modulus bytes': (jwk) => Buffer.from(jwk.n ?? '', 'base64url'),
};

function publicKeyFromJwk(jwk: JWK): KeyObject {
  return createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
}

function spkiPem(jwk: JWK): string {
  return publicKeyFromJwk(jwk).export({ type: 'spki', format: 'pem' }).toString();
}

export interface BaitServer {
  /** https://127.0.0.1:port, with a certificate from the given CA (so a fetch would succeed). */
  httpsUrl: string;
  /** http://127.0.0.1:port */
  httpUrl: string;
  /** TCP connections accepted on either port: counts even an attempt that never sends a request. */
  readonly connections: number;
  /** Request lines received, e.g. 'GET /jwks'. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `jwks` at any path over HTTPS and HTTP on loopback and records who came asking. */
export async function startBaitServer(options: { ca: PemKeyPair; jwks: unknown }): Promise<BaitServer> {
  const tls = await issueServerCertificate({
    ca: options.ca,
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
  });
  const requests: string[] = [];
  let connections = 0;
  const body = JSON.stringify(options.jwks);
  const handler = (req: { method?: string; url?: string }, res: import('node:http').ServerResponse) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  };
  const https = createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, handler);
  const http = createHttpServer(handler);
  const listen = async (server: HttpServer) => {
    server.on('connection', () => {
      connections += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };
  const httpsPort = await listen(https);
  const httpPort = await listen(http);
  return {
    httpsUrl: `https://127.0.0.1:${httpsPort}`,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    get connections() {
      return connections;
    },
    requests,
    async close() {
      for (const server of [https, http]) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}
