/**
 * Runs one benchmark server as a child process (its own event loop, not the load generator's):
 * waits for the single JSON line it prints once listening, and stops it on demand.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { sizeThreadPool } from '@credless/server/thread-pool';
import { YOUNG_GENERATION_FLAGS } from '@credless/server/young-generation';

export interface ChildServer<Info> {
  name: string;
  pid: number;
  info: Info;
  /** SIGTERM, then SIGKILL after a grace period; safe to call twice. */
  stop(): Promise<void>;
}

export interface StartChildServerOptions {
  name: string;
  /** Path of the server script (run through tsx). */
  script: string;
  env?: NodeJS.ProcessEnv;
  execArgv?: string[];
  startTimeoutMs?: number;
  /**
   * Run the child as `credless up` runs itself: the libuv thread pool it sizes (thread-pool.cjs), which
   * must be in the environment before the child starts, and its fixed-size V8 young generation
   * (young-generation.cjs). Every server that is compared with credless gets them too, so the comparison
   * measures the server, not the process settings.
   */
  credlessRuntime?: boolean;
}

const STOP_GRACE_MS = 5000;
/** Children still running, for the last-resort cleanup on exit. */
const running = new Set<ChildProcess>();

process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startChildServer<Info>(options: StartChildServerOptions): Promise<ChildServer<Info>> {
  const v8Flags = options.credlessRuntime ? YOUNG_GENERATION_FLAGS : [];
  const child = spawn(
    process.execPath,
    [...v8Flags, ...(options.execArgv ?? []), '--import', 'tsx', options.script],
    {
      env: {
        ...process.env,
        ...(options.credlessRuntime ? { UV_THREADPOOL_SIZE: sizeThreadPool({ ...process.env }) } : {}),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exited.then(() => running.delete(child));
  // Kept only to explain a failed start; the servers are quiet once listening.
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 64 * 1024) stderr += chunk.toString();
  });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  try {
    const info = await new Promise<Info>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`${options.name} did not start within ${options.startTimeoutMs ?? 60_000} ms`)),
        options.startTimeoutMs ?? 60_000,
      );
      const lines = createInterface({ input: child.stdout! });
      lines.once('line', (line) => {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(line) as Info);
        } catch {
          reject(new Error(`${options.name} printed something other than JSON: ${line.slice(0, 200)}`));
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${options.name} exited during start-up (${signal ?? code})`));
      });
    });
    // Drain stdout so a chatty child never blocks on a full pipe.
    child.stdout?.resume();
    return { name: options.name, pid: child.pid!, info, stop };
  } catch (error) {
    await stop();
    const detail = stderr.trim() ? `\n--- ${options.name} stderr ---\n${stderr.trim()}` : '';
    throw new Error(`${(error as Error).message}${detail}`);
  }
}
