import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import {
  decryptPrivateJwk,
  encryptPrivateJwk,
  loadKeyEncryptionKey,
} from '../../src/keys/key-encryption-key.ts';

const posixOnly = { skip: process.platform === 'win32' ? 'file modes are POSIX-only' : false };
const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'credless-kek-'));
  tempDirs.push(dir);
  return dir;
}
after(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

// 0xfb bytes encode to '+' and '/' in base64 and '-' and '_' in base64url, so both alphabets are exercised.
const KEK_BYTES = new Uint8Array(32).fill(0xfb);

describe('loadKeyEncryptionKey from CREDLESS_KEK', () => {
  test('accepts base64 and base64url of exactly 32 bytes, without touching the data dir', async () => {
    const dataDir = await tempDir();
    const base64 = Buffer.from(KEK_BYTES).toString('base64');
    const base64url = Buffer.from(KEK_BYTES).toString('base64url');
    assert.match(base64, /[+/]/);
    assert.match(base64url, /[-_]/);
    assert.deepEqual(await loadKeyEncryptionKey({ dataDir, env: base64 }), KEK_BYTES);
    assert.deepEqual(await loadKeyEncryptionKey({ dataDir, env: base64url }), KEK_BYTES);
    assert.deepEqual(await loadKeyEncryptionKey({ dataDir, env: `${base64url}\n` }), KEK_BYTES);
    await assert.rejects(stat(join(dataDir, 'kek')), { code: 'ENOENT' });
  });

  for (const [label, value] of [
    ['16 bytes', Buffer.alloc(16, 7).toString('base64')],
    ['33 bytes', Buffer.alloc(33, 7).toString('base64')],
    ['not base64', 'my very secret passphrase!!'],
    ['hex of 32 bytes', Buffer.alloc(32, 0xab).toString('hex')],
  ] as const) {
    test(`rejects ${label} with a message that explains the format and does not echo the value`, async () => {
      const dataDir = await tempDir();
      await assert.rejects(loadKeyEncryptionKey({ dataDir, env: value }), (error: Error) => {
        assert.match(
          error.message,
          /CREDLESS_KEK must be exactly 32 random bytes encoded as base64 or base64url/,
        );
        assert.ok(!error.message.includes(value), 'the secret value must not appear in the error');
        return true;
      });
    });
  }
});

describe('loadKeyEncryptionKey from the kek file', () => {
  test(
    'creates <dataDir>/kek with mode 0600 and returns the same key on later calls',
    posixOnly,
    async () => {
      const dataDir = join(await tempDir(), 'nested', 'data');
      const first = await loadKeyEncryptionKey({ dataDir });
      assert.equal(first.length, 32);
      const path = join(dataDir, 'kek');
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      assert.deepEqual(Buffer.from((await readFile(path, 'utf8')).trim(), 'base64url'), Buffer.from(first));
      assert.deepEqual(await loadKeyEncryptionKey({ dataDir }), first);
      assert.deepEqual(
        await loadKeyEncryptionKey({ dataDir, env: '' }),
        first,
        'an empty variable counts as unset',
      );
    },
  );

  test('concurrent first loads agree on one key', async () => {
    const dataDir = await tempDir();
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadKeyEncryptionKey({ dataDir })));
    for (const key of keys) assert.deepEqual(key, keys[0]);
  });

  test('two data dirs get different random keys', async () => {
    const a = await loadKeyEncryptionKey({ dataDir: await tempDir() });
    const b = await loadKeyEncryptionKey({ dataDir: await tempDir() });
    assert.notDeepEqual(a, b);
  });

  test('refuses a kek file readable by group or others and says how to fix it', posixOnly, async () => {
    const dataDir = await tempDir();
    const path = join(dataDir, 'kek');
    await writeFile(path, Buffer.from(KEK_BYTES).toString('base64url'), { mode: 0o644 });
    await assert.rejects(loadKeyEncryptionKey({ dataDir }), (error: Error) => {
      assert.ok(error.message.includes(`chmod 600 ${path}`), error.message);
      return true;
    });
  });

  test('refuses a kek file that does not hold 32 bytes', async () => {
    const dataDir = await tempDir();
    await writeFile(join(dataDir, 'kek'), 'short', { mode: 0o600 });
    await assert.rejects(loadKeyEncryptionKey({ dataDir }), /does not hold 32 bytes/);
  });
});

describe('encryptPrivateJwk / decryptPrivateJwk', () => {
  const rsaPrivateJwk = async () => {
    const pair = await crypto.subtle.generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        hash: 'SHA-256',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
      },
      true,
      ['sign', 'verify'],
    );
    return crypto.subtle.exportKey('jwk', pair.privateKey);
  };

  test('round-trips a private JWK as a dir/A256GCM compact JWE that hides the key', async () => {
    const jwk = await rsaPrivateJwk();
    const jwe = await encryptPrivateJwk(jwk, KEK_BYTES);
    assert.equal(jwe.split('.').length, 5);
    const header = decodeProtectedHeader(jwe);
    assert.equal(header.alg, 'dir');
    assert.equal(header.enc, 'A256GCM');
    assert.ok(jwk.d && !jwe.includes(jwk.d), 'the private exponent must not appear in the JWE');
    assert.deepEqual(await decryptPrivateJwk(jwe, KEK_BYTES), jwk);
  });

  test('fails clearly with a different KEK or a tampered JWE', async () => {
    const jwe = await encryptPrivateJwk(await rsaPrivateJwk(), KEK_BYTES);
    const otherKek = new Uint8Array(32).fill(1);
    await assert.rejects(decryptPrivateJwk(jwe, otherKek), /key-encryption key does not match/);
    const parts = jwe.split('.');
    const ciphertext = Buffer.from(parts[3] ?? '', 'base64url');
    ciphertext[0] = (ciphertext[0] ?? 0) ^ 1;
    parts[3] = ciphertext.toString('base64url');
    await assert.rejects(decryptPrivateJwk(parts.join('.'), KEK_BYTES), /key-encryption key does not match/);
  });
});
