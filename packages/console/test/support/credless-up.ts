/**
 * A real `credless up` for the console's browser tests: the built `credless` command (as users run it,
 * from node_modules/.bin) on a free port in a fresh data directory, with its own CLI config directory so
 * no login session of the developer leaks in. `credless` itself is never imported: the console sits
 * below the CLI in the package table, so the tests drive it as a separate program.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, ROOT, withoutSourceCondition } from '../../../../scripts/package-builds.ts';

export const CREDLESS_BIN = join(ROOT, 'node_modules', '.bin', 'credless');
const BANNER_TIMEOUT_MS = 60_000;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => unknown;
}

export interface RunningCredless {
  /** Authority host, e.g. https://localhost:41234 (no trailing slash). */
  url: string;
  dataDir: string;
  /** The CLI's config directory (its login session), private to this server. */
  configDir: string;
  caPem: string;
  tenantId: string;
  /** The console sign-in link `credless up` printed (single use). */
  printedLink: string;
  /** Everything `credless up` wrote to stdout and stderr so far (its log included). */
  output: () => string;
  /** Runs `credless <args>` against this server's data directory and config directory. */
  cli: (args: string[]) => Promise<CliRun>;
  /** A fresh sign-in link from `credless console` (optionally bound to an application). */
  newSignInLink: (appId?: string) => Promise<string>;
  /** One HTTPS request to this server, trusting its local CA. */
  fetch: (
    method: string,
    path: string,
    options?: { headers?: Record<string, string>; body?: unknown },
  ) => Promise<HttpAnswer>;
  /** SIGTERM, then removes the data directory. */
  stop: () => Promise<void>;
}

/** The environment of a credless process: no developer CREDLESS_* settings, no "source" condition. */
function credlessEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('CREDLESS_')),
  );
  return withoutSourceCondition({ ...env, ...extra });
}

function collect(child: ChildProcess): { output: () => string; exited: Promise<number | null> } {
  let output = '';
  const append = (chunk: string) => {
    output += chunk;
  };
  child.stdout?.setEncoding('utf8').on('data', append);
  child.stderr?.setEncoding('utf8').on('data', append);
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { output: () => output, exited };
}

/** Resolves with the first match of `pattern` in the output; rejects if the process exits or time runs out. */
function waitFor(child: ChildProcess, output: () => string, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`credless up printed no ${pattern} within 60 s:\n${output()}`)),
      BANNER_TIMEOUT_MS,
    );
    const check = () => {
      const match = pattern.exec(output());
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off('data', check);
      resolve(match);
    };
    child.stdout?.on('data', check);
    child.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`credless up exited early:\n${output()}`));
    });
  });
}

function httpsRequest(
  url: string,
  caPem: string,
  method: string,
  options: { headers?: Record<string, string>; body?: unknown },
): Promise<HttpAnswer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: caPem,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Starts `credless up` (HTTPS with its local CA, port 0) and waits for its banner with the console
 * link. `env` adds settings (e.g. CREDLESS_CONSOLE_SESSION_HOURS).
 */
export async function startCredless(env: NodeJS.ProcessEnv = {}): Promise<RunningCredless> {
  assertBuilt('@credless/cli');
  const dataDir = await mkdtemp(join(tmpdir(), 'credless-console-'));
  const configDir = join(dataDir, 'cli-config');
  const processEnv = credlessEnv({ CREDLESS_CONFIG_DIR: configDir, CREDLESS_LOG_LEVEL: 'info', ...env });
  const child = spawn(CREDLESS_BIN, ['up', '--port', '0', '--data-dir', dataDir], {
    env: processEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { output, exited } = collect(child);
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const [, printedLink = ''] = await waitFor(child, output, /console +(https:\/\/\S+#code=\S+)/);
    const url = new URL(printedLink).origin;
    const tenantId = /default tenant +(\S+)/.exec(output())?.[1] ?? '';
    const caPem = await readFile(join(dataDir, 'tls', 'ca.crt'), 'utf8');
    const cli = (args: string[]) => runCli(args, processEnv);
    return {
      url,
      dataDir,
      configDir,
      caPem,
      tenantId,
      printedLink,
      output,
      cli,
      newSignInLink: async (appId) => {
        const run = await cli([
          'console',
          '--data-dir',
          dataDir,
          '--authority',
          url,
          ...(appId ? ['--app', appId] : []),
          '-o',
          'json',
        ]);
        if (run.code !== 0) throw new Error(`credless console failed (${run.code}): ${run.stderr}`);
        return (JSON.parse(run.stdout) as { link: string }).link;
      },
      fetch: (method, path, options = {}) => httpsRequest(`${url}${path}`, caPem, method, options),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs the built `credless` once with `env`; never throws for a non-zero exit. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(CREDLESS_BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
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
