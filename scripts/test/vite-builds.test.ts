/**
 * What the console's size budget counts (scripts/vite-builds.ts): the entry, the first page's lazy
 * chunk, their static imports and CSS — never the other pages' chunks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstPageFiles } from '../vite-builds.ts';

test("the first page's files: entry and first page with their imports and CSS, not the other pages", () => {
  const manifest = {
    'main.tsx': { file: 'assets/main.js', isEntry: true, imports: ['_vendor.js'], css: ['assets/main.css'] },
    '_vendor.js': { file: 'assets/vendor.js' },
    '_table.js': { file: 'assets/table.js', imports: ['_vendor.js'] },
    'pages/Overview.tsx': { file: 'assets/overview.js', imports: ['_table.js'] },
    'pages/SignIns.tsx': { file: 'assets/sign-ins.js', imports: ['_table.js'], css: ['assets/sign-ins.css'] },
  };
  assert.deepEqual(firstPageFiles(manifest, 'pages/Overview.tsx').sort(), [
    'assets/main.css',
    'assets/main.js',
    'assets/overview.js',
    'assets/table.js',
    'assets/vendor.js',
  ]);
  assert.throws(() => firstPageFiles(manifest, 'pages/Missing.tsx'), /no pages\/Missing\.tsx/);
});
