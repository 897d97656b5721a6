/**
 * Pre-generating the client assertions (RS256, one distinct jti each) before any timed run: signing
 * in the load generator during a run would take CPU from the server under test.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

export interface GenerateOptions {
  label: string;
  count: number;
  /** Signs assertion number `index`; must give each one a distinct jti. */
  sign: (index: number) => Promise<string>;
  /** Signatures in flight at once (WebCrypto signs on the libuv pool, so this uses every core). */
  concurrency?: number;
  progress?: (line: string, done: boolean) => void;
}

export async function generateAssertions(options: GenerateOptions): Promise<string[]> {
  const concurrency = options.concurrency ?? 64;
  const out: string[] = new Array(options.count);
  const started = performance.now();
  let next = 0;
  let finished = 0;
  let lastReport = 0;
  const report = (done: boolean) => {
    const seconds = (performance.now() - started) / 1000;
    const rate = finished / Math.max(seconds, 0.001);
    const percent = ((finished / options.count) * 100).toFixed(0).padStart(3);
    options.progress?.(
      `  ${options.label}: ${finished}/${options.count} (${percent}%) ${rate.toFixed(0)}/s ${seconds.toFixed(1)} s`,
      done,
    );
  };
  const worker = async () => {
    while (next < options.count) {
      const index = next++;
      out[index] = await options.sign(index);
      finished++;
      const now = performance.now();
      if (now - lastReport > 250) {
        lastReport = now;
        report(false);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, options.count) }, worker));
  report(true);
  if (new Set(out).size !== out.length) throw new Error(`${options.label}: duplicate assertions generated`);
  return out;
}

/** A private_key_jwt client assertion for node-oidc-provider: iss = sub = client_id, aud = token endpoint. */
export function signClientAssertion(options: {
  clientId: string;
  audience: string;
  privateKey: CryptoKey;
  kid: string;
  lifetimeSeconds?: number;
}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: options.kid })
    .setIssuer(options.clientId)
    .setSubject(options.clientId)
    .setAudience(options.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.lifetimeSeconds ?? 3600))
    .sign(options.privateKey);
}

/** The form body of a client_credentials request carrying `assertion`. */
export function tokenRequestBody(assertion: string, fields: Record<string, string>): string {
  return new URLSearchParams({
    grant_type: 'client_credentials',
    ...fields,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
  }).toString();
}
