/**
 * What the seed's end-to-end tests share: a real `credless up` in a temporary data directory, the
 * `credless` command and pipeline.sh as child processes with that credless's environment, and Debian's
 * chromium driven by playwright-core.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { assertBuilt, withoutSourceCondition } from '../../scripts/package-builds.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CREDLESS_BIN = join(REPO_ROOT, 'node_modules', '.bin', 'credless');
// The seed runs the built credless (npm run build), as `npm start` does.
assertBuilt('@credless/cli');
export const PIPELINE = fileURLToPath(new URL('./pipeline.sh', import.meta.url));
export const SEED_APP_K8S = fileURLToPath(new URL('../seed-app/k8s/', import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (killed after `timeoutMs`), collecting its output. */
export function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

function ready(url: string, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${url}/readyz`, { ca, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('error', () => resolve(false));
    req.once('timeout', () => req.destroy());
    req.end();
  });
}

export interface Credless {
  url: string;
  dataDir: string;
  /** The environment the pipeline and the CLI run with: this credless, its CA, a private session. */
  env: NodeJS.ProcessEnv;
  /** `credless <args>` with that environment; rejects unless it exits 0. */
  cli(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** `credless up` on a free port with a fresh data directory under `dir`; resolves once /readyz answers. */
export async function startCredless(dir: string): Promise<Credless> {
  const port = await freePort();
  const url = `https://localhost:${port}`;
  const dataDir = join(dir, 'data');
  await mkdir(join(dir, 'config'), { recursive: true });
  const { CREDLESS_DATABASE_URL: _db, CREDLESS_PORT: _port, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = {
    ...withoutSourceCondition(inherited),
    CREDLESS_URL: url,
    CREDLESS_AUTHORITY: url,
    CREDLESS_DATA_DIR: dataDir,
    CREDLESS_CONFIG_DIR: join(dir, 'config'),
    XDG_CACHE_HOME: join(dir, 'cache'),
    NODE_EXTRA_CA_CERTS: join(dataDir, 'tls', 'ca.crt'),
  };
  let log = '';
  const server: ChildProcess = spawn(CREDLESS_BIN, ['up', '--data-dir', dataDir, '--port', String(port)], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: stopping it stops the pods it runs
  });
  server.stdout?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  server.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`credless up exited:\n${log}`);
    const ca = existsSync(env['NODE_EXTRA_CA_CERTS'] as string)
      ? await readFile(env['NODE_EXTRA_CA_CERTS'] as string, 'utf8')
      : undefined;
    if (ca && (await ready(url, ca))) break;
    if (Date.now() > deadline) {
      server.kill('SIGKILL');
      throw new Error(`credless up did not get ready within 90 s:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return {
    url,
    dataDir,
    env,
    async cli(...args) {
      const result = await run(CREDLESS_BIN, args, env);
      if (result.status !== 0)
        throw new Error(
          `credless ${args.join(' ')} exited ${result.status}:\n${result.stderr}${result.stdout}`,
        );
      return result.stdout;
    },
    async stop() {
      if (server.exitCode === null && server.pid !== undefined) {
        process.kill(-server.pid, 'SIGTERM');
        const timer = setTimeout(
          () => server.pid !== undefined && process.kill(-server.pid, 'SIGKILL'),
          15_000,
        );
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Reads the `name=value` lines the pipeline wrote to $GITHUB_OUTPUT. */
export async function readOutputs(file: string): Promise<Record<string, string>> {
  const outputs: Record<string, string> = {};
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) outputs[line.slice(0, at)] = line.slice(at + 1);
  }
  return outputs;
}

/** Debian's chromium through playwright-core, headless, with a fresh profile in `userDataDir`. */
export async function launchChromium(userDataDir: string): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the browser tests drive Debian's chromium — install it with \`apt-get install -y chromium\``,
    );
  }
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
