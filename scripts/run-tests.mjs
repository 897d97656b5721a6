#!/usr/bin/env node
// Runs every *.test.ts under packages/, bench/, deploy/, examples/ and scripts/ with node's test runner (TypeScript through tsx).
// The "source" export condition makes @credless/* imports load src/, here and in every child process
// (NODE_OPTIONS), so tests need no build; only the CLI tests run the built bin (npm run build first),
// with the condition taken out of its environment (packages/cli/test/run-binary.ts).
// Usage: npm test [-- <path filter>...]   e.g. npm test -- packages/core
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const SOURCE_CONDITION = '--conditions=source';
const filters = process.argv.slice(2);

function* walk(dir) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (entry.endsWith('.test.ts')) yield path;
  }
}

const files = ['packages', 'bench', 'deploy', 'examples', 'scripts']
  .flatMap((dir) => [...walk(join(root, dir))])
  .map((file) => relative(root, file))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();

if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ') || '(all)'}`);
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      NODE_ENV: 'test',
      NODE_OPTIONS: [process.env.NODE_OPTIONS, SOURCE_CONDITION].filter(Boolean).join(' '),
    },
  },
);
process.exit(result.status ?? 1);
