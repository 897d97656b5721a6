/**
 * Test helpers for running credless replicas as child processes (replica-process.ts) against one
 * PostgreSQL schema, and for exchanging tokens against them.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { GRAPH_RESOURCE_URI } from '@credless/core';
import { Agent, request } from 'undici';
import type { ReplicaCommand, ReplicaRequest, ReplicaResponse } from './replica-process.ts';

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const SCRIPT = join(import.meta.dirname, 'replica-process.ts');
/** Generous: under the full suite on 2 cores, loading the sources through tsx alone can take tens of seconds. */
const START_LIMIT_MS = 120_000;

export interface Replica {
  name: string;
  url: string;
  listenUrl: string;
  tenantId: string;
  child: ChildProcess;
  client: Agent;
  /** Runs a directory write through this replica's own store; resolves once committed. */
  call(command: ReplicaCommand): Promise<unknown>;
  readonly exited: boolean;
  /** The last few kB of its standard error, for assertion messages. */
  readonly stderr: string;
  /** SIGTERM (or SIGKILL) and wait for exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startReplica(name: string, env: NodeJS.ProcessEnv): Promise<Replica> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', SCRIPT], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  child.on('message', (message: ReplicaResponse) => {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.ok) waiter?.resolve(message.result);
    else waiter?.reject(new Error(`${name}: ${message.error}`));
  });
  void exit.then(() => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${name} exited`));
    pending.clear();
  });

  const started = await new Promise<{ url: string; listenUrl: string; caPath: string; tenantId: string }>(
    (resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start: ${stderr}`)), START_LIMIT_MS);
      const lines = createInterface({ input: child.stdout! });
      lines.once('line', (line) => {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(line));
        } catch {
          reject(new Error(`${name} printed ${line}: ${stderr}`));
        }
      });
      void exit.then(() => {
        clearTimeout(timer);
        reject(new Error(`${name} exited during start: ${stderr}`));
      });
    },
  );
  const client = new Agent({ connect: { ca: await readFile(started.caPath, 'utf8') } });
  return {
    name,
    ...started,
    child,
    client,
    get exited() {
      return exited;
    },
    get stderr() {
      return stderr;
    },
    call(command) {
      if (exited || !child.connected) return Promise.reject(new Error(`${name} exited`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, command } satisfies ReplicaRequest, (error) => {
          if (!error) return;
          pending.delete(id);
          reject(error);
        });
      });
    },
    async stop(signal = 'SIGTERM') {
      if (!exited) child.kill(signal);
      await exit;
      await client.close().catch(() => {});
    },
  };
}

export interface ExchangeResult {
  status: number;
  body: Record<string, unknown>;
}

/** A client-credentials exchange for Graph against one replica (status 0 = connection failed). */
export async function exchange(replica: Replica, appId: string, assertion: string): Promise<ExchangeResult> {
  try {
    const response = await request(`${replica.listenUrl}/${replica.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: appId,
        scope: `${GRAPH_RESOURCE_URI}/.default`,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }).toString(),
      dispatcher: replica.client,
      headersTimeout: 5000,
      bodyTimeout: 5000,
    });
    return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
  } catch (error) {
    return { status: 0, body: { error: String(error) } };
  }
}

export async function fetchJwks(replica: Replica): Promise<unknown> {
  const response = await request(`${replica.listenUrl}/${replica.tenantId}/discovery/v2.0/keys`, {
    dispatcher: replica.client,
  });
  return response.body.json();
}

/** The `kid` in a JWT's protected header. */
export function kidOf(token: unknown): string {
  const header = JSON.parse(Buffer.from(String(token).split('.')[0] ?? '', 'base64url').toString());
  return header.kid;
}

/**
 * Repeats `attempt` every `everyMs` until it returns true; resolves with the time from `since` (ms,
 * performance.now()) to the first success. Rejects after `limitMs` so a broken replica cannot hang a test.
 */
export async function timeUntil(
  attempt: () => Promise<boolean>,
  options: { since: number; everyMs?: number; limitMs?: number },
): Promise<number> {
  const limit = options.since + (options.limitMs ?? 10_000);
  for (;;) {
    if (await attempt()) return performance.now() - options.since;
    if (performance.now() > limit) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 25));
  }
}

/**
 * What every replica of one deployment shares (database, key-encryption key, public name, trusted test
 * issuer), with a data directory of its own: `(name) => env` for startReplica. Writes the issuer's CA to
 * `workDir`.
 */
export async function replicaEnvironment(options: {
  databaseUrl: string;
  workDir: string;
  issuerCaPem: string;
}): Promise<(name: string) => NodeJS.ProcessEnv> {
  const caFile = join(options.workDir, 'issuer-ca.pem');
  await writeFile(caFile, options.issuerCaPem);
  const kek = randomBytes(32).toString('base64');
  return (name) => ({
    PATH: process.env['PATH'],
    CREDLESS_DATABASE_URL: options.databaseUrl,
    CREDLESS_KEK: kek,
    CREDLESS_DATA_DIR: join(options.workDir, name),
    CREDLESS_HOST: '127.0.0.1',
    CREDLESS_PORT: '0',
    // One public name for all, as behind a load balancer: tokens and JWKS must not depend on the replica.
    CREDLESS_PUBLIC_URL: 'https://credless.test',
    CREDLESS_LOG_LEVEL: 'silent',
    CREDLESS_ISSUER_ALLOW_PRIVATE_NETWORKS: 'true',
    CREDLESS_ISSUER_CA_FILE: caFile,
  });
}

/**
 * Creates, through `writer`, a workload application trusting `issuer` for subject `main`, then waits until
 * every replica issues for it (issuer keys fetched), so later timings measure only what a test changes.
 */
export async function federatedWorkload(
  writer: Replica,
  replicas: readonly Replica[],
  issuer: string,
  assertion: (subject: string) => Promise<string>,
): Promise<string> {
  const { appId } = (await writer.call({ op: 'createApplication', displayName: 'workload' })) as {
    appId: string;
  };
  await writer.call({ op: 'createServicePrincipal', appId });
  await writer.call({ op: 'createFederatedCredential', appId, name: 'main', issuer, subject: 'main' });
  for (const replica of replicas) {
    await timeUntil(async () => (await exchange(replica, appId, await assertion('main'))).status === 200, {
      since: performance.now(),
    });
  }
  return appId;
}
