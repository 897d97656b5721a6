/**
 * credless backup / restore of the embedded store: a backup taken while the server runs, restored into a
 * new data directory, starts a credless that verifies tokens issued before the backup (same signing keys,
 * opened with the travelling KEK) and holds the same directory; every refusal ends with its exit code and
 * writes nothing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig, type RunningCredless, startCredless } from '@credless/server';
import {
  clientCredentialsForm,
  createWorkloadScenario,
  requestToken,
  startTestStack,
  type TestCredless,
  type TestOidcIssuer,
  type TestStack,
} from '@credless/testkit';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { Agent, request } from 'undici';
import { backupCommand, restoreCommand } from '../src/commands/backup.ts';
import { EXIT, exitCodeFor } from '../src/exit-codes.ts';

const AUDIENCE = 'api://AzureADTokenExchange';
const SUBJECT = 'repo:contoso/orders:ref:refs/heads/main';
/** The commands read CREDLESS_* like the real CLI; the developer's own must not leak into the test. */
const ENV_KEYS = ['CREDLESS_KEK', 'CREDLESS_DATABASE_URL', 'CREDLESS_DATA_DIR'] as const;

async function withEnv<T>(env: Partial<Record<(typeof ENV_KEYS)[number], string>>, run: () => Promise<T>) {
  Object.assign(process.env, env);
  try {
    return await run();
  } finally {
    for (const key of Object.keys(env)) delete process.env[key];
  }
}

async function exitCodeOf(run: () => Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await run();
  } catch (error) {
    return { code: exitCodeFor(error), message: (error as Error).message };
  }
  return { code: EXIT.ok, message: '' };
}

describe('credless backup and restore (embedded store)', () => {
  const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
  let stack: TestStack | undefined;
  let issuer: TestOidcIssuer;
  let original: TestCredless;
  let work: string;
  let appId: string;
  let tokenBeforeBackup: string;
  let backupFile: string;

  const exchange = async (server: Pick<RunningCredless, 'url' | 'caCertPem'>, tenantId: string) => {
    const agent = new Agent({ connect: { ca: server.caCertPem as string } });
    try {
      const assertion = await issuer.issueToken({ sub: SUBJECT, aud: [AUDIENCE] });
      const form = clientCredentialsForm({ clientId: appId, assertion });
      return await requestToken({ url: server.url, tenantId }, form, { dispatcher: agent });
    } finally {
      await agent.close();
    }
  };

  before(async () => {
    for (const key of ENV_KEYS) delete process.env[key];
    work = await mkdtemp(join(tmpdir(), 'credless-backup-'));
    stack = await startTestStack();
    ({ issuer, credless: original } = stack);
    ({ appId } = await createWorkloadScenario(original, {
      displayName: 'orders',
      issuer: issuer.issuer,
      subject: SUBJECT,
      audience: AUDIENCE,
    }));
    const issued = await exchange(original, original.tenantId);
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    tokenBeforeBackup = String(issued.body['access_token']);
    backupFile = join(work, 'credless.backup');
    // Online: the server keeps running (and holding its data directory) during the backup.
    const summary = await backupCommand(backupFile, { dataDir: original.dataDir, includeKek: true });
    assert.equal(summary.signingKeys > 0 && summary.applications > 0, true, JSON.stringify(summary));
    assert.equal(summary.kekFile, `${backupFile}.kek`);
  });

  after(async () => {
    await stack?.close();
    if (work) await rm(work, { recursive: true, force: true });
    for (const [key, value] of Object.entries(savedEnv)) if (value !== undefined) process.env[key] = value;
  });

  test('a restored credless verifies tokens issued before the backup and holds the same directory', async () => {
    const dataDir = join(work, 'restored');
    const restored = await restoreCommand(backupFile, { dataDir });
    assert.equal(restored.kekSource, 'backup kek file');
    const config = loadConfig({}, { dataDir, host: '127.0.0.1', port: 0, logLevel: 'silent' });
    const server = await startCredless(config, { issuerDispatcher: issuer.dispatcher });
    try {
      assert.equal(server.defaultTenantId, original.tenantId);
      const agent = new Agent({ connect: { ca: server.caCertPem as string } });
      const response = await request(`${server.url}/${server.defaultTenantId}/discovery/v2.0/keys`, {
        dispatcher: agent,
      });
      const jwks = (await response.body.json()) as JSONWebKeySet;
      await agent.close();
      const { payload } = await jwtVerify(tokenBeforeBackup, createLocalJWKSet(jwks));
      assert.equal(payload['appid'] ?? payload['azp'], appId);

      const before = await original.store.getApplicationByAppId(original.tenantId, appId);
      const after = await server.store.getApplicationByAppId(server.defaultTenantId, appId);
      assert.deepEqual(after, before);
      assert.deepEqual(
        await server.store.listFederatedIdentityCredentials(server.defaultTenantId, appId),
        await original.store.listFederatedIdentityCredentials(original.tenantId, appId),
      );
      // The restored credentials work: the same workload exchanges against the restored server.
      assert.equal((await exchange(server, server.defaultTenantId)).status, 200);
    } finally {
      await server.close();
    }
  });

  const refusals: Array<{
    name: string;
    env?: Partial<Record<(typeof ENV_KEYS)[number], string>>;
    run: (dir: string) => Promise<unknown>;
    code: number;
    message: RegExp;
    /** Set when the target data directory must stay without a store. */
    untouched?: boolean;
  }> = [
    {
      name: 'restore with no key-encryption key anywhere',
      run: async (dir) => {
        const bare = join(dir, 'bare.backup');
        await backupCommand(bare, { dataDir: original.dataDir });
        return restoreCommand(bare, { dataDir: join(dir, 'target') });
      },
      code: EXIT.invalidInput,
      message: /no key-encryption key was found/,
      untouched: true,
    },
    {
      name: 'restore with the wrong CREDLESS_KEK',
      env: { CREDLESS_KEK: randomBytes(32).toString('base64') },
      run: (dir) => restoreCommand(backupFile, { dataDir: join(dir, 'target') }),
      code: EXIT.invalidInput,
      message: /from CREDLESS_KEK does not open the backup's signing key/,
      untouched: true,
    },
    {
      name: "restore with a data directory's different kek file",
      run: async (dir) => {
        await mkdir(join(dir, 'target'), { mode: 0o700 });
        await writeFile(join(dir, 'target', 'kek'), randomBytes(32).toString('base64url'), { mode: 0o600 });
        return restoreCommand(backupFile, { dataDir: join(dir, 'target') });
      },
      code: EXIT.invalidInput,
      message: /from kek file does not open/,
      untouched: true,
    },
    {
      name: 'restore into the data directory of a running server',
      run: () => restoreCommand(backupFile, { dataDir: original.dataDir, force: true }),
      code: EXIT.conflict,
      message: /Another credless server \(PID \d+/,
    },
    {
      name: 'restore over an existing store without --force',
      run: async (dir) => {
        await restoreCommand(backupFile, { dataDir: join(dir, 'target') });
        return restoreCommand(backupFile, { dataDir: join(dir, 'target') });
      },
      code: EXIT.conflict,
      message: /already holds a store/,
    },
    {
      name: 'restore of a missing file',
      run: (dir) => restoreCommand(join(dir, 'missing.backup'), { dataDir: join(dir, 'target') }),
      code: EXIT.notFound,
      message: /no backup file/,
      untouched: true,
    },
    {
      name: 'restore of a file that is not a credless store',
      run: async (dir) => {
        await writeFile(join(dir, 'junk.backup'), 'not a database');
        return restoreCommand(join(dir, 'junk.backup'), { dataDir: join(dir, 'target') });
      },
      code: EXIT.invalidInput,
      message: /is not a credless store/,
      untouched: true,
    },
    {
      name: 'backup over an existing file without --force',
      run: () => backupCommand(backupFile, { dataDir: original.dataDir }),
      code: EXIT.conflict,
      message: /exists; choose another file or replace it with --force/,
    },
    {
      name: 'backup of a data directory that does not exist (named, and not created)',
      run: async (dir) => {
        const missing = join(dir, 'nothing-here');
        await backupCommand(join(dir, 'missing.backup'), { dataDir: missing }).finally(() =>
          assert.equal(existsSync(missing), false),
        );
      },
      code: EXIT.notFound,
      message: /^no data directory at .*nothing-here \(check --data-dir/,
    },
    {
      name: 'backup of a data directory without a store',
      run: async (dir) => {
        await mkdir(join(dir, 'empty'), { mode: 0o700 });
        return backupCommand(join(dir, 'empty.backup'), { dataDir: join(dir, 'empty') });
      },
      code: EXIT.notFound,
      message: /no embedded store to back up/,
    },
    {
      name: 'backup of a PostgreSQL store',
      run: (dir) =>
        backupCommand(join(dir, 'pg.backup'), { databaseUrl: 'postgres://postgres@127.0.0.1/test' }),
      code: EXIT.invalidInput,
      message: /pg_dump --format=custom/,
    },
  ];

  for (const refusal of refusals) {
    test(`refuses: ${refusal.name}`, async () => {
      const dir = await mkdtemp(join(work, 'case-'));
      const { code, message } = await withEnv(refusal.env ?? {}, () => exitCodeOf(() => refusal.run(dir)));
      assert.match(message, refusal.message);
      assert.equal(code, refusal.code, message);
      if (refusal.untouched) assert.equal(existsSync(join(dir, 'target', 'credless.db')), false);
    });
  }
});
