/**
 * OIDC discovery for an external issuer and validation of its published signing keys (JWKS).
 * Every check fails closed: a document that is odd in any security-relevant way is refused as a whole.
 * @module
 */
import { createPublicKey } from 'node:crypto';
import { ASSERTION_ALGORITHMS, type AssertionAlgorithm } from '@credless/core';
import type { JWK } from 'jose';
import { type FetchCappedJsonOptions, fetchCappedJson, IssuerFetchError } from './fetch-capped-json.ts';

/** The same allow-list the token path applies to assertion headers. */
export const SUPPORTED_ALGORITHMS = ASSERTION_ALGORITHMS;
export type SupportedAlgorithm = AssertionAlgorithm;

export const MAX_JWKS_KEYS = 100;
const MIN_RSA_MODULUS_BITS = 2048;
/** Larger moduli only cost verification time; no real issuer uses them. */
const MAX_RSA_MODULUS_BITS = 8192;
const MAX_KID_LENGTH = 1024;
/** Members that only a private or symmetric key has; their presence means the publisher leaked a secret. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const CURVE_ALGORITHM: Record<string, SupportedAlgorithm> = {
  'P-256': 'ES256',
  'P-384': 'ES384',
  'P-521': 'ES512',
};

/** A published key that passed validation; `jwk` holds the public members only. */
export interface IssuerPublicKey {
  kid: string;
  kty: 'RSA' | 'EC';
  crv?: string;
  /** The `alg` the issuer pinned this key to, if any. */
  alg?: string;
  jwk: JWK;
}

export interface IssuerKeySet {
  jwksUri: string;
  keys: IssuerPublicKey[];
  /** How many published keys were ignored as unusable (for diagnostics). */
  skippedKeys: number;
}

export const isSupportedAlgorithm = (alg: string): alg is SupportedAlgorithm =>
  (SUPPORTED_ALGORITHMS as readonly string[]).includes(alg);

/** True when `alg` may be verified with `key`: RSA for RS and PS, the matching curve for ES, and a pinned alg must agree. */
export function isAlgorithmCompatible(key: IssuerPublicKey, alg: string): boolean {
  if (!isSupportedAlgorithm(alg)) return false;
  if (key.alg !== undefined && key.alg !== alg) return false;
  if (key.kty === 'RSA') return alg.startsWith('RS') || alg.startsWith('PS');
  return key.crv !== undefined && CURVE_ALGORITHM[key.crv] === alg;
}

/** `${issuer}/.well-known/openid-configuration` without doubling a trailing slash (AKS issuers end with '/'). */
export function discoveryUrl(issuer: string): string {
  return `${issuer.endsWith('/') ? issuer.slice(0, -1) : issuer}/.well-known/openid-configuration`;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

/** Checks the discovery document names exactly this issuer and returns its https `jwks_uri`. */
export function parseDiscoveryDocument(issuer: string, document: unknown): string {
  if (!isRecord(document)) throw new IssuerFetchError('discovery document is not a JSON object');
  if (document['issuer'] !== issuer)
    throw new IssuerFetchError('discovery document names a different issuer');
  const jwksUri = document['jwks_uri'];
  if (typeof jwksUri !== 'string') throw new IssuerFetchError('discovery document has no jwks_uri');
  if (!isHttpsUrl(jwksUri)) throw new IssuerFetchError('discovery jwks_uri is not https');
  return jwksUri;
}

const isBase64url = (value: unknown): value is string =>
  typeof value === 'string' && /^[A-Za-z0-9_-]+$/.test(value);

/** Returns the usable public key, or undefined when the entry is well-formed but unusable for us. */
function toUsableKey(entry: Record<string, unknown>): IssuerPublicKey | undefined {
  const { kid, kty, use, alg, key_ops: keyOps } = entry;
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH) return undefined;
  if (use !== undefined && use !== 'sig') return undefined;
  if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.includes('verify'))) return undefined;
  if (alg !== undefined && (typeof alg !== 'string' || !isSupportedAlgorithm(alg))) return undefined;

  let jwk: JWK;
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
  if (kty === 'EC') key.crv = jwk.crv as string;
  if (typeof alg === 'string') key.alg = alg;
  if (key.alg !== undefined && !isAlgorithmCompatible(key, key.alg)) return undefined;
  return key;
}

/** Validates a JWKS document. Throws for a dangerous or useless set; skips individual unusable keys. */
export function parseJwks(document: unknown): { keys: IssuerPublicKey[]; skippedKeys: number } {
  if (!isRecord(document) || !Array.isArray(document['keys']))
    throw new IssuerFetchError('JWKS has no keys array');
  const entries: unknown[] = document['keys'];
  if (entries.length > MAX_JWKS_KEYS) throw new IssuerFetchError(`JWKS has more than ${MAX_JWKS_KEYS} keys`);
  const keys: IssuerPublicKey[] = [];
  for (const entry of entries) {
    if (!isRecord(entry)) throw new IssuerFetchError('JWKS entry is not a JSON object');
    if (entry['kty'] === 'oct') throw new IssuerFetchError('JWKS contains a symmetric key');
    if (PRIVATE_MEMBERS.some((member) => member in entry)) {
      throw new IssuerFetchError('JWKS contains private key material');
    }
    const key = toUsableKey(entry);
    if (key) keys.push(key);
  }
  if (keys.length === 0) throw new IssuerFetchError('JWKS has no usable signing key');
  return { keys, skippedKeys: entries.length - keys.length };
}

/** Discovery, then the JWKS it names; every failure is an IssuerFetchError whose reason says which step failed. */
export async function fetchIssuerKeySet(
  issuer: string,
  options: FetchCappedJsonOptions,
): Promise<IssuerKeySet> {
  const issuerUrl = URL.canParse(issuer) ? new URL(issuer) : undefined;
  if (issuerUrl?.protocol !== 'https:') throw new IssuerFetchError('issuer is not an https URL');
  if (issuerUrl.search || issuerUrl.hash) {
    throw new IssuerFetchError('issuer must not have a query or fragment');
  }

  const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof IssuerFetchError) throw new IssuerFetchError(`${name}: ${error.reason}`);
      throw error;
    }
  };
  const jwksUri = await step('discovery', async () =>
    parseDiscoveryDocument(issuer, await fetchCappedJson(discoveryUrl(issuer), options)),
  );
  const { keys, skippedKeys } = await step('jwks', async () =>
    parseJwks(await fetchCappedJson(jwksUri, options)),
  );
  return { jwksUri, keys, skippedKeys };
}
