import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CredlessSdkError } from '../src/index.ts';
import { FederatedTokenFile, type TokenFileSystem } from '../src/lib/token-file.ts';

/** The real file system, counting reads. */
function countingFs() {
  const counts = { stat: 0, read: 0 };
  const fs: TokenFileSystem = {
    stat: (path) => {
      counts.stat++;
      return stat(path);
    },
    readFile: (path) => {
      counts.read++;
      return readFile(path, 'utf8');
    },
  };
  return { fs, counts };
}

describe('federated token file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credless-sdk-file-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('an unchanged file is stat-ed, not read again', async () => {
    const path = join(dir, 'unchanged');
    await writeFile(path, 'token-a\n');
    const { fs, counts } = countingFs();
    const file = new FederatedTokenFile(path, fs);
    assert.equal(await file.read(), 'token-a');
    assert.equal(await file.read(), 'token-a');
    assert.deepEqual(counts, { stat: 2, read: 1 });
  });

  test('a rewritten file is read again', async () => {
    const path = join(dir, 'rewritten');
    await writeFile(path, 'token-a');
    const { fs, counts } = countingFs();
    const file = new FederatedTokenFile(path, fs);
    assert.equal(await file.read(), 'token-a');
    await writeFile(path, 'token-bb');
    assert.equal(await file.read(), 'token-bb');
    assert.equal(counts.read, 2);
  });

  test("the kubelet's atomic symlink swap is seen as a rotation", async () => {
    // <volume>/token -> ..data/token, ..data -> ..<timestamp>; rotation swaps ..data.
    const volume = join(dir, 'projected');
    await mkdir(join(volume, '..2026_1'), { recursive: true });
    await writeFile(join(volume, '..2026_1', 'token'), 'first-token');
    await symlink('..2026_1', join(volume, '..data'));
    await symlink(join('..data', 'token'), join(volume, 'token'));
    const file = new FederatedTokenFile(join(volume, 'token'));
    assert.equal(await file.read(), 'first-token');

    await mkdir(join(volume, '..2026_2'));
    await writeFile(join(volume, '..2026_2', 'token'), 'second-token');
    await symlink('..2026_2', join(volume, '..data_tmp'));
    await rename(join(volume, '..data_tmp'), join(volume, '..data'));
    assert.equal(await file.read(), 'second-token');
  });

  test('invalidate() forces a read even when the stat is the same', async () => {
    const path = join(dir, 'invalidated');
    await writeFile(path, 'token-a');
    const { fs, counts } = countingFs();
    const file = new FederatedTokenFile(path, fs);
    await file.read();
    file.invalidate();
    await file.read();
    assert.equal(counts.read, 2);
  });

  test('a missing file is ERR_TOKEN_FILE naming the path', async () => {
    const path = join(dir, 'absent');
    const file = new FederatedTokenFile(path);
    await assert.rejects(file.read(), (error: unknown) => {
      assert.ok(error instanceof CredlessSdkError);
      assert.equal(error.code, 'ERR_TOKEN_FILE');
      assert.match(error.message, /absent \(ENOENT\)/);
      return true;
    });
  });

  test('an empty file is ERR_TOKEN_FILE, and is read again once written', async () => {
    const path = join(dir, 'empty');
    await writeFile(path, ' \n');
    const file = new FederatedTokenFile(path);
    await assert.rejects(file.read(), { code: 'ERR_TOKEN_FILE', message: /is empty/ });
    await writeFile(path, 'late-token');
    assert.equal(await file.read(), 'late-token');
  });
});
