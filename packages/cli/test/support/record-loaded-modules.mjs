/**
 * A preload (`node --import <this file> …`) that records the path of every file module the process
 * loads, ES modules and require()d CommonJS alike (module.registerHooks, Node ≥ 22.15), and appends
 * them, one a line, to the file $CREDLESS_TEST_LOADED_MODULES names when the process exits.
 * Plain JavaScript: the built binary it runs with has no TypeScript loader.
 */
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

const out = process.env.CREDLESS_TEST_LOADED_MODULES;
if (!out) throw new Error('record-loaded-modules: set CREDLESS_TEST_LOADED_MODULES to an output file');
const loaded = new Set();
registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith('file:')) loaded.add(fileURLToPath(url));
    return nextLoad(url, context);
  },
});
process.on('exit', () => appendFileSync(out, [...loaded].map((path) => `${path}\n`).join('')));
