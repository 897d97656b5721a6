/**
 * A real HTTPS OIDC issuer on 127.0.0.1 for tests: discovery, JWKS, token signing, key rotation, a log of
 * every request, and switchable faults (errors, redirects, huge or slow bodies, leaked private keys, hangs).
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, issueServerCertificate, type PemKeyPair } from '@credless/common';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { Agent } from 'undici';

export type TestIssuerKeyAlg = 'RS256' | 'ES256' | 'PS256';
export type TestIssuerFault =
  | null
  | 'status500'
  | 'redirect'
  | 'notJson'
  | 'hugeBody'
  | 'slowDrip'
  | 'privateKeyInJwks'
  | 'hang';

export interface TestIssuerFaultOptions {
  /** Which document misbehaves (default 'jwks'). 'privateKeyInJwks' always applies to the JWKS. */
  on?: 'jwks' | 'discovery';
  /** Location of 'redirect' (default the cloud metadata address). */
  redirectTo?: string;
  /** Size of 'hugeBody' (default 50 MiB); the body is valid JSON if read to the end. */
  hugeBodyBytes?: number;
  /** 'hugeBody' declares its size in Content-Length (default: streamed chunked, no length). */
  declareContentLength?: boolean;
  /** Pause between the bytes of 'slowDrip' (default 1000 ms); the drip never ends. */
  dripIntervalMs?: number;
}

export interface TestIssuerRequest {
  method: string;
  path: string;
  /** Body bytes handed to the socket for this request (tracked for 'hugeBody'). */
  bytesSent?: number;
}

export interface StartTestOidcIssuerOptions {
  keyAlg?: TestIssuerKeyAlg;
  /** Issuer path, e.g. '/' or '/tenant/abc/'; default none (`https://127.0.0.1:port`). */
  path?: string;
  /** 'kubernetes' = base64url(sha256(SPKI DER)), like kube-apiserver; default the RFC 7638 thumbprint. */
  kidStyle?: 'thumbprint' | 'kubernetes';
  /** Share a CA between issuers so one dispatcher trusts them all (default: a fresh CA). */
  certificateAuthority?: PemKeyPair;
  /** Clock for iat/nbf/exp, in ms (default Date.now). */
  now?: () => number;
}

export interface IssueTokenOptions {
  /** Merged over { alg, typ: 'JWT', kid }; a member set to undefined is removed (e.g. kid). */
  header?: Record<string, unknown>;
  expiresInSeconds?: number;
  kid?: string;
  notBefore?: number;
  issuedAt?: number;
}

export interface TestOidcIssuer {
  issuer: string;
  caCertPem: string;
  certificateAuthority: PemKeyPair;
  /** Trusts the issuer's CA. Destroyed by close(). */
  dispatcher: Agent;
  discoveryUrl: string;
  jwksUri: string;
  /** kid of the key that signs new tokens. */
  readonly currentKid: string;
  issueToken(claims: Record<string, unknown>, options?: IssueTokenOptions): Promise<string>;
  /** New signing key; the old one stays published only with keepOld. */
  rotateKeys(options?: { keepOld?: boolean }): Promise<void>;
  requests: TestIssuerRequest[];
  setFault(fault: TestIssuerFault, options?: TestIssuerFaultOptions): void;
  /** Replace documents: `discovery` is merged over the real one, `jwks` replaces it. null restores both. */
  setOverrides(overrides: { discovery?: Record<string, unknown>; jwks?: unknown } | null): void;
  close(): Promise<void>;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

const METADATA_ADDRESS = 'https://169.254.169.254/latest/meta-data/';
const HUGE_BODY_BYTES = 50 * 1024 * 1024;
const HUGE_CHUNK = Buffer.alloc(64 * 1024, 0x20);

async function createSigningKey(
  alg: TestIssuerKeyAlg,
  kidStyle: 'thumbprint' | 'kubernetes',
): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid =
    kidStyle === 'kubernetes'
      ? createHash('sha256')
          .update(new Uint8Array(await crypto.subtle.exportKey('spki', publicKey)))
          .digest('base64url')
      : await calculateJwkThumbprint(jwk);
  return { kid, privateKey, publicJwk: { ...jwk, kid, alg, use: 'sig' } };
}

export async function startTestOidcIssuer(options: StartTestOidcIssuerOptions = {}): Promise<TestOidcIssuer> {
  const keyAlg = options.keyAlg ?? 'RS256';
  const kidStyle = options.kidStyle ?? 'thumbprint';
  const now = options.now ?? Date.now;
  const issuerPath = options.path ?? '';
  if (issuerPath !== '' && !issuerPath.startsWith('/')) throw new Error("path must start with '/'");

  const ca =
    options.certificateAuthority ??
    (await createCertificateAuthority({ commonName: 'credless test issuer CA' }));
  const tls = await issueServerCertificate({ ca, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });

  let signing = await createSigningKey(keyAlg, kidStyle);
  let published: JWK[] = [signing.publicJwk];
  let fault: TestIssuerFault = null;
  let faultOptions: TestIssuerFaultOptions = {};
  let overrides: { discovery?: Record<string, unknown>; jwks?: unknown } = {};
  const requests: TestIssuerRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  // Filled in once the port is known.
  let issuer = '';
  const basePath = issuerPath.endsWith('/') ? issuerPath.slice(0, -1) : issuerPath;
  const discoveryPath = `${basePath}/.well-known/openid-configuration`;
  const jwksPath = `${basePath}/openid/v1/jwks`;

  const sendJson = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const serveHugeBody = (res: ServerResponse, record: TestIssuerRequest) => {
    const head = '{"keys":[]';
    const total = Math.max(faultOptions.hugeBodyBytes ?? HUGE_BODY_BYTES, head.length + 1);
    const headers: Record<string, string | number> = { 'content-type': 'application/json' };
    if (faultOptions.declareContentLength) headers['content-length'] = total;
    res.writeHead(200, headers);
    res.write(head);
    record.bytesSent = head.length;
    let padding = total - head.length - 1;
    // Respect backpressure so bytesSent shows how much the client actually pulled.
    const pump = () => {
      while (padding > 0 && !res.destroyed) {
        const size = Math.min(padding, HUGE_CHUNK.length);
        padding -= size;
        record.bytesSent = (record.bytesSent ?? 0) + size;
        if (!res.write(size === HUGE_CHUNK.length ? HUGE_CHUNK : HUGE_CHUNK.subarray(0, size))) {
          res.once('drain', pump);
          return;
        }
      }
      if (!res.destroyed) res.end('}');
    };
    pump();
  };

  const serveSlowDrip = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{');
    const timer = setInterval(() => {
      if (res.destroyed) {
        clearInterval(timer);
        timers.delete(timer);
        return;
      }
      res.write(' ');
    }, faultOptions.dripIntervalMs ?? 1000);
    timers.add(timer);
    res.on('close', () => {
      clearInterval(timer);
      timers.delete(timer);
    });
  };

  const jwksDocument = () => ('jwks' in overrides ? overrides.jwks : { keys: published });
  const discoveryDocument = () => ({
    issuer,
    jwks_uri: `${new URL(issuer).origin}${jwksPath}`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [keyAlg],
    ...overrides.discovery,
  });

  /** Returns true when a fault answered the request. */
  const serveFault = async (
    res: ServerResponse,
    record: TestIssuerRequest,
    document: 'jwks' | 'discovery',
  ) => {
    if (fault === null) return false;
    const target = fault === 'privateKeyInJwks' ? 'jwks' : (faultOptions.on ?? 'jwks');
    if (target !== document) return false;
    switch (fault) {
      case 'status500':
        sendJson(res, 500, { error: 'server_error' });
        break;
      case 'redirect':
        res.writeHead(302, { location: faultOptions.redirectTo ?? METADATA_ADDRESS }).end();
        break;
      case 'notJson':
        res.writeHead(200, { 'content-type': 'application/json' }).end('<html>not json</html>');
        break;
      case 'hugeBody':
        serveHugeBody(res, record);
        break;
      case 'slowDrip':
        serveSlowDrip(res);
        break;
      case 'privateKeyInJwks': {
        const privateJwk = {
          ...(await exportJWK(signing.privateKey)),
          kid: signing.kid,
          alg: keyAlg,
          use: 'sig',
        };
        sendJson(res, 200, { keys: [privateJwk] });
        break;
      }
      case 'hang':
        break; // never answer; close() tears the connection down
    }
    return true;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const record: TestIssuerRequest = { method: req.method ?? '', path: req.url ?? '' };
    requests.push(record);
    const pathname = new URL(req.url ?? '/', 'https://127.0.0.1').pathname;
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'method_not_allowed' });
    if (pathname === discoveryPath) {
      if (!(await serveFault(res, record, 'discovery'))) sendJson(res, 200, discoveryDocument());
      return;
    }
    if (pathname === jwksPath) {
      if (!(await serveFault(res, record, 'jwks'))) sendJson(res, 200, jwksDocument());
      return;
    }
    sendJson(res, 404, { error: 'not_found' });
  };

  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `https://127.0.0.1:${port}`;
  issuer = `${origin}${issuerPath}`;
  const dispatcher = new Agent({ connect: { ca: ca.certPem } });

  return {
    issuer,
    caCertPem: ca.certPem,
    certificateAuthority: ca,
    dispatcher,
    discoveryUrl: `${origin}${discoveryPath}`,
    jwksUri: `${origin}${jwksPath}`,
    get currentKid() {
      return signing.kid;
    },
    requests,
    async issueToken(claims, tokenOptions = {}) {
      const nowSeconds = Math.floor(now() / 1000);
      const issuedAt = tokenOptions.issuedAt ?? nowSeconds;
      const payload = {
        iss: issuer,
        iat: issuedAt,
        nbf: tokenOptions.notBefore ?? issuedAt,
        exp: nowSeconds + (tokenOptions.expiresInSeconds ?? 3600),
        jti: randomUUID(),
        ...claims,
      };
      const header: Record<string, unknown> = {
        alg: keyAlg,
        typ: 'JWT',
        kid: tokenOptions.kid ?? signing.kid,
        ...tokenOptions.header,
      };
      for (const [name, value] of Object.entries(header)) if (value === undefined) delete header[name];
      return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(signing.privateKey);
    },
    async rotateKeys(rotateOptions = {}) {
      signing = await createSigningKey(keyAlg, kidStyle);
      published = rotateOptions.keepOld ? [...published, signing.publicJwk] : [signing.publicJwk];
    },
    setFault(nextFault, nextOptions = {}) {
      fault = nextFault;
      faultOptions = nextOptions;
    },
    setOverrides(next) {
      overrides = next ?? {};
    },
    async close() {
      for (const timer of timers) clearInterval(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await dispatcher.destroy();
    },
  };
}
