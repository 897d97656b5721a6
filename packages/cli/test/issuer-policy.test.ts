/** `credless issuer-policy …`: the command functions through the in-process API of a real SQLite store, then the binary. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import {
  setIssuerPolicy,
  showIssuerPolicy,
  trustIssuer,
  untrustIssuer,
} from '../src/commands/issuer-policy.ts';
import { EXIT, exitCodeFor } from '../src/exit-codes.ts';
import type { GraphApi } from '../src/session/graph-api.ts';
import { openInProcessGraphApi } from '../src/session/in-process-graph-api.ts';
import { runBinary as credless } from './run-binary.ts';

const CLUSTER = 'https://oidc.cluster.example';
const GITHUB = 'https://token.actions.githubusercontent.com';

async function jwksFile(dir: string, kid: string, extra: Record<string, unknown> = {}) {
  const { publicKey } = await generateKeyPair('ES256', { extractable: true });
  const path = join(dir, `${kid}.json`);
  await writeFile(path, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, ...extra }] }));
  return path;
}

async function failsWith(promise: Promise<unknown>, exit: number, message: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof Error, String(error));
    assert.equal(exitCodeFor(error), exit, error.message);
    assert.match(error.message, message);
    return true;
  });
}

describe('issuer-policy commands', () => {
  let dir: string;
  let ctx: GraphApi & { close(): Promise<void> };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credless-cli-policy-'));
    ctx = await openInProcessGraphApi({ dataDir: join(dir, 'data') });
  });
  afterEach(async () => {
    await ctx.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('show, set, trust with limits and a pinned JWKS, rotate by uploading, untrust', async () => {
    assert.deepEqual(await showIssuerPolicy(ctx), {
      mode: 'off',
      sharedIssuerGuard: true,
      trustedIssuers: [],
    });
    assert.equal((await setIssuerPolicy(ctx, { mode: 'enforce' })).mode, 'enforce');

    const first = await trustIssuer(ctx, {
      issuer: CLUSTER,
      maxAssertionLifetime: '3600',
      clockSkew: '15',
      jwksFile: await jwksFile(dir, 'key-1'),
    });
    assert.equal(first.maxAssertionLifetimeSeconds, 3600);
    assert.equal(first.clockSkewSeconds, 15);
    assert.deepEqual(first.pinnedJwks?.kids, ['key-1']);
    const rotated = await trustIssuer(ctx, { issuer: CLUSTER, jwksFile: await jwksFile(dir, 'key-2') });
    assert.deepEqual(rotated.pinnedJwks?.kids, ['key-2']);
    assert.equal(rotated.maxAssertionLifetimeSeconds, 3600, 'other settings are kept');
    assert.deepEqual((await showIssuerPolicy(ctx)).trustedIssuers, [rotated]);
    assert.equal((await trustIssuer(ctx, { issuer: CLUSTER, unpinJwks: true })).pinnedJwks, null);

    await untrustIssuer(ctx, { issuer: CLUSTER });
    assert.deepEqual((await showIssuerPolicy(ctx)).trustedIssuers, []);
    await failsWith(untrustIssuer(ctx, { issuer: CLUSTER }), EXIT.notFound, /does not exist/);
    // The API answers as Graph does: the policy carries its @odata.context, the command prints the policy.
    const raw = await ctx.call('GET', '/credless/issuerPolicy');
    assert.match(String(raw['@odata.context']), /\/v1\.0\/\$metadata#credless\/issuerPolicy\/\$entity$/);
  });

  test('bad input is exit 2 with a message saying what to fix', async () => {
    await failsWith(setIssuerPolicy(ctx, {}), EXIT.invalidInput, /nothing to set/);
    await failsWith(setIssuerPolicy(ctx, { mode: 'strict' }), EXIT.invalidInput, /enforce/);
    await failsWith(setIssuerPolicy(ctx, { sharedIssuerGuard: 'maybe' }), EXIT.invalidInput, /on or off/);
    await failsWith(
      trustIssuer(ctx, { issuer: CLUSTER, clockSkew: 'soon' }),
      EXIT.invalidInput,
      /--clock-skew/,
    );
    await failsWith(
      trustIssuer(ctx, { issuer: CLUSTER, maxAssertionLifetime: 0 }),
      EXIT.invalidInput,
      /maxAssertionLifetimeSeconds/,
    );
    await failsWith(
      trustIssuer(ctx, { issuer: CLUSTER, jwksFile: join(dir, 'missing.json') }),
      EXIT.invalidInput,
      /cannot read/,
    );
    const junk = join(dir, 'junk.json');
    await writeFile(junk, '{ not json');
    await failsWith(trustIssuer(ctx, { issuer: CLUSTER, jwksFile: junk }), EXIT.invalidInput, /not JSON/);
    // A private key in the upload is refused: pinned sets hold public keys only.
    await failsWith(
      trustIssuer(ctx, { issuer: CLUSTER, jwksFile: await jwksFile(dir, 'leaky', { d: 'c2VjcmV0' }) }),
      EXIT.invalidInput,
      /private key material/,
    );
    assert.deepEqual((await showIssuerPolicy(ctx)).trustedIssuers, []);
  });

  test('the shared-issuer guard refuses an unpinned GitHub credential until it is switched off', async () => {
    const app = await ctx.call<{ id: string }>('POST', '/applications', { displayName: 'deployer' });
    const unpinned = {
      name: 'any-repo',
      issuer: GITHUB,
      subject: 'repo:*:ref:refs/heads/main',
      audiences: ['api://AzureADTokenExchange'],
    };
    const path = `/applications/${app.id}/federatedIdentityCredentials`;
    await failsWith(ctx.call('POST', path, unpinned), EXIT.invalidInput, /must pin an owner.*repo:<owner>\//);
    await setIssuerPolicy(ctx, { sharedIssuerGuard: 'off' });
    assert.equal((await ctx.call('POST', path, unpinned))['subject'], unpinned.subject);
  });
});

describe('issuer-policy through the binary', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir ??= await mkdtemp(join(tmpdir(), 'credless-bin-policy-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  test('trust prints JSON, show lists it, a bad mode exits 2', async () => {
    const trusted = await credless([
      'issuer-policy',
      'trust',
      '--issuer',
      CLUSTER,
      '--jwks-file',
      await jwksFile(dataDir, 'bin-key'),
      '--max-assertion-lifetime',
      '600',
      '--data-dir',
      dataDir,
    ]);
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.deepEqual(JSON.parse(trusted.stdout).pinnedJwks.kids, ['bin-key']);
    const shown = await credless(['issuer-policy', 'show', '--data-dir', dataDir]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(JSON.parse(shown.stdout).trustedIssuers[0].maxAssertionLifetimeSeconds, 600);
    const bad = await credless(['issuer-policy', 'set', '--mode', 'strict', '--data-dir', dataDir]);
    assert.equal(bad.code, EXIT.invalidInput);
    assert.match(bad.stderr, /--mode: 'strict' is not one of off, audit, enforce/);
  });
});
