/**
 * The workspace as the structure tests see it: every package's manifest, and the import graph of every
 * package's src and test files as dependency-cruiser resolves it (type-only imports included, since a
 * type import ties two modules together as much as a value import does).
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const PACKAGE_SCOPE = '@credless/';

export interface PackageManifest {
  name: string;
  /** Folder name under packages/. */
  dir: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  /** The subpaths its "exports" field opens ('.' for the package itself). */
  exports: string[];
}

/** One import of a package's file: who imports, what it wrote, and where that resolved to. */
export interface PackageImport {
  /** Repository-relative path of the importing file. */
  from: string;
  /** The folder (under packages/) of the importing file's package. */
  packageDir: string;
  /** Test code (under the package's test/) or what the package ships. */
  kind: 'src' | 'test';
  specifier: string;
  /** Repository-relative path it resolved to ('' when it could not be resolved). */
  resolved: string;
}

export interface ImportGraph {
  imports: PackageImport[];
  /** Each import cycle once, as the file paths around it. */
  cycles: string[][];
  unresolved: PackageImport[];
}

export function readManifests(): PackageManifest[] {
  const packages = join(ROOT, 'packages');
  return readdirSync(packages, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      let raw: string;
      try {
        raw = readFileSync(join(packages, entry.name, 'package.json'), 'utf8');
      } catch {
        return [];
      }
      const json = JSON.parse(raw) as Record<string, unknown>;
      const exportsField = json['exports'];
      return [
        {
          name: String(json['name']),
          dir: entry.name,
          dependencies: (json['dependencies'] ?? {}) as Record<string, string>,
          devDependencies: (json['devDependencies'] ?? {}) as Record<string, string>,
          exports:
            exportsField && typeof exportsField === 'object' && !Array.isArray(exportsField)
              ? Object.keys(exportsField)
              : ['.'],
        },
      ];
    });
}

const PACKAGE_FILE = /^packages\/([^/]+)\/(test\/)?/;

/** Cruises packages/ (src, test, bin; never node_modules or built dist/). Takes ~10 s. */
export async function cruisePackages(): Promise<ImportGraph> {
  const result = await cruise(
    ['packages'],
    {
      baseDir: ROOT,
      exclude: { path: '(^|/)(node_modules|dist)/' },
      tsPreCompilationDeps: true,
      // Resolving a package's file (the server finding the console's build) depends on that package.
      exoticRequireStrings: ['require.resolve'],
      validate: true,
      ruleSet: { forbidden: [{ name: 'no-circular', severity: 'error', from: {}, to: { circular: true } }] },
    },
    {
      // As the tests run the packages: "exports" with the source condition (src/, not dist/).
      exportsFields: ['exports'],
      conditionNames: ['source', 'import', 'require', 'node', 'default'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
  );
  const output = result.output as ICruiseResult;
  const imports: PackageImport[] = [];
  const cycles = new Map<string, string[]>();
  for (const module of output.modules) {
    const owner = PACKAGE_FILE.exec(module.source);
    for (const dependency of module.dependencies) {
      if (dependency.circular && dependency.cycle) {
        const path = [module.source, ...dependency.cycle.map((step) => step.name)];
        const key = [...new Set(path)].sort().join(' ');
        if (!cycles.has(key)) cycles.set(key, path);
      }
      if (!owner?.[1] || dependency.coreModule) continue;
      imports.push({
        from: module.source,
        packageDir: owner[1],
        kind: owner[2] ? 'test' : 'src',
        specifier: dependency.module,
        resolved: dependency.couldNotResolve ? '' : dependency.resolved,
      });
    }
  }
  return {
    imports,
    cycles: [...cycles.values()],
    unresolved: imports.filter((entry) => entry.resolved === ''),
  };
}
