/**
 * Rewrites README.md's environment tables from the configuration schemas (`npm run docs:env`).
 * scripts/test/environment-tables.test.ts fails when the committed README is stale.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { withEnvironmentTables } from './environment-tables.ts';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
await writeFile(readme, withEnvironmentTables(await readFile(readme, 'utf8')));
console.log('wrote the environment tables of README.md');
