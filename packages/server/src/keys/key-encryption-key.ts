/**
 * The key-encryption key (KEK) protects token-signing private keys at rest: they are stored only as
 * compact JWEs (`dir` + `A256GCM`). The KEK comes from `CREDLESS_KEK` or from `<dataDir>/kek`, which is
 * generated on first use and must stay private to its owner.
 * @module
 */
import type { webcrypto } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CredlessError } from '@credless/core';
import { CompactEncrypt, compactDecrypt } from 'jose';

const KEK_BYTES = 32;
const BASE64_OR_BASE64URL = /^[A-Za-z0-9+/_-]+={0,2}$/;
const isWindows = process.platform === 'win32';

export async function loadKeyEncryptionKey(options: { dataDir: string; env?: string }): Promise<Uint8Array> {
  if (options.env !== undefined && options.env.trim() !== '') {
    const kek = decodeKek(options.env);
    if (!kek) {
      // Never echo the value: it is a secret, possibly only slightly mistyped.
      throw new CredlessError('kek_invalid', { bytes: KEK_BYTES });
    }
    return kek;
  }
  return loadOrCreateKekFile(join(options.dataDir, 'kek'));
}

/** Encrypts a private JWK with the KEK as a compact JWE (alg `dir`, enc `A256GCM`). */
export async function encryptPrivateJwk(jwk: webcrypto.JsonWebKey, kek: Uint8Array): Promise<string> {
  const plaintext = new TextEncoder().encode(JSON.stringify(jwk));
  return new CompactEncrypt(plaintext)
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', cty: 'jwk+json' })
    .encrypt(kek);
}

/** The stored key was encrypted with another key-encryption key (or its ciphertext was altered). */
export class KeyEncryptionKeyMismatchError extends Error {
  override readonly name = 'KeyEncryptionKeyMismatchError';
}

/** Decrypts what {@link encryptPrivateJwk} produced; throws a clear error when the KEK does not match. */
export async function decryptPrivateJwk(jwe: string, kek: Uint8Array): Promise<webcrypto.JsonWebKey> {
  let plaintext: Uint8Array;
  try {
    ({ plaintext } = await compactDecrypt(jwe, kek, {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    }));
  } catch (error) {
    throw new KeyEncryptionKeyMismatchError(
      'Cannot decrypt a stored signing key: the key-encryption key does not match the one it was encrypted ' +
        'with (was CREDLESS_KEK or the kek file changed?)',
      { cause: error },
    );
  }
  return JSON.parse(new TextDecoder().decode(plaintext)) as webcrypto.JsonWebKey;
}

function decodeKek(encoded: string): Uint8Array | undefined {
  const text = encoded.trim();
  if (!BASE64_OR_BASE64URL.test(text)) return undefined;
  const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === KEK_BYTES ? new Uint8Array(bytes) : undefined;
}

async function loadOrCreateKekFile(path: string): Promise<Uint8Array> {
  const existing = await readKekFile(path);
  if (existing) return existing;
  await createKekFile(path);
  const created = await readKekFile(path);
  if (!created) throw new Error(`The key-encryption key file ${path} vanished right after it was created`);
  return created;
}

async function readKekFile(path: string): Promise<Uint8Array | undefined> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (!isWindows && (mode & 0o077) !== 0) {
    throw new CredlessError('kek_file_insecure', { path });
  }
  const kek = decodeKek(await readFile(path, 'utf8'));
  if (!kek) {
    throw new CredlessError('kek_file_invalid', { path, bytes: KEK_BYTES });
  }
  return kek;
}

/**
 * Writes a fresh KEK to a private temporary file and hard-links it into place: the link fails if another
 * process won the race, and nobody ever reads a half-written file.
 */
async function createKekFile(path: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, `${randomBytes(KEK_BYTES).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temp).catch(() => {});
  }
}
