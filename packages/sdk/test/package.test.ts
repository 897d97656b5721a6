import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CREDLESS_SDK_ERROR_CODES } from '../src/index.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

test('the SDK has no runtime dependency: only node: built-ins and its own modules', async () => {
  const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
  assert.equal(manifest.dependencies, undefined);
  for (const file of await sourceFiles(join(ROOT, 'src'))) {
    const source = await readFile(file, 'utf8');
    for (const [, specifier] of source.matchAll(/^\s*(?:import|export)[^'"]*from '([^']+)'/gm)) {
      assert.ok(specifier?.startsWith('node:') || specifier?.startsWith('.'), `${file} imports ${specifier}`);
    }
  }
});

test('every error code is documented in the README', async () => {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  for (const code of CREDLESS_SDK_ERROR_CODES) assert.match(readme, new RegExp(`\\| \`${code}\` +\\|`), code);
});
