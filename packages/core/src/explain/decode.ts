/**
 * Reading a token for a dry run: the same structural checks the exchange applies (peekAssertion),
 * but a token that fails them is still decoded when its payload is readable, so the explanation can
 * show both the structural problem and the claim diff. Nothing here trusts the token.
 * @module
 */
import { Buffer } from 'node:buffer';
import type { KeyObject } from 'node:crypto';
import { CredlessError } from '../errors/index.ts';
import { keyMismatch, verifyAssertionSignature } from '../token/assertion-signature.ts';
import {
  type AssertionAlgorithm,
  DEFAULT_MAX_ASSERTION_LENGTH,
  type PeekedAssertion,
  peekAssertion,
} from '../token/assertion-structure.ts';

export interface DecodedToken {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** Present when the token passes the exchange's structural checks (so its signature can be checked). */
  peeked?: PeekedAssertion;
  /** Why the exchange would refuse the token's structure; absent when it would not. */
  structureProblem?: string;
}

function decodeJsonSegment(segment: string | undefined): Record<string, unknown> | undefined {
  if (segment === undefined || !/^[A-Za-z0-9_-]*$/.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Throws `assertion_malformed` only when not even the payload can be read. */
export function decodeTokenForExplanation(
  token: string,
  maxLength = DEFAULT_MAX_ASSERTION_LENGTH,
): DecodedToken {
  const text = token.trim();
  if (text.length > maxLength) {
    throw new CredlessError('assertion_malformed', {
      reason: `the assertion is longer than ${maxLength} characters`,
    });
  }
  try {
    const peeked = peekAssertion(text, maxLength);
    return { header: peeked.header, payload: peeked.payload, peeked };
  } catch (error) {
    const structureProblem = error instanceof CredlessError ? error.message : 'the token cannot be read';
    const [headerSegment, payloadSegment] = text.split('.');
    const payload = decodeJsonSegment(payloadSegment);
    if (!payload) throw new CredlessError('assertion_malformed', { reason: 'the payload cannot be decoded' });
    return { header: decodeJsonSegment(headerSegment) ?? {}, payload, structureProblem };
  }
}

/** The signature check the exchange runs, with a key the caller fetched from the issuer's metadata. */
export async function checkTokenSignature(
  token: string,
  alg: AssertionAlgorithm,
  key: CryptoKey | KeyObject,
): Promise<{ verified: true } | { verified: false; reason: string }> {
  const mismatch = keyMismatch(alg, key);
  if (mismatch) return { verified: false, reason: mismatch };
  return (await verifyAssertionSignature(token.trim(), alg, key))
    ? { verified: true }
    : { verified: false, reason: 'the signature does not verify' };
}
