/**
 * The package graph is the one the README draws, and only that: README's "Package dependencies" table
 * lists the packages lowest layer first, with what each depends on and what its tests also use. Every
 * package.json must say the same, every import must be declared there, no import may reach into another
 * package's files, and nothing may depend on a package below it in the table.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import {
  cruisePackages,
  PACKAGE_SCOPE,
  type PackageImport,
  type PackageManifest,
  ROOT,
  readManifests,
} from './import-graph.ts';

/** Helpers for tests only: any package's tests may use one whose own dependencies sit above that package. */
const TEST_SUPPORT = new Set(['@credless/testkit']);

/**
 * Known breaches, each to be removed by the change that fixes it (a listed one that no longer occurs
 * fails too, so the list only shrinks).
 */
const KNOWN: Array<{ packageDir: string; kind: PackageImport['kind']; target: string }> = [];

interface ReadmeRow {
  name: string;
  dependsOn: string[];
  testsAlsoUse: string[];
}

/** The rows of README's "Package dependencies" table, in order. */
function readmeRows(): ReadmeRow[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith('Package dependencies\n'));
  assert.ok(section, 'README.md has no "## Package dependencies" section');
  const names = (cell: string) =>
    [...cell.matchAll(/`(@credless\/[a-z-]+)`/g)].map((match) => match[1] as string);
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `@credless/'))
    .map((line) => {
      const [name = '', , dependsOn = '', testsAlsoUse = ''] = line.split('|').slice(1, -1);
      return {
        name: names(name)[0] ?? name.trim(),
        dependsOn: names(dependsOn),
        testsAlsoUse: names(testsAlsoUse),
      };
    });
}

const scoped = (deps: Record<string, string>) =>
  Object.keys(deps)
    .filter((name) => name.startsWith(PACKAGE_SCOPE))
    .sort();

/** '@credless/server/thread-pool' → ['@credless/server', './thread-pool']. */
function splitSpecifier(specifier: string): [string, string] {
  const [scope, name, ...rest] = specifier.split('/');
  return [`${scope}/${name}`, rest.length ? `./${rest.join('/')}` : '.'];
}

/** What is wrong with one import, given the manifests and the layer order ('' when nothing). */
function importProblem(
  entry: PackageImport,
  byDir: Map<string, PackageManifest>,
  byName: Map<string, PackageManifest>,
  rank: Map<string, number>,
): string {
  const own = byDir.get(entry.packageDir) as PackageManifest;
  if (entry.specifier.startsWith('.')) {
    // The repository's own tooling (scripts/) is fair game; another package's files are not.
    const ownDir = `packages/${entry.packageDir}/`;
    const other = entry.resolved.startsWith('packages/') && !entry.resolved.startsWith(ownDir);
    return other ? 'a relative import into another package' : '';
  }
  if (!entry.specifier.startsWith(PACKAGE_SCOPE)) return '';
  const [name, subpath] = splitSpecifier(entry.specifier);
  const target = byName.get(name);
  if (!target) return `no package is named ${name}`;
  if (!target.exports.includes(subpath))
    return `a deep import: ${name} exports only ${target.exports.join(', ')}`;
  if (name === own.name) return '';
  const declared = entry.kind === 'src' ? own.dependencies : { ...own.dependencies, ...own.devDependencies };
  if (!(name in declared))
    return `${name} is not in ${own.name}'s ${entry.kind === 'src' ? 'dependencies' : 'dependencies or devDependencies'}`;
  return layerProblem(own, name, entry.kind, byName, rank);
}

/** '' when `own` may depend on `name` (for its tests only when kind is 'test'). */
function layerProblem(
  own: PackageManifest,
  name: string,
  kind: PackageImport['kind'],
  byName: Map<string, PackageManifest>,
  rank: Map<string, number>,
): string {
  const ownRank = rank.get(own.name) ?? -1;
  if ((rank.get(name) ?? Number.POSITIVE_INFINITY) < ownRank) return '';
  if (kind === 'test' && TEST_SUPPORT.has(name)) {
    const support = byName.get(name) as PackageManifest;
    const below = scoped(support.dependencies).filter(
      (dep) => (rank.get(dep) ?? Number.POSITIVE_INFINITY) > ownRank,
    );
    return below.length ? `${name} (for tests) depends on ${below.join(', ')}, below ${own.name}` : '';
  }
  return `${name} is not above ${own.name} in README's package table (an upward dependency)`;
}

const isKnown = (entry: PackageImport) =>
  KNOWN.some(
    (known) =>
      known.packageDir === entry.packageDir &&
      known.kind === entry.kind &&
      splitSpecifier(entry.specifier)[0] === known.target,
  );

describe('package dependencies', () => {
  const manifests = readManifests();
  const byDir = new Map(manifests.map((manifest) => [manifest.dir, manifest]));
  const byName = new Map(manifests.map((manifest) => [manifest.name, manifest]));
  const rows = readmeRows();
  const rank = new Map(rows.map((row, index) => [row.name, index]));
  let imports: PackageImport[];

  before(async () => {
    imports = (await cruisePackages()).imports;
  });

  test("README's table lists every package once, with its package.json dependencies", () => {
    assert.deepEqual(rows.map((row) => row.name).sort(), manifests.map((manifest) => manifest.name).sort());
    for (const row of rows) {
      const manifest = byName.get(row.name) as PackageManifest;
      assert.deepEqual(row.dependsOn.sort(), scoped(manifest.dependencies), `${row.name}: depends on`);
      assert.deepEqual(
        row.testsAlsoUse.sort(),
        scoped(manifest.devDependencies),
        `${row.name}: tests also use`,
      );
    }
  });

  test('declared dependencies only point up the table (tests may also use test support)', () => {
    const problems = manifests.flatMap((manifest) => [
      ...scoped(manifest.dependencies).map((name) => [
        name,
        layerProblem(manifest, name, 'src', byName, rank),
      ]),
      ...scoped(manifest.devDependencies).map((name) => [
        name,
        layerProblem(manifest, name, 'test', byName, rank),
      ]),
    ]);
    assert.deepEqual(
      problems.filter(([, problem]) => problem),
      [],
    );
  });

  test('every import is declared, stays out of other packages’ files and points up the table', () => {
    const found = imports
      .map((entry) => ({ entry, problem: importProblem(entry, byDir, byName, rank) }))
      .filter(({ problem }) => problem);
    assert.deepEqual(
      found
        .filter(({ entry }) => !isKnown(entry))
        .map(({ entry, problem }) => `${entry.from}: '${entry.specifier}': ${problem}`),
      [],
    );
    const stillThere = KNOWN.filter((known) =>
      found.some(({ entry }) => isKnown(entry) && entry.packageDir === known.packageDir),
    );
    assert.deepEqual(stillThere, KNOWN, 'a known breach is fixed: remove it from KNOWN');
  });

  test('every declared credless dependency is imported (else the table draws an edge the code lacks)', () => {
    const used = new Set(
      imports
        .filter((entry) => entry.specifier.startsWith(PACKAGE_SCOPE))
        .map((entry) => `${entry.packageDir} ${entry.kind} ${splitSpecifier(entry.specifier)[0]}`),
    );
    const unused = manifests.flatMap((manifest) => [
      ...scoped(manifest.dependencies)
        .filter((name) => !used.has(`${manifest.dir} src ${name}`))
        .map((name) => `${manifest.name} dependencies: ${name}`),
      ...scoped(manifest.devDependencies)
        .filter((name) => !used.has(`${manifest.dir} test ${name}`))
        .map((name) => `${manifest.name} devDependencies: ${name}`),
    ]);
    assert.deepEqual(unused, []);
  });
});
