/**
 * Rewrites README.md's "Errors and exit codes" table from core's error catalogue (`npm run docs:errors`).
 * scripts/test/errors-table.test.ts fails when the committed README is stale.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { withErrorsTable } from './docs-errors-table.ts';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
await writeFile(readme, withErrorsTable(await readFile(readme, 'utf8')));
console.log('wrote the errors table of README.md');
