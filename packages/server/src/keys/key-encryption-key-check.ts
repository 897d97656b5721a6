/**
 * A start-up check that the key-encryption key opens the stored signing keys. With the wrong key the
 * server would otherwise answer ready and then fail every token request (AADSTS50000); refusing to
 * start says what is wrong where the operator looks.
 * @module
 */
import { join } from 'node:path';
import { CredlessError } from '@credless/core';
import { KeyEncryptionKeyMismatchError } from './key-encryption-key.ts';
import type { SigningKeyManager } from './signing-key-manager.ts';

export interface KeyEncryptionKeyCheckOptions {
  keys: Pick<SigningKeyManager, 'getActiveSigningKey'>;
  /** A tenant whose active key is decrypted (every stored key is encrypted with the same KEK). */
  tenantId: string;
  /** Where the KEK came from, for the message: the `CREDLESS_KEK` value, if set, else the kek file. */
  kekFromEnv: boolean;
  dataDir: string;
}

/** Throws an error naming the key mismatch and its source when the active signing key cannot be decrypted. */
export async function checkKeyEncryptionKey(options: KeyEncryptionKeyCheckOptions): Promise<void> {
  try {
    await options.keys.getActiveSigningKey(options.tenantId);
  } catch (error) {
    if (!(error instanceof KeyEncryptionKeyMismatchError)) throw error;
    const source = options.kekFromEnv ? 'CREDLESS_KEK' : `the key file ${join(options.dataDir, 'kek')}`;
    const fix = options.kekFromEnv
      ? 'set CREDLESS_KEK to the key used before'
      : 'restore that file from backup (or set CREDLESS_KEK to the key used before)';
    throw new CredlessError('kek_mismatch', { source, fix }, { cause: error });
  }
}
