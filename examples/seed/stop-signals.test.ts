/**
 * Daemon behaviour: SIGTERM to the top process of `npm start` (npm itself) once the seed's app runs,
 * then SIGTERM and SIGINT to `credless up` alone on the same data directory (it restores the app's
 * pods), stop the server and every pod it started: no process and no listening port is left.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { withoutSourceCondition } from '../../scripts/package-builds.ts';
import { alive, listeningPorts, processTree, stillListening } from './processes.ts';
import { CREDLESS_BIN, freePort, REPO_ROOT } from './support.ts';

/** Every process a test saw, for the `after` hook to kill what a failed stop left (pods are detached). */
const seen: number[] = [];

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv): Started {
  // Its own process group, so that the `after` hook can clean up whatever a failed stop leaves.
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );
  return { child, output: () => output, exited };
}

async function until(what: string, probe: () => boolean, started: Started, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (started.child.exitCode !== null) assert.fail(`exited before ${what}:\n${started.output()}`);
    if (Date.now() > deadline) assert.fail(`no ${what} within ${timeoutMs / 1000} s:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Sends `signal` to the started process alone and checks that its whole tree and its ports are gone. */
async function stopsEverything(started: Started, signal: NodeJS.Signals, minimumProcesses: number) {
  const pid = started.child.pid as number;
  const tree = processTree(pid);
  seen.push(...tree);
  const ports = listeningPorts(tree);
  assert.ok(
    tree.length >= minimumProcesses,
    `expected the server and its pods, found ${tree.length} processes`,
  );
  assert.ok(ports.length >= 1, 'the server listens');
  process.kill(pid, signal);
  const timer = setTimeout(() => process.kill(pid, 'SIGKILL'), 60_000);
  await started.exited;
  clearTimeout(timer);
  // Stopping ends with the top process; give orphans a moment to show rather than racing them.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.deepEqual(alive(tree), [], `processes left after ${signal}:\n${started.output()}`);
  assert.deepEqual(stillListening(ports), [], `ports still listening after ${signal}`);
}

describe('stop signals', { timeout: 900_000 }, () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let dataDir: string;
  const running: Started[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credless-signals-'));
    dataDir = join(dir, 'data');
    const { CREDLESS_DATABASE_URL: _db, ...inherited } = process.env;
    env = {
      ...withoutSourceCondition(inherited),
      CREDLESS_DATA_DIR: dataDir,
      CREDLESS_PORT: String(await freePort()),
      CREDLESS_CONFIG_DIR: join(dir, 'config'),
      XDG_CACHE_HOME: join(dir, 'cache'),
    };
  });
  after(async () => {
    for (const pid of alive([...seen, ...running.map(({ child }) => child.pid as number)])) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('SIGTERM to npm start stops credless and the seed app’s pods', async () => {
    // --ignore-scripts: no prestart build (the suite has built); npm still runs `start` itself.
    const npm = start('npm', ['start', '--ignore-scripts'], env);
    running.push(npm);
    await until('running seed app', () => npm.output().includes('Press Ctrl-C to stop.'), npm, 600_000);
    // npm, start.sh, credless up and at least one pod.
    await stopsEverything(npm, 'SIGTERM', 4);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} to credless up stops it and the pods it restored`, async () => {
      const up = start(
        CREDLESS_BIN,
        ['up', '--data-dir', dataDir, '--port', env['CREDLESS_PORT'] as string],
        env,
      );
      running.push(up);
      // The pods are back once credless has children.
      await until('restored pods', () => processTree(up.child.pid as number).length > 1, up, 120_000);
      await stopsEverything(up, signal, 2);
    });
  }
});
