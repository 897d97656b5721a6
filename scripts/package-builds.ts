/**
 * The packages `npm run build` compiles (every packages/* with a package.json, so a new package is
 * picked up without editing a list), the checks it makes first, and the build stamp that tells the
 * tests whether dist/ is older than src/.
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = join(ROOT, 'packages');
/** Written by the build into each dist/ with the build's start time (an edit during the build stays newer). */
export const STAMP = '.build-stamp';
/** Files under src/ that tsc does not compile and the build copies to dist/ as they are. */
export const isCopiedAsIs = (file: string) => file.endsWith('.cjs') || file.endsWith('.d.cts');

export interface PackageBuild {
  name: string;
  dir: string;
  /** Path of its tsconfig.build.json (tsc builds). */
  config: string;
  /**
   * 'tsc' compiles src/ to dist/ (a library); 'vite' bundles a web front end (a package with a
   * vite.config.ts: the console) into static files, with no tsconfig.build.json and no .d.ts.
   */
  bundler: 'tsc' | 'vite';
}

/** The config file that makes a package a Vite build. */
export const VITE_CONFIG = 'vite.config.ts';

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

export function packageBuilds(): PackageBuild[] {
  return readdirSync(PACKAGES)
    .map((entry) => join(PACKAGES, entry))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({
      name: (readJson(join(dir, 'package.json')) as Manifest).name,
      dir,
      config: join(dir, 'tsconfig.build.json'),
      bundler: existsSync(join(dir, VITE_CONFIG)) ? ('vite' as const) : ('tsc' as const),
    }));
}

/**
 * The tsconfig.build.json files that are missing or whose project references differ from the
 * package's @credless (run-time) dependencies, with what they should hold (tsc -b builds in reference order, so
 * references must follow what a package imports; package.json is where that is declared).
 */
export function buildConfigDrift(builds: PackageBuild[]): Array<{ config: string; wanted: unknown }> {
  // A Vite-built package ships static files, nothing tsc could reference.
  const compiled = builds.filter((build) => build.bundler === 'tsc');
  const dirOf = new Map(compiled.map((build) => [build.name, build.dir]));
  const drift: Array<{ config: string; wanted: unknown }> = [];
  for (const build of compiled) {
    const manifest = readJson(join(build.dir, 'package.json')) as Manifest;
    // Not devDependencies: they serve the tests, which are not built (and testkit depends on most packages).
    const references = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })
      .filter((name) => dirOf.has(name))
      .map((name) => ({ path: `../${relative(PACKAGES, dirOf.get(name) as string)}/tsconfig.build.json` }))
      .sort((a, b) => a.path.localeCompare(b.path));
    const wanted = { extends: '../../tsconfig.package.json', references };
    const current = existsSync(build.config) ? readJson(build.config) : undefined;
    if (JSON.stringify(current) !== JSON.stringify(wanted)) drift.push({ config: build.config, wanted });
  }
  return drift;
}

/** Writes what buildConfigDrift finds; returns the files written. */
export function syncBuildConfigs(builds: PackageBuild[]): string[] {
  return buildConfigDrift(builds).map(({ config, wanted }) => {
    writeFileSync(config, `${JSON.stringify(wanted, null, 2)}\n`);
    return relative(ROOT, config);
  });
}

function* filesUnder(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else yield path;
  }
}

/** The src/ files of a package that the build copies to dist/, with their targets. */
export function copiedFiles(build: PackageBuild): Array<{ from: string; to: string }> {
  if (build.bundler === 'vite') return [];
  const src = join(build.dir, 'src');
  return [...filesUnder(src)]
    .filter(isCopiedAsIs)
    .map((from) => ({ from, to: join(build.dir, 'dist', relative(src, from)) }));
}

/**
 * Why the built packages cannot be trusted (dist/ missing, or a src/ file newer than the last build),
 * or undefined when every package's dist/ is current.
 */
export function staleBuild(builds: PackageBuild[] = packageBuilds()): string | undefined {
  for (const build of builds) {
    const stamp = join(build.dir, 'dist', STAMP);
    const where = relative(ROOT, build.dir);
    if (!existsSync(stamp)) return `${where}/dist is missing: run npm run build`;
    const built = statSync(stamp).mtimeMs;
    for (const file of filesUnder(join(build.dir, 'src'))) {
      if (statSync(file).mtimeMs > built) {
        return `${relative(ROOT, file)} changed after the last build of ${where}/dist: run npm run build`;
      }
    }
  }
  return undefined;
}

/** The @credless packages `name` loads at run time, itself included (its dependencies, transitively). */
export function runtimeClosure(name: string, builds: PackageBuild[] = packageBuilds()): PackageBuild[] {
  const byName = new Map(builds.map((build) => [build.name, build]));
  const seen = new Set<string>();
  const visit = (current: string) => {
    const build = byName.get(current);
    if (!build || seen.has(current)) return;
    seen.add(current);
    const manifest = readJson(join(build.dir, 'package.json')) as Manifest;
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency);
  };
  visit(name);
  return builds.filter((build) => seen.has(build.name));
}

/** Throws, telling to run the build, when `name` or a package it loads has no current dist/. */
export function assertBuilt(name: string): void {
  const stale = staleBuild(runtimeClosure(name));
  if (stale) throw new Error(`the built ${name} is out of date: ${stale}`);
}

const SOURCE_CONDITION = /(^|\s)(--conditions|-C)(=|\s+)source(?=\s|$)/g;

/**
 * `env` for a process that must run the built packages: NODE_OPTIONS without the "source" export
 * condition the test runner sets (scripts/run-tests.mjs), which would load src/*.ts without tsx.
 */
export function withoutSourceCondition(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const options = (env['NODE_OPTIONS'] ?? '').replace(SOURCE_CONDITION, ' ').trim();
  const { NODE_OPTIONS: _dropped, ...rest } = env;
  return options ? { ...rest, NODE_OPTIONS: options } : rest;
}
