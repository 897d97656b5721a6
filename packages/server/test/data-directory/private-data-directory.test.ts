import assert from 'node:assert/strict';
import { chmod, chown, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensurePrivateDataDirectory } from '../../src/data-directory/private-data-directory.ts';

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

describe('ensurePrivateDataDirectory', { skip: process.platform === 'win32' }, () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'credless-datadir-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('creates a missing directory private to its owner', async () => {
    const dir = join(root, 'fresh', 'nested');
    await ensurePrivateDataDirectory(dir);
    assert.equal(await modeOf(dir), 0o700);
  });

  for (const mode of [0o755, 0o750, 0o707, 0o777]) {
    test(`tightens an own directory with mode 0${mode.toString(8)} to 0700 and says so`, async () => {
      const dir = join(root, `own-${mode.toString(8)}`);
      await mkdir(dir);
      await chmod(dir, mode);
      const messages: string[] = [];
      await ensurePrivateDataDirectory(dir, { log: (message) => messages.push(message) });
      assert.equal(await modeOf(dir), 0o700);
      assert.equal(messages.length, 1);
      assert.match(messages[0] ?? '', new RegExp(`mode 0${mode.toString(8)}.*tightened to 0700`));
    });
  }

  test('leaves a private directory alone, silently', async () => {
    const dir = join(root, 'private');
    await mkdir(dir, { mode: 0o700 });
    const messages: string[] = [];
    await ensurePrivateDataDirectory(dir, { log: (message) => messages.push(message) });
    assert.equal(await modeOf(dir), 0o700);
    assert.deepEqual(messages, []);
  });

  test("refuses someone else's open directory, says why, and changes nothing", async () => {
    const dir = join(root, 'theirs');
    await mkdir(dir);
    await chmod(dir, 0o755);
    // As root, a real directory of another user; otherwise the same check with this user as "another".
    const uid = isRoot ? 0 : (process.getuid?.() ?? 0) + 1;
    if (isRoot) await chown(dir, NOBODY, NOBODY);
    const owner = isRoot ? NOBODY : (process.getuid?.() ?? 0);
    await assert.rejects(ensurePrivateDataDirectory(dir, { uid }), (error: Error) => {
      assert.match(error.message, /accessible by group or others \(mode 0755\)/);
      assert.match(
        error.message,
        new RegExp(`owned by uid ${owner}, not by the user credless runs as \\(uid ${uid}\\)`),
      );
      assert.match(error.message, /will not start/);
      assert.ok(error.message.includes(`chmod 700 ${dir}`));
      return true;
    });
    assert.equal(await modeOf(dir), 0o755);
  });

  test('refuses a shared (sticky, /tmp-like) directory instead of locking others out of it', async () => {
    const dir = join(root, 'shared');
    await mkdir(dir);
    await chmod(dir, 0o1777);
    await assert.rejects(ensurePrivateDataDirectory(dir), /is a shared directory \(mode 01777, like \/tmp\)/);
    assert.equal((await stat(dir)).mode & 0o7777, 0o1777);
  });

  test('refuses a path that is not a directory', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, '');
    await assert.rejects(ensurePrivateDataDirectory(file), /EEXIST|not a directory/);
  });
});
