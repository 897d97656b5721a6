/** `credless up` as a user runs it: a child process that serves HTTPS until SIGTERM. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

const BIN = fileURLToPath(new URL('../bin/credless.mjs', import.meta.url));

test('credless up creates the data directory, serves discovery over HTTPS and stops on SIGTERM', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'credless-up-'));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('CREDLESS_')),
  );
  const child = spawn(process.execPath, [BIN, 'up', '--port', '0', '--data-dir', dataDir], {
    env: { ...env, CREDLESS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
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
    const authority = /authority host\s+(\S+)/.exec(banner)?.[1];
    const tenantId = /default tenant\s+(\S+)/.exec(banner)?.[1];
    const caPath = /NODE_EXTRA_CA_CERTS=(\S+)/.exec(banner)?.[1];
    assert.ok(authority && tenantId && caPath, banner);
    assert.match(banner, /\(created now\)/);
    assert.equal((await stat(join(dataDir, 'kek'))).mode & 0o777, 0o600);
    // The Graph-compatible API and the bootstrap administrator, whose key stays private.
    assert.match(banner, new RegExp(`Graph API\\s+${authority}/v1\\.0`));
    assert.equal((await stat(join(dataDir, 'admin', 'admin-key.pem'))).mode & 0o777, 0o600);

    const agent = new Agent({ connect: { ca: await readFile(caPath, 'utf8') } });
    try {
      const response = await request(`${authority}/${tenantId}/v2.0/.well-known/openid-configuration`, {
        dispatcher: agent,
      });
      assert.equal(response.statusCode, 200);
      const metadata = (await response.body.json()) as Record<string, unknown>;
      assert.equal(metadata['issuer'], `${authority}/${tenantId}/v2.0`);
      assert.equal(metadata['token_endpoint'], `${authority}/${tenantId}/oauth2/v2.0/token`);
      const byDomain = await request(`${authority}/credless.local/discovery/v2.0/keys`, {
        dispatcher: agent,
      });
      assert.equal(byDomain.statusCode, 200);
      assert.equal(((await byDomain.body.json()) as { keys: unknown[] }).keys.length, 1);
    } finally {
      await agent.close();
    }

    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
  } finally {
    child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
});
