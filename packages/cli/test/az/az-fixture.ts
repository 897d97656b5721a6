/**
 * A real credless (testkit) with a test OIDC issuer, a CLI session of the local administrator in a
 * temporary config directory, and the real `credless` binary run against that session.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRAPH_RESOURCE_URI } from '@credless/core';
import {
  clientCredentialsForm,
  requestToken,
  startTestStack,
  type TestCredless,
  type TestOidcIssuer,
} from '@credless/testkit';
import type { Agent } from 'undici';
import { type GraphApi, openGraphApi } from '../../src/session/graph-api.ts';
import { login } from '../../src/session/login.ts';
import { type BinaryRun, runBinary } from '../run-binary.ts';

export const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';

export interface AzFixture {
  credless: TestCredless;
  issuer: TestOidcIssuer;
  agent: Agent;
  /** Config directory holding the administrator's session. */
  configDir: string;
  /** Scratch directory for parameter files. */
  dir: string;
  api: GraphApi;
  /** Runs the real binary with CREDLESS_CONFIG_DIR = `configDir` (default: the administrator's), plus `env`. */
  run(args: string[], options?: { configDir?: string; env?: NodeJS.ProcessEnv }): Promise<BinaryRun>;
  /** Writes a JSON file in the scratch directory; returns its path. */
  file(name: string, content: unknown): Promise<string>;
  /** A token of the test issuer for `subject` (audience api://AzureADTokenExchange). */
  federatedToken(subject: string): Promise<string>;
  /** Exchanges a federated token of `subject` for `appId`'s Graph token; returns the STS answer. */
  exchange(appId: string, subject: string): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startAzFixture(): Promise<AzFixture> {
  const stack = await startTestStack({ issuer: { kidStyle: 'kubernetes' } });
  const { issuer, credless, client: agent } = stack;
  const dir = await mkdtemp(join(tmpdir(), 'credless-az-'));
  const configDir = join(dir, 'config');
  await login({ local: true, authority: credless.url, dataDir: credless.dataDir, configDir, env: {} });
  const api = await openGraphApi({ configDir });
  if (!api) throw new Error('login wrote no session');

  const run = (args: string[], options: { configDir?: string; env?: NodeJS.ProcessEnv } = {}) =>
    runBinary(args, {
      cwd: dir,
      env: {
        CREDLESS_CONFIG_DIR: options.configDir ?? configDir,
        // Offline fallbacks (no session) must not touch the developer's ./.credless.
        CREDLESS_DATA_DIR: join(dir, 'offline-data'),
        ...options.env,
      },
    });

  const federatedToken = (subject: string) => issuer.issueToken({ sub: subject, aud: FEDERATION_AUDIENCE });

  return {
    credless,
    issuer,
    agent,
    configDir,
    dir,
    api,
    run,
    async file(name, content) {
      const path = join(dir, name);
      await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
      return path;
    },
    federatedToken,
    async exchange(appId, subject) {
      const form = clientCredentialsForm({
        clientId: appId,
        assertion: await federatedToken(subject),
        scope: `${GRAPH_RESOURCE_URI}/.default`,
      });
      return requestToken({ url: credless.url, tenantId: credless.tenantId }, form, { dispatcher: agent });
    },
    async close() {
      await stack.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const claimsOf = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
