/** `credless up` as a user runs it: a child process that serves HTTPS until SIGTERM. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Agent, request } from 'undici';
import { runBinary, startCredlessUp } from './run-binary.ts';

test('credless up creates the data directory, serves discovery over HTTPS and stops on SIGTERM', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'credless-up-'));
  const up = await startCredlessUp(dataDir).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  try {
    const { banner } = up;
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

      // up plugs in the local platforms: the GitHub Actions issuer, and a cluster created meanwhile
      // publishes its service-account issuer.
      const actions = await request(`${authority}/github-actions/.well-known/openid-configuration`, {
        dispatcher: agent,
      });
      assert.equal(actions.statusCode, 200);
      assert.equal(((await actions.body.json()) as { issuer: string }).issuer, `${authority}/github-actions`);
      const created = await runBinary([
        'cluster',
        'create',
        '-g',
        'rg',
        '-n',
        'smoke',
        '--url',
        authority,
        '--data-dir',
        dataDir,
      ]);
      assert.equal(created.code, 0, created.stderr);
      const { issuerUrl } = (JSON.parse(created.stdout) as { oidcIssuerProfile: { issuerUrl: string } })
        .oidcIssuerProfile;
      const oidc = await request(`${issuerUrl}.well-known/openid-configuration`, { dispatcher: agent });
      assert.equal(oidc.statusCode, 200);
      assert.equal(((await oidc.body.json()) as { issuer: string }).issuer, issuerUrl);
    } finally {
      await agent.close();
    }

    assert.equal(await up.stop(), 0, up.stderr());
  } finally {
    up.kill();
    await rm(dataDir, { recursive: true, force: true });
  }
});
