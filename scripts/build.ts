/**
 * `npm run build`: compiles every package's src/ to dist/ (JavaScript, .d.ts, source maps) with
 * `tsc -b` over their tsconfig.build.json (incremental: a rebuild with nothing changed takes seconds;
 * each one's references are kept in step with its package.json first), copies the CommonJS files tsc does not compile,
 * bundles the Vite packages (the console; vite-builds.ts checks its first page's size), and stamps each
 * dist/ for the tests' freshness check.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { copiedFiles, packageBuilds, STAMP, syncBuildConfigs } from './package-builds.ts';
import { viteBuild } from './vite-builds.ts';

const started = new Date();
const builds = packageBuilds();
const compiled = builds.filter((build) => build.bundler === 'tsc');
for (const file of syncBuildConfigs(builds))
  console.log(`build: wrote ${file} (references follow package.json)`);

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-b', ...compiled.map((build) => build.config)], { stdio: 'inherit' });
} catch {
  process.exit(1);
}
for (const build of builds.filter((candidate) => candidate.bundler === 'vite')) {
  try {
    await viteBuild(build);
  } catch (error) {
    console.error(`build: ${build.name}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

for (const build of builds) {
  for (const { from, to } of copiedFiles(build)) {
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
  const stamp = join(build.dir, 'dist', STAMP);
  writeFileSync(stamp, '');
  utimesSync(stamp, started, started);
}
console.log(`built ${builds.map((build) => build.name).join(', ')}`);
