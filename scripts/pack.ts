/**
 * `npm run pack`: the installable tarballs, in dist/packages/ (npm run build first).
 *
 * - credless-cli-<version>.tgz: the `credless` command as ONE package. The code of the @credless
 *   packages it loads (core, common, server, webhook, runtime) is bundled into its dist/ by esbuild,
 *   split into chunks so a command still loads only its own modules; their third-party dependencies
 *   stay ordinary dependencies. `npm install -g <tarball>` thus needs only the public registry (or its
 *   cache), and never looks up an @credless/* name there, where anyone could own it. (npm's
 *   bundleDependencies cannot do this: it treats every dependency of a bundled package as bundled too.)
 *   The console's built pages (@credless/console, static files) ride along in dist/console-assets/,
 *   where the server looks for them when no @credless/console package is installed.
 * - credless-sdk-<version>.tgz: @credless/sdk alone (no dependencies, ESM + .d.ts).
 *
 * Each is staged in dist/pack-staging/ with a manifest fit to publish: not private, no
 * devDependencies, no "source" export condition (it points at src/, which is not shipped).
 * @module
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import {
  assertBuilt,
  type PackageBuild,
  packageBuilds,
  ROOT,
  runtimeClosure,
  STAMP,
} from './package-builds.ts';

export const PACK_DIR = join(ROOT, 'dist', 'packages');
const STAGING = join(ROOT, 'dist', 'pack-staging');
/** The bin's CommonJS dependencies (server modules), which must run before any ES module loads. */
const BIN_MODULES = ['thread-pool', 'young-generation'].map((name) => ({
  file: `${name}.cjs`,
  bare: `require('@credless/server/${name}')`,
  shipped: `require('../dist/${name}.cjs')`,
}));

interface Manifest {
  name: string;
  version: string;
  license?: string;
  private?: boolean;
  files?: string[];
  exports?: Record<string, Record<string, string>>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  [field: string]: unknown;
}

const readManifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
const isOurs = (name: string) => name.startsWith('@credless/');

/** The manifest as published: the "source" condition, devDependencies and `private` dropped. */
export function publishable(manifest: Manifest, license: string): Manifest {
  const { private: _private, devDependencies: _dev, ...rest } = manifest;
  const exports = Object.fromEntries(
    Object.entries(manifest.exports ?? {}).map(([path, conditions]) => {
      const { source: _source, ...shipped } = conditions;
      return [path, shipped];
    }),
  );
  return { license, ...rest, ...(manifest.exports ? { exports } : {}) };
}

/**
 * The union of the third-party dependencies of `manifests`; a package named twice with two ranges is
 * a mistake to fix in the package.json files, not to guess about here.
 */
export function thirdPartyDependencies(manifests: Manifest[]): Record<string, string> {
  const union: Record<string, string> = {};
  for (const manifest of manifests) {
    for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
      if (isOurs(name)) continue;
      if (union[name] !== undefined && union[name] !== range)
        throw new Error(`${name} is wanted as ${union[name]} and as ${range} (${manifest.name}): align them`);
      union[name] = range;
    }
  }
  return Object.fromEntries(Object.entries(union).sort(([a], [b]) => a.localeCompare(b)));
}

function stageDir(name: string): string {
  const dir = join(STAGING, name.replace('@credless/', ''));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

const writeManifest = (dir: string, manifest: Manifest) =>
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

function npmPack(dir: string): string {
  mkdirSync(PACK_DIR, { recursive: true });
  const output = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', PACK_DIR], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [{ filename }] = JSON.parse(output) as [{ filename: string }];
  return join(PACK_DIR, filename);
}

async function packCli(builds: PackageBuild[], license: string): Promise<string> {
  const closure = runtimeClosure('@credless/cli', builds);
  const cli = closure.find((each) => each.name === '@credless/cli') as PackageBuild;
  const server = closure.find((each) => each.name === '@credless/server') as PackageBuild;
  const dependencies = thirdPartyDependencies(closure.map((each) => readManifest(each.dir)));
  const stage = stageDir(cli.name);
  await build({
    entryPoints: { main: join(cli.dir, 'dist', 'main.js') },
    outdir: join(stage, 'dist'),
    bundle: true,
    splitting: true, // dynamic imports stay chunks: commands load lazily, as in the workspace
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: Object.keys(dependencies),
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'warning',
  });
  let bin = readFileSync(join(cli.dir, 'bin', 'credless.cjs'), 'utf8');
  for (const { file, bare, shipped } of BIN_MODULES) {
    if (!bin.includes(bare)) throw new Error(`bin/credless.cjs no longer has ${bare}`);
    cpSync(join(server.dir, 'dist', file), join(stage, 'dist', file));
    bin = bin.replace(bare, shipped);
  }
  const consoleDist = join(ROOT, 'packages', 'console', 'dist');
  if (!existsSync(join(consoleDist, 'index.html')))
    throw new Error(`${consoleDist} has no index.html: npm run build builds the console first`);
  cpSync(consoleDist, join(stage, 'dist', 'console-assets'), {
    recursive: true,
    filter: (file) => !file.endsWith(STAMP),
  });
  mkdirSync(join(stage, 'bin'));
  writeFileSync(join(stage, 'bin', 'credless.cjs'), bin, { mode: 0o755 });
  // A command, not a library: no exports (its modules are chunks, not an API).
  const { exports: _exports, types: _types, ...manifest } = publishable(readManifest(cli.dir), license);
  writeManifest(stage, { ...manifest, dependencies });
  return npmPack(stage);
}

function packSdk(builds: PackageBuild[], license: string): string {
  const sdk = builds.find((each) => each.name === '@credless/sdk') as PackageBuild;
  const manifest = publishable(readManifest(sdk.dir), license);
  if (Object.keys(manifest.dependencies ?? {}).length > 0)
    throw new Error('@credless/sdk must have no dependencies');
  const stage = stageDir(sdk.name);
  for (const entry of [...(manifest.files ?? ['dist']), 'README.md'])
    if (existsSync(join(sdk.dir, entry)))
      cpSync(join(sdk.dir, entry), join(stage, entry), {
        recursive: true,
        // Not the build's bookkeeping (its stamp, tsc's incremental state).
        filter: (file) => !file.endsWith(STAMP) && !file.endsWith('.tsbuildinfo'),
      });
  writeManifest(stage, manifest);
  return npmPack(stage);
}

/** Packs the CLI and the SDK; returns the tarballs' paths. */
export async function packAll(): Promise<{ cli: string; sdk: string }> {
  assertBuilt('@credless/cli');
  assertBuilt('@credless/sdk');
  const builds = packageBuilds();
  const license = readManifest(ROOT).license ?? 'UNLICENSED';
  return { cli: await packCli(builds, license), sdk: packSdk(builds, license) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { cli, sdk } = await packAll();
  console.log(`packed ${cli}\npacked ${sdk}`);
}
