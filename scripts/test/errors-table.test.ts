/**
 * Every error code is documented: README.md's "Errors and exit codes" table is the one the catalogue
 * renders, so a code added, renamed, re-worded or given another exit code without `npm run docs:errors`
 * fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERROR_CATALOGUE, exitCodeOf } from '@credless/core';
import { withErrorsTable } from '../docs-errors-table.ts';
import { ROOT } from './import-graph.ts';

const readme = () => readFileSync(join(ROOT, 'README.md'), 'utf8');

test('README.md shows the errors table of the catalogue (npm run docs:errors)', () => {
  const text = readme();
  assert.equal(text, withErrorsTable(text));
});

test('every catalogue code has a row with its exit code', () => {
  const text = readme();
  for (const code of Object.keys(ERROR_CATALOGUE) as Array<keyof typeof ERROR_CATALOGUE>) {
    const row = text.split('\n').find((line) => /^\| `([^`]+)` +\|/.exec(line)?.[1] === code);
    assert.ok(row, `${code} is not documented in README.md`);
    assert.equal(row.split('|')[3]?.trim(), String(exitCodeOf(code)), row);
  }
});

test('a table that lost a row, or shows another exit code, is stale', () => {
  const text = readme();
  const lost = text.replace(/^\| `not_found` +\|.*\n/m, '');
  assert.notEqual(lost, text);
  assert.equal(withErrorsTable(lost), text);
  const wrongExit = text.replace(/^(\| `usage_invalid` +\| operator +\| )2/m, '$11');
  assert.notEqual(wrongExit, text);
  assert.equal(withErrorsTable(wrongExit), text);
});
