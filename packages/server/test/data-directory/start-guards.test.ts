import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { LOCK_FILE_NAME } from '../../src/data-directory/data-directory-lock.ts';
import { type RunningCredless, startCredless } from '../../src/main.ts';
import { postgresTarget, postgresUnavailableReason, TEST_DATABASE_URL } from '../store/store-suite.ts';

const newKek = () => randomBytes(32).toString('base64');
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('start-up guards', { timeout: 120_000 }, () => {
  const dirs: string[] = [];
  const running: RunningCredless[] = [];
  after(async () => {
    for (const server of running) await server.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  const freshDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'credless-guards-'));
    dirs.push(dir);
    return dir;
  };
  const start = async (dataDir: string, env: NodeJS.ProcessEnv = {}, lines: string[] = []) => {
    const config = loadConfig(env, { dataDir, host: '127.0.0.1', port: 0, insecureHttp: true });
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const server = await startCredless(config, { logger });
    running.push(server);
    return server;
  };
  const stop = async (server: RunningCredless) => {
    await server.close();
    running.splice(running.indexOf(server), 1);
  };

  test('one server per embedded data directory; the second start names the first', async () => {
    const dir = await freshDir();
    const first = await start(dir);
    await assert.rejects(start(dir), (error: Error) => {
      assert.match(error.message, new RegExp(`Another credless server \\(PID ${process.pid}, started `));
      assert.ok(error.message.includes(`is using the data directory ${dir}`), error.message);
      return true;
    });
    assert.equal(await exists(join(dir, LOCK_FILE_NAME)), true, 'the refused start left the lock alone');
    await stop(first);
    assert.equal(await exists(join(dir, LOCK_FILE_NAME)), false);
    await stop(await start(dir));
  });

  test("a dead process's lock is taken over", async () => {
    const dir = await freshDir();
    const { pid } = spawnSync(process.execPath, ['-e', '']);
    const stale = { id: 'stale', pid, hostname: hostname(), startedAt: '2020-01-01T00:00:00.000Z' };
    await writeFile(join(dir, LOCK_FILE_NAME), JSON.stringify(stale));
    const lines: string[] = [];
    await stop(await start(dir, {}, lines));
    assert.ok(lines.some((line) => line.includes(`stale lock of the data directory left by PID ${pid}`)));
  });

  test('a wrong CREDLESS_KEK refuses to start and names the mismatch', async () => {
    const dir = await freshDir();
    const kek = newKek();
    await stop(await start(dir, { CREDLESS_KEK: kek }));
    await assert.rejects(
      start(dir, { CREDLESS_KEK: newKek() }),
      /The key-encryption key from CREDLESS_KEK does not match the one the stored signing keys were encrypted with/,
    );
    // The refused start released the directory: the right key starts at once.
    await stop(await start(dir, { CREDLESS_KEK: kek }));
  });

  test('a replaced kek file refuses to start and names the file', async () => {
    const dir = await freshDir();
    await stop(await start(dir));
    await writeFile(join(dir, 'kek'), `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
    await assert.rejects(start(dir), (error: Error) => {
      assert.ok(
        error.message.includes(`from the key file ${join(dir, 'kek')} does not match`),
        error.message,
      );
      assert.match(error.message, /restore that file from backup/);
      return true;
    });
  });

  test('replicas on PostgreSQL do not lock their data directory', async (t) => {
    const unavailable = await postgresUnavailableReason();
    if (unavailable !== null) return t.skip(`PostgreSQL unavailable: ${unavailable}`);
    const target = postgresTarget();
    try {
      const { schema } = await target.freshLocation();
      const env = { CREDLESS_DATABASE_URL: `${TEST_DATABASE_URL}?schema=${schema}`, CREDLESS_KEK: newKek() };
      const dir = await freshDir();
      const first = await start(dir, env);
      const second = await start(dir, env);
      assert.equal(await exists(join(dir, LOCK_FILE_NAME)), false);
      await stop(second);
      await stop(first);
    } finally {
      await target.cleanup();
    }
  });
});
