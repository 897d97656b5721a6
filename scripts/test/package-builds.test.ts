/**
 * The build's bookkeeping (scripts/package-builds.ts): references that follow package.json, the
 * freshness check the CLI tests rely on, and the environment the built bin runs with.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  buildConfigDrift,
  type PackageBuild,
  packageBuilds,
  runtimeClosure,
  STAMP,
  staleBuild,
  syncBuildConfigs,
  withoutSourceCondition,
} from '../package-builds.ts';

test('every package in the repository has a tsconfig.build.json whose references follow its package.json', () => {
  const builds = packageBuilds();
  assert.ok(builds.some((build) => build.name === '@credless/cli'));
  assert.deepEqual(buildConfigDrift(builds), [], 'npm run build rewrites these; commit what it writes');
});

test('the built CLI loads its runtime dependencies and nothing the tests alone use', () => {
  const names = runtimeClosure('@credless/cli').map((build) => build.name);
  for (const name of ['@credless/cli', '@credless/core', '@credless/server'])
    assert.ok(names.includes(name), name);
  assert.ok(!names.includes('@credless/testkit'));
  assert.ok(!names.includes('@credless/sdk'));
});

test('withoutSourceCondition removes only the "source" condition from NODE_OPTIONS', () => {
  const cases: Array<{ given: string | undefined; expected: string | undefined }> = [
    { given: undefined, expected: undefined },
    { given: '--conditions=source', expected: undefined },
    { given: '-C source', expected: undefined },
    { given: '--max-old-space-size=512 --conditions=source', expected: '--max-old-space-size=512' },
    { given: '--conditions=sourcemaps', expected: '--conditions=sourcemaps' },
    { given: '--conditions=development', expected: '--conditions=development' },
  ];
  for (const { given, expected } of cases) {
    const env = withoutSourceCondition(given === undefined ? { A: '1' } : { A: '1', NODE_OPTIONS: given });
    assert.equal(env['NODE_OPTIONS'], expected, `given ${String(given)}`);
    assert.equal(env['A'], '1');
  }
});

describe('staleBuild and syncBuildConfigs on a throw-away package', () => {
  let dir: string;
  let build: PackageBuild;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credless-package-builds-'));
    build = { name: '@example/a', dir, config: join(dir, 'tsconfig.build.json'), bundler: 'tsc' };
    await mkdir(join(dir, 'src'));
    await writeFile(join(dir, 'src', 'index.ts'), 'export {};\n');
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: '@example/a' }));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('missing dist, then current, then a source file newer than the stamp', async () => {
    assert.match(staleBuild([build]) ?? '', /dist is missing: run npm run build/);
    await mkdir(join(dir, 'dist'));
    const stamp = join(dir, 'dist', STAMP);
    await writeFile(stamp, '');
    const past = new Date(Date.now() - 60_000);
    await utimes(join(dir, 'src', 'index.ts'), past, past);
    assert.equal(staleBuild([build]), undefined);
    await writeFile(join(dir, 'src', 'index.ts'), 'export const changed = true;\n');
    await utimes(stamp, past, past);
    assert.match(staleBuild([build]) ?? '', /src\/index\.ts changed after the last build.*run npm run build/);
  });

  test('a missing tsconfig.build.json is written, then left alone', async () => {
    assert.equal(syncBuildConfigs([build]).length, 1);
    assert.deepEqual(JSON.parse(await readFile(build.config, 'utf8')), {
      extends: '../../tsconfig.package.json',
      references: [],
    });
    assert.deepEqual(syncBuildConfigs([build]), []);
  });
});
