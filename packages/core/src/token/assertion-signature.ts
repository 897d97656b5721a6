/**
 * Verifying a client assertion's signature with a key chosen from the issuer's metadata. The
 * algorithm was allow-listed by `peekAssertion`; here it must also fit the key (RSA for RS and PS, the
 * matching curve for ES), so a key can never be used with an algorithm it was not published for.
 *
 * Why node:crypto and not jose's compactVerify: jose 6 verifies through WebCrypto, whose per-call
 * set-up on the main thread cost more than the verification itself. A public-key verification is
 * cheap (RSA-2048 about 20 µs, P-256 about 55 µs), cheaper than handing a job to the thread pool, so it
 * runs inline. The compact structure was already checked (canonical base64url, no `crit`/`b64`), so
 * what remains is exactly one primitive call per algorithm, below.
 * @module
 */
import { Buffer } from 'node:buffer';
import { constants, KeyObject, verify } from 'node:crypto';
import type { AssertionAlgorithm } from './assertion-structure.ts';

interface AlgorithmParameters {
  digest: 'sha256' | 'sha384' | 'sha512';
  keyType: 'rsa' | 'ec';
  /** RSASSA-PSS with a salt as long as the digest (RFC 7518 §3.5). */
  pss?: { saltLength: number };
  /** JOSE ECDSA signatures are r‖s of fixed length (RFC 7518 §3.4). */
  curve?: { name: string; signatureBytes: number };
}

const ALGORITHMS: Record<AssertionAlgorithm, AlgorithmParameters> = {
  RS256: { digest: 'sha256', keyType: 'rsa' },
  RS384: { digest: 'sha384', keyType: 'rsa' },
  RS512: { digest: 'sha512', keyType: 'rsa' },
  PS256: { digest: 'sha256', keyType: 'rsa', pss: { saltLength: 32 } },
  PS384: { digest: 'sha384', keyType: 'rsa', pss: { saltLength: 48 } },
  PS512: { digest: 'sha512', keyType: 'rsa', pss: { saltLength: 64 } },
  ES256: { digest: 'sha256', keyType: 'ec', curve: { name: 'prime256v1', signatureBytes: 64 } },
  ES384: { digest: 'sha384', keyType: 'ec', curve: { name: 'secp384r1', signatureBytes: 96 } },
  ES512: { digest: 'sha512', keyType: 'ec', curve: { name: 'secp521r1', signatureBytes: 132 } },
};

const keyObjects = new WeakMap<CryptoKey, KeyObject>();

function toKeyObject(key: CryptoKey | KeyObject): KeyObject {
  if (key instanceof KeyObject) return key;
  let converted = keyObjects.get(key);
  if (!converted) {
    converted = KeyObject.from(key);
    keyObjects.set(key, converted);
  }
  return converted;
}

/** Why a key cannot verify this algorithm, or undefined when it fits. */
export function keyMismatch(alg: AssertionAlgorithm, key: CryptoKey | KeyObject): string | undefined {
  const keyObject = toKeyObject(key);
  const parameters = ALGORITHMS[alg];
  if (keyObject.type !== 'public') return 'the verification key is not a public key';
  if (keyObject.asymmetricKeyType !== parameters.keyType) {
    return `a ${keyObject.asymmetricKeyType ?? 'symmetric'} key cannot verify ${alg}`;
  }
  if (parameters.curve && keyObject.asymmetricKeyDetails?.namedCurve !== parameters.curve.name) {
    return `${alg} needs a ${parameters.curve.name} key`;
  }
  return undefined;
}

/** True when `compact` (a structurally checked JWS) carries a valid signature by `key` under `alg`. */
export async function verifyAssertionSignature(
  compact: string,
  alg: AssertionAlgorithm,
  key: CryptoKey | KeyObject,
): Promise<boolean> {
  if (keyMismatch(alg, key) !== undefined) return false;
  const parameters = ALGORITHMS[alg];
  const lastDot = compact.lastIndexOf('.');
  const signature = Buffer.from(compact.slice(lastDot + 1), 'base64url');
  if (parameters.curve && signature.length !== parameters.curve.signatureBytes) return false;
  const signingInput = Buffer.from(compact.slice(0, lastDot));
  const keyObject = toKeyObject(key);
  const verifyKey = parameters.pss
    ? { key: keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: parameters.pss.saltLength }
    : parameters.curve
      ? { key: keyObject, dsaEncoding: 'ieee-p1363' as const }
      : keyObject;
  try {
    return verify(parameters.digest, signingInput, verifyKey, signature);
  } catch {
    // OpenSSL refuses malformed signatures (wrong length, out-of-range integers) with an error.
    return false;
  }
}
