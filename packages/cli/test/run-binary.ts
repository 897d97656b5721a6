/**
 * Runs the real `credless` binary, as users run it: the built one (dist/, from `npm run build`), in a
 * child process with no CREDLESS_* settings and no "source" export condition leaking in.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertBuilt, withoutSourceCondition } from '../../../scripts/package-builds.ts';

// Fails every test that runs the binary, with what to do, rather than testing an old build.
assertBuilt('@credless/cli');

export const BIN = fileURLToPath(new URL('../bin/credless.cjs', import.meta.url));

export interface BinaryRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The parent's environment without CREDLESS_* settings (they would leak into the child) and without
 * the "source" export condition (the built bin has no TypeScript loader), plus `extra`.
 */
export function binaryEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('CREDLESS_')),
  );
  return withoutSourceCondition({ ...env, ...extra });
}

export function runBinary(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; nodeArgs?: string[] } = {},
): Promise<BinaryRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], {
      env: binaryEnv(options.env),
      ...(options.cwd ? { cwd: options.cwd } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface RunningUp {
  pid: number;
  /** What `credless up` printed up to its NODE_EXTRA_CA_CERTS line. */
  banner: string;
  /** Everything written to stdout so far (the banner, then the log). */
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM; resolves with the exit code. */
  stop: () => Promise<number | null>;
  /** SIGKILL, for `finally` blocks; harmless after stop. */
  kill: () => void;
}

/**
 * Starts `credless up` on a free port in `dataDir` (none: its default, ./.credless in `cwd`) and waits
 * for its banner (60 s at most). `bin` runs another credless, e.g. one installed from the tarball.
 */
export async function startCredlessUp(
  dataDir: string | undefined,
  extraEnv: NodeJS.ProcessEnv = {},
  { bin, cwd }: { bin?: string; cwd?: string } = {},
): Promise<RunningUp> {
  const args = ['up', '--port', '0', ...(dataDir ? ['--data-dir', dataDir] : [])];
  const child = spawn(bin ?? process.execPath, bin ? args : [BIN, ...args], {
    env: binaryEnv({ CREDLESS_LOG_LEVEL: 'warn', ...extraEnv }),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(cwd ? { cwd } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    const banner = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within 60 s; stderr: ${stderr}`)), 60_000);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('export NODE_EXTRA_CA_CERTS=')) {
          clearTimeout(timer);
          resolve(stdout);
        }
      });
      child.on('close', () => reject(new Error(`exited early; stderr: ${stderr}`)));
    });
    return {
      pid: child.pid!,
      banner,
      stdout: () => stdout,
      stderr: () => stderr,
      stop: () => {
        child.kill('SIGTERM');
        return exited;
      },
      kill: () => child.kill('SIGKILL'),
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/**
 * Runs `run` against a `credless up` on a fresh temporary data directory, then stops it and removes the
 * directory, whatever happens.
 */
export async function withCredlessUp<T>(
  extraEnv: NodeJS.ProcessEnv,
  run: (up: RunningUp, dataDir: string) => Promise<T>,
): Promise<T> {
  const dataDir = await mkdtemp(join(tmpdir(), 'credless-up-'));
  try {
    const up = await startCredlessUp(dataDir, extraEnv);
    try {
      return await run(up, dataDir);
    } finally {
      await up.stop();
      up.kill();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
