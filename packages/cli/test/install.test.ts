/**
 * The tarballs install on a machine with no clone: `npm install -g` of the packed CLI into a temporary
 * prefix (offline where npm's cache has the dependencies, else the registry as the machine has it),
 * then that `credless up` in an empty directory serves discovery and the console's pages; the SDK's
 * tarball installs alone.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { packAll } from '../../../scripts/pack.ts';
import { binaryEnv, startCredlessUp } from './run-binary.ts';

const run = promisify(execFile);
// Builds better-sqlite3 from source (GitHub's prebuilt binaries are out of reach here): minutes.
const INSTALL = { timeout: 900_000, env: binaryEnv(), maxBuffer: 16 * 1024 * 1024 };
const npmInstall = (args: string[]) =>
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...args], INSTALL);

describe('the packed tarballs', { timeout: 1_200_000 }, () => {
  let dir: string;
  let tarballs: { cli: string; sdk: string };
  const version = async () =>
    (JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
      .version;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credless-install-'));
    tarballs = await packAll();
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('npm install -g puts credless on the PATH; credless up in an empty directory serves discovery', async () => {
    const prefix = join(dir, 'prefix');
    // npm 11 runs a global install's dependency scripts only when allowed: better-sqlite3 builds its addon.
    await npmInstall(['--global', '--allow-scripts=better-sqlite3', '--prefix', prefix, tarballs.cli]);
    const bin = join(prefix, 'bin', 'credless');
    assert.equal((await run(bin, ['--version'], { env: binaryEnv() })).stdout, `${await version()}\n`);

    const empty = await mkdtemp(join(dir, 'empty-'));
    const up = await startCredlessUp(undefined, {}, { bin, cwd: empty });
    try {
      const discovery = /discovery\s+(\S+)/.exec(up.banner)?.[1];
      assert.ok(discovery, up.banner);
      const ca = await readFile(join(empty, '.credless', 'tls', 'ca.crt'), 'utf8');
      const answer = await request(discovery, { dispatcher: new Agent({ connect: { ca } }) });
      assert.equal(answer.statusCode, 200);
      const { issuer } = (await answer.body.json()) as { issuer: string };
      assert.equal(`${issuer}/.well-known/openid-configuration`, discovery);
      // The console's built pages ship inside the CLI's tarball (not the "not built" 503 page).
      const page = await request(new URL('/console/', discovery), {
        dispatcher: new Agent({ connect: { ca } }),
      });
      const html = await page.body.text();
      assert.equal(page.statusCode, 200, html);
      assert.match(html, /<script type="module"[^>]+\/console\/assets\//);
      assert.equal(await up.stop(), 0, up.stderr());
    } finally {
      up.kill();
    }
  });

  test('@credless/sdk installs alone: no dependencies, ES module with types', async () => {
    const project = join(dir, 'project');
    await npmInstall(['--prefix', project, tarballs.sdk]);
    const installed = join(project, 'node_modules', '@credless', 'sdk');
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    assert.equal(manifest['dependencies'], undefined);
    assert.equal(manifest['private'], undefined);
    assert.equal(manifest['type'], 'module');
    assert.ok((await readFile(join(installed, String(manifest['types'])), 'utf8')).length > 0);
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "console.log(Object.keys(await import('@credless/sdk')).sort().join(','))",
      ],
      { cwd: project, env: binaryEnv() },
    );
    assert.match(stdout, /WorkloadIdentityCredential/);
  });
});
