/**
 * The backend and frontend as child processes, as a pod runs them: `node --import tsx <main>` from the
 * repository root with only the environment given (nothing of the developer's shell leaks in). The
 * bound port is read from the process's "listening" log line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BACKEND_MAIN = fileURLToPath(new URL('../backend/src/main.ts', import.meta.url));
export const FRONTEND_MAIN = fileURLToPath(new URL('../frontend/src/main.ts', import.meta.url));

export interface AppProcess {
  url: string;
  /** stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

function spawnApp(main: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', main], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function startApp(main: string, env: Record<string, string>, timeoutMs = 30_000): Promise<AppProcess> {
  const child = spawnApp(main, env);
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise<AppProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${main} did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // Complete lines only: a chunk may end mid-line.
      const line = output
        .split('\n')
        .slice(0, -1)
        .find((candidate) => candidate.includes('"msg":"listening"'));
      if (!line) return;
      clearTimeout(timer);
      const { port } = JSON.parse(line) as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        output: () => output,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${main} exited (${code}) before listening:\n${output}`));
    });
  });
}

/** Runs `main` expecting it to exit; resolves with its exit code and output. */
export function runToExit(
  main: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = spawnApp(main, env);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const timer = setTimeout(() => child.kill(), 30_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}
