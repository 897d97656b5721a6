/**
 * Structural checks on a client assertion before any key is looked up: size, compact JWS shape,
 * canonical base64url, JSON objects, an allowed algorithm and no header that names its own key.
 * The issuer read here is only a hint for choosing candidate credentials; the signature is verified
 * over these same bytes afterwards, so what is peeked is what is verified.
 * @module
 */
import { Buffer } from 'node:buffer';
import { CredlessError } from '../errors/index.ts';

export const ASSERTION_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
] as const;
export type AssertionAlgorithm = (typeof ASSERTION_ALGORITHMS)[number];

export const DEFAULT_MAX_ASSERTION_LENGTH = 16 * 1024;
const MAX_KID_LENGTH = 256;
/** Header parameters that would let a token choose its own verification key. */
const KEY_BEARING_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'] as const;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export interface PeekedAssertion {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  alg: AssertionAlgorithm;
  kid: string | undefined;
  issuer: string;
}

const malformed = (reason: string) => new CredlessError('assertion_malformed', { reason });
const rejectedSignature = (reason: string) => new CredlessError('assertion_signature_invalid', { reason });

/** Value of a base64url character (the alphabet was checked). */
function sextet(code: number): number {
  if (code >= 97) return code - 71; // a-z
  if (code >= 65) return code - 65; // A-Z
  if (code >= 48 && code <= 57) return code + 4; // 0-9
  return code === 45 ? 62 : 63; // '-' or '_'
}

/**
 * Whether decoding and re-encoding would give `segment` back: a lone last character (length 4n+1)
 * or set bits after the last whole byte decode to the same bytes as another text. Same verdict as the
 * round trip, without encoding every segment a second time.
 */
function isCanonicalBase64url(segment: string): boolean {
  const rest = segment.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const unusedBits = rest === 2 ? 0b1111 : 0b11;
  return (sextet(segment.charCodeAt(segment.length - 1)) & unusedBits) === 0;
}

function decodeSegment(segment: string, what: string): Buffer {
  if (!BASE64URL.test(segment)) throw malformed(`the ${what} is not base64url (no padding, no '+' or '/')`);
  // Non-canonical encodings (stray trailing bits) decode to the same bytes; refuse them.
  if (!isCanonicalBase64url(segment)) throw malformed(`the ${what} is not canonical base64url`);
  return Buffer.from(segment, 'base64url');
}

function parseJsonObject(bytes: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw malformed(`the ${what} is not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw malformed(`the ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

const isAllowedAlgorithm = (alg: unknown): alg is AssertionAlgorithm =>
  typeof alg === 'string' && (ASSERTION_ALGORITHMS as readonly string[]).includes(alg);

export function peekAssertion(assertion: string, maxLength = DEFAULT_MAX_ASSERTION_LENGTH): PeekedAssertion {
  if (assertion.length > maxLength) throw malformed(`the assertion is longer than ${maxLength} characters`);
  const segments = assertion.split('.');
  if (segments.length === 5) throw malformed('encrypted assertions (JWE) are not accepted');
  if (segments.length !== 3) throw malformed('expected a compact JWS with three segments');
  const [headerSegment, payloadSegment, signatureSegment] = segments as [string, string, string];

  const header = parseJsonObject(decodeSegment(headerSegment, 'header'), 'header');
  if (header['alg'] === 'none' || signatureSegment.length === 0) {
    throw rejectedSignature("unsigned assertions (alg 'none') are not accepted");
  }
  if (!isAllowedAlgorithm(header['alg'])) {
    throw rejectedSignature(
      `algorithm '${String(header['alg']).slice(0, 20)}' is not accepted; use one of ${ASSERTION_ALGORITHMS.join(', ')}`,
    );
  }
  for (const name of KEY_BEARING_HEADERS) {
    if (name in header) {
      throw rejectedSignature(
        `header parameter '${name}' is not accepted; keys come only from the issuer's metadata`,
      );
    }
  }
  if ('crit' in header) throw rejectedSignature("header parameter 'crit' is not supported");
  if ('b64' in header) throw rejectedSignature("header parameter 'b64' is not supported");
  if ('enc' in header || 'zip' in header) throw malformed('encrypted assertions (JWE) are not accepted');
  const kid = header['kid'];
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH)) {
    throw malformed(`'kid' must be a string of 1-${MAX_KID_LENGTH} characters`);
  }
  decodeSegment(signatureSegment, 'signature');

  const payload = parseJsonObject(decodeSegment(payloadSegment, 'payload'), 'payload');
  const issuer = payload['iss'];
  if (typeof issuer !== 'string' || issuer.length === 0)
    throw malformed("the 'iss' claim must be a non-empty string");
  return { header, payload, alg: header['alg'], kid, issuer };
}
