/**
 * README.md's environment tables are the ones the configuration schemas render: a variable added,
 * renamed or re-documented without `npm run docs:env` fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { withEnvironmentTables } from '../environment-tables.ts';
import { ROOT } from './import-graph.ts';

test('README.md shows the environment tables of the schemas (npm run docs:env)', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.equal(readme, withEnvironmentTables(readme));
});

test('a table that lost a variable is stale', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const stale = readme.replace(/^\| `CREDLESS_PORT`.*\n/m, '');
  assert.notEqual(stale, readme);
  assert.equal(withEnvironmentTables(stale), readme);
});
