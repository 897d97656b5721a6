/**
 * Validation of an issuer's published signing keys (JWKS), the same for a fetched set and a pinned one.
 * Fails closed: a set that is odd in any security-relevant way is refused as a whole; a well-formed key
 * we cannot use is skipped and counted.
 * @module
 */
import { createPublicKey } from 'node:crypto';
import { ASSERTION_ALGORITHMS, type AssertionAlgorithm } from '../token/assertion-structure.ts';

export const MAX_JWKS_KEYS = 100;
const MIN_RSA_MODULUS_BITS = 2048;
/** Larger moduli only cost verification time; no real issuer uses them. */
const MAX_RSA_MODULUS_BITS = 8192;
const MAX_KID_LENGTH = 1024;
/** Members that only a private or symmetric key has; their presence means the publisher leaked a secret. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const CURVE_ALGORITHM: Record<string, AssertionAlgorithm> = {
  'P-256': 'ES256',
  'P-384': 'ES384',
  'P-521': 'ES512',
};

/** The public members of an RSA or EC key. */
export type PublicJwk =
  | { kty: 'RSA'; n: string; e: string }
  | { kty: 'EC'; crv: string; x: string; y: string };

/** A published key that passed validation; `jwk` holds the public members only. */
export interface IssuerPublicKey {
  kid: string;
  kty: 'RSA' | 'EC';
  crv?: string;
  /** The `alg` the issuer pinned this key to, if any. */
  alg?: string;
  jwk: PublicJwk;
}

/** The usable keys of a JWKS, or why the whole set is refused. */
export type JwksReading = { keys: IssuerPublicKey[]; skippedKeys: number } | { problem: string };

/** The same allow-list the token path applies to assertion headers. */
export const isSupportedAlgorithm = (alg: string): alg is AssertionAlgorithm =>
  (ASSERTION_ALGORITHMS as readonly string[]).includes(alg);

/** True when `alg` may be verified with `key`: RSA for RS and PS, the matching curve for ES, and a pinned alg must agree. */
export function isAlgorithmCompatible(key: IssuerPublicKey, alg: string): boolean {
  if (!isSupportedAlgorithm(alg)) return false;
  if (key.alg !== undefined && key.alg !== alg) return false;
  if (key.kty === 'RSA') return alg.startsWith('RS') || alg.startsWith('PS');
  return key.crv !== undefined && CURVE_ALGORITHM[key.crv] === alg;
}

/** Validates a JWKS document: its usable keys, or the problem that refuses the whole set. */
export function readJwks(document: unknown): JwksReading {
  if (!isRecord(document) || !Array.isArray(document['keys'])) return { problem: 'JWKS has no keys array' };
  const entries: unknown[] = document['keys'];
  if (entries.length > MAX_JWKS_KEYS) return { problem: `JWKS has more than ${MAX_JWKS_KEYS} keys` };
  const keys: IssuerPublicKey[] = [];
  for (const entry of entries) {
    if (!isRecord(entry)) return { problem: 'JWKS entry is not a JSON object' };
    if (entry['kty'] === 'oct') return { problem: 'JWKS contains a symmetric key' };
    if (PRIVATE_MEMBERS.some((member) => member in entry)) {
      return { problem: 'JWKS contains private key material' };
    }
    const key = toUsableKey(entry);
    if (key) keys.push(key);
  }
  if (keys.length === 0) return { problem: 'JWKS has no usable signing key' };
  return { keys, skippedKeys: entries.length - keys.length };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isBase64url = (value: unknown): value is string =>
  typeof value === 'string' && /^[A-Za-z0-9_-]+$/.test(value);

/** Returns the usable public key, or undefined when the entry is well-formed but unusable for us. */
function toUsableKey(entry: Record<string, unknown>): IssuerPublicKey | undefined {
  const { kid, kty, use, alg, key_ops: keyOps } = entry;
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH) return undefined;
  if (use !== undefined && use !== 'sig') return undefined;
  if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.includes('verify'))) return undefined;
  if (alg !== undefined && (typeof alg !== 'string' || !isSupportedAlgorithm(alg))) return undefined;

  let jwk: PublicJwk;
  if (kty === 'RSA') {
    if (!isBase64url(entry['n']) || !isBase64url(entry['e'])) return undefined;
    jwk = { kty, n: entry['n'], e: entry['e'] };
  } else if (kty === 'EC') {
    const crv = entry['crv'];
    if (typeof crv !== 'string' || !(crv in CURVE_ALGORITHM)) return undefined;
    if (!isBase64url(entry['x']) || !isBase64url(entry['y'])) return undefined;
    jwk = { kty, crv, x: entry['x'], y: entry['y'] };
  } else {
    return undefined;
  }

  // Node parses the key the way verification will: it rejects EC points off the curve and reports RSA sizes.
  let details: ReturnType<typeof createPublicKey>['asymmetricKeyDetails'];
  try {
    details = createPublicKey({ key: jwk, format: 'jwk' }).asymmetricKeyDetails;
  } catch {
    return undefined;
  }
  if (kty === 'RSA') {
    const bits = details?.modulusLength ?? 0;
    if (bits < MIN_RSA_MODULUS_BITS || bits > MAX_RSA_MODULUS_BITS) return undefined;
    // Every real issuer uses 65537; e = 1 (or tiny exponents) would make signatures forgeable or weak.
    if (details?.publicExponent !== 65537n) return undefined;
  }

  const key: IssuerPublicKey = { kid, kty, jwk };
  if (jwk.kty === 'EC') key.crv = jwk.crv;
  if (typeof alg === 'string') key.alg = alg;
  if (key.alg !== undefined && !isAlgorithmCompatible(key, key.alg)) return undefined;
  return key;
}
