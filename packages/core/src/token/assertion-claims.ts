/**
 * Claim checks on a client assertion whose signature has been verified: types of sub/aud and the time
 * window. Time values must be finite numbers; `exp` is required.
 * @module
 */
import { CredlessError } from '../errors/index.ts';

export interface AssertionIdentity {
  issuer: string;
  subject: string;
  audiences: string[];
}

export const DEFAULT_CLOCK_SKEW_SECONDS = 30;

const malformed = (reason: string) => new CredlessError('assertion_malformed', { reason });

/** Entra's time format in AADSTS700024: `2026-11-29T03:04:05.0000000Z`. */
export function formatEntraInstant(seconds: number): string {
  const instant = new Date(seconds * 1000);
  // A finite claim can still lie beyond Date's range; show it raw rather than throw a RangeError (a 500).
  if (Number.isNaN(instant.getTime())) return String(seconds);
  return instant.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

function readTime(payload: Record<string, unknown>, claim: 'exp' | 'nbf' | 'iat'): number | undefined {
  const value = payload[claim];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw malformed(`the '${claim}' claim must be a number`);
  return value;
}

export function readAssertionIdentity(payload: Record<string, unknown>): AssertionIdentity {
  const issuer = payload['iss'];
  const subject = payload['sub'];
  if (typeof issuer !== 'string' || issuer.length === 0)
    throw malformed("the 'iss' claim must be a non-empty string");
  if (typeof subject !== 'string' || subject.length === 0)
    throw malformed("the 'sub' claim must be a non-empty string");
  const aud = payload['aud'];
  const audiences = typeof aud === 'string' ? [aud] : aud;
  if (!Array.isArray(audiences) || audiences.length === 0) {
    throw malformed("the 'aud' claim must be a string or a non-empty array of strings");
  }
  if (!audiences.every((entry): entry is string => typeof entry === 'string' && entry.length > 0)) {
    throw malformed("the 'aud' claim must be a string or a non-empty array of strings");
  }
  return { issuer, subject, audiences };
}

/** Throws `assertion_time_invalid` unless nbf − skew ≤ now ≤ exp + skew and iat is not in the future. */
export function checkAssertionTimes(
  payload: Record<string, unknown>,
  nowSeconds: number,
  skewSeconds = DEFAULT_CLOCK_SKEW_SECONDS,
): void {
  const exp = readTime(payload, 'exp');
  const nbf = readTime(payload, 'nbf');
  const iat = readTime(payload, 'iat');
  if (exp === undefined) throw malformed("the 'exp' claim is required");
  const validFrom = nbf ?? iat;
  const outOfRange =
    nowSeconds > exp + skewSeconds ||
    (nbf !== undefined && nowSeconds < nbf - skewSeconds) ||
    (iat !== undefined && nowSeconds < iat - skewSeconds);
  if (outOfRange) {
    throw new CredlessError('assertion_time_invalid', {
      now: formatEntraInstant(nowSeconds),
      validFrom: validFrom === undefined ? 'unspecified' : formatEntraInstant(validFrom),
      expiry: formatEntraInstant(exp),
    });
  }
}
