/**
 * Client secrets: generation, the stored hash (scrypt with a per-secret salt, compared in constant
 * time) and the token path's verifier.
 *
 * scrypt is deliberately slow (about 50 ms and 16 MiB here), which would cap secret sign-ins at a few
 * dozen a second per core. So a verified secret is remembered in memory under an HMAC of (application,
 * secret) with a key that lives only in this process: a repeat sign-in costs one HMAC, the cache holds
 * nothing that verifies a secret outside this process, and an entry counts only while the application
 * still holds the same credential (same keyId and hash, still current), so removing a secret takes
 * effect as soon as the directory cache reloads. Wrong secrets are never cached: each costs a full
 * scrypt, and the hint (first three characters, shown by Graph anyway) limits which hashes are tried.
 * @module
 */
import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { Application, ClientSecretVerifier, StoredPasswordCredential } from '@credless/core';

const SCRYPT = { N: 16_384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;
/** Entra's secrets are 40 characters; 30 random bytes in base64url are too. */
const SECRET_BYTES = 30;
const HINT_LENGTH = 3;
const CACHE_MAX_ENTRIES = 10_000;

function derive(secret: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, KEY_LENGTH, { ...params, maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** A new random secret (shown to the caller once) and its hint. */
export function generateClientSecret(): { secretText: string; hint: string } {
  const secretText = randomBytes(SECRET_BYTES).toString('base64url');
  return { secretText, hint: secretText.slice(0, HINT_LENGTH) };
}

export async function hashClientSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(secret, salt, SCRYPT);
  return [
    'scrypt',
    SCRYPT.N,
    SCRYPT.r,
    SCRYPT.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

/** True when `secret` hashes to `stored`; false for a malformed stored value. */
export async function verifyClientSecretHash(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64url');
  if (expected.length !== KEY_LENGTH) return false;
  const actual = await derive(secret, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(actual, expected);
}

const isCurrent = (credential: StoredPasswordCredential, now: number): boolean =>
  Date.parse(credential.startDateTime) <= now && now < Date.parse(credential.endDateTime);

/** The token path's verifier; one per process. */
export class CachedClientSecretVerifier implements ClientSecretVerifier {
  readonly #cacheKey = randomBytes(32);
  /** HMAC(application id, secret) → the credential it verified against (keyId and hash). */
  readonly #verified = new Map<string, { keyId: string; secretHash: string }>();

  async verify(
    application: Application,
    secret: string,
    now: number,
  ): Promise<StoredPasswordCredential | undefined> {
    const current = (application.passwordCredentials ?? []).filter((credential) =>
      isCurrent(credential, now),
    );
    if (current.length === 0) return undefined;
    const key = createHmac('sha256', this.#cacheKey)
      .update(application.id)
      .update('\0')
      .update(secret)
      .digest('base64');
    const remembered = this.#verified.get(key);
    if (remembered) {
      const still = current.find(
        (credential) =>
          credential.keyId === remembered.keyId && credential.secretHash === remembered.secretHash,
      );
      if (still) return still;
      this.#verified.delete(key);
    }
    for (const credential of current) {
      if (credential.hint !== secret.slice(0, HINT_LENGTH)) continue;
      if (await verifyClientSecretHash(secret, credential.secretHash)) {
        this.#remember(key, credential);
        return credential;
      }
    }
    return undefined;
  }

  #remember(key: string, credential: StoredPasswordCredential): void {
    // Oldest first out: Map keeps insertion order.
    if (this.#verified.size >= CACHE_MAX_ENTRIES) {
      const oldest = this.#verified.keys().next().value;
      if (oldest !== undefined) this.#verified.delete(oldest);
    }
    this.#verified.set(key, { keyId: credential.keyId, secretHash: credential.secretHash });
  }
}
