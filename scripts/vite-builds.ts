/**
 * The Vite half of `npm run build`: bundles each package with a vite.config.ts (the console) into its
 * dist/, then measures what the browser loads for the first page — the entry chunk, its static
 * imports, the first page's own lazy chunk and their CSS, gzipped — prints it, and fails the build
 * above the budget (issue #13: 350 kB).
 * @module
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { type PackageBuild, ROOT, runtimeClosure, STAMP, staleBuild, VITE_CONFIG } from './package-builds.ts';

export const FIRST_PAGE_BUDGET_BYTES = 350 * 1000;
/** The module of the page the console opens on (shell/pages.ts: the Overview at /). */
const FIRST_PAGE_MODULE = 'pages/Overview.tsx';

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  css?: string[];
}

/** Files (relative to dist/) the first page loads: the entry and the first page, with static imports. */
export function firstPageFiles(manifest: Record<string, ManifestChunk>, firstPage: string): string[] {
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  if (!manifest[firstPage])
    throw new Error(`the build's manifest has no ${firstPage}: is it still lazily loaded?`);
  visit(firstPage);
  return [...files];
}

/** Gzipped size of what the first page loads, in bytes. */
export function firstPageBytes(dist: string): { bytes: number; files: string[] } {
  const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8')) as Record<
    string,
    ManifestChunk
  >;
  const files = firstPageFiles(manifest, FIRST_PAGE_MODULE);
  const bytes = files.reduce((sum, file) => sum + gzipSync(readFileSync(join(dist, file))).length, 0);
  return { bytes, files };
}

/**
 * True when dist/ is newer than src/ (its own and that of the packages it bundles: the console's
 * claims-expression parser comes from @credless/core), the Vite config and the manifest (a bundle is
 * not incremental).
 */
function upToDate(pkg: PackageBuild): boolean {
  const stamp = join(pkg.dir, 'dist', STAMP);
  if (staleBuild(runtimeClosure(pkg.name)) !== undefined || !existsSync(stamp)) return false;
  const built = statSync(stamp).mtimeMs;
  return [VITE_CONFIG, 'package.json'].every((file) => statSync(join(pkg.dir, file)).mtimeMs <= built);
}

/** Builds one Vite package (unless its dist/ is current); throws when its first page is over the budget. */
export async function viteBuild(pkg: PackageBuild): Promise<void> {
  const dist = join(pkg.dir, 'dist');
  if (upToDate(pkg)) {
    console.log(`build: ${pkg.name}: ${relative(ROOT, dist)} is up to date`);
    return;
  }
  await build({ configFile: join(pkg.dir, VITE_CONFIG), build: { manifest: true } });
  const { bytes, files } = firstPageBytes(dist);
  const kB = (bytes / 1000).toFixed(1);
  console.log(
    `build: ${pkg.name}: first page ${kB} kB gzipped (${files.length} files; budget ${FIRST_PAGE_BUDGET_BYTES / 1000} kB) in ${relative(ROOT, dist)}`,
  );
  if (bytes > FIRST_PAGE_BUDGET_BYTES) {
    throw new Error(
      `${pkg.name}'s first page is ${kB} kB gzipped, over the ${FIRST_PAGE_BUDGET_BYTES / 1000} kB budget: load more of it lazily`,
    );
  }
}
