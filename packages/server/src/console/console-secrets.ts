/**
 * The console's bearer secrets (sign-in codes, session cookies, CSRF tokens): 256 random bits,
 * base64url. Kept in memory only as their SHA-256, so a heap dump or a debug print of the maps shows
 * nothing a browser could present.
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 43 base64url characters: what a presented secret must look like before it is even hashed. */
export const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export const newSecret = (): string => randomBytes(32).toString('base64url');

export const secretDigest = (secret: string): string =>
  createHash('sha256').update(secret).digest('base64url');

/** Constant-time comparison of a presented secret with the expected one. */
export function sameSecret(presented: string | undefined, expected: string): boolean {
  if (presented === undefined || !SECRET_SHAPE.test(presented)) return false;
  return timingSafeEqual(Buffer.from(presented), Buffer.from(expected));
}
