/**
 * Benchmark child: the bare ceiling. node:https + jose and nothing else: parse the form, verify the
 * assertion with a cached public key, sign an RS256 JWT with a cached private key, answer JSON. No
 * routing, no storage, no claims logic. Prints {url, caCertPem} once listening (HTTPS unless
 * BENCH_PROTOCOL=http).
 *
 * Environment: BENCH_VERIFY_JWK (public JWK of the assertion signer), BENCH_ISSUER, BENCH_AUDIENCE.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { generateKeyPair, importJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import { listen, requireEnv, serveUntilSignal } from './child-support.ts';

const verifyKey = await importJWK(JSON.parse(requireEnv('BENCH_VERIFY_JWK')) as JWK, 'RS256');
const issuer = requireEnv('BENCH_ISSUER');
const audience = requireEnv('BENCH_AUDIENCE');
const { privateKey } = await generateKeyPair('RS256');

const send = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

const handle = async (body: string, res: ServerResponse) => {
  const assertion = new URLSearchParams(body).get('client_assertion');
  if (!assertion) return send(res, 400, { error: 'invalid_request' });
  let subject: string | undefined;
  try {
    ({
      payload: { sub: subject },
    } = await jwtVerify(assertion, verifyKey, { issuer, audience }));
  } catch {
    return send(res, 401, { error: 'invalid_client' });
  }
  const now = Math.floor(Date.now() / 1000);
  const accessToken = await new SignJWT({ sub: subject, jti: randomUUID() })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer('https://ceiling.invalid/')
    .setAudience('https://graph.microsoft.com')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);
  send(res, 200, { token_type: 'Bearer', expires_in: 3599, access_token: accessToken });
};

const server = await listen('ceiling', (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    handle(Buffer.concat(chunks).toString(), res).catch(() => send(res, 500, { error: 'server_error' }));
  });
});

serveUntilSignal({ url: server.url, caCertPem: server.caCertPem }, () => server.close());
