/**
 * No import circles anywhere in the packages, src and tests alike: a circle means neither module can be
 * understood (or loaded) without the other, so the shared piece belongs in a lower module of its own.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { cruisePackages, type ImportGraph } from './import-graph.ts';

let graph: ImportGraph;
before(async () => {
  graph = await cruisePackages();
});

test('every import of the packages resolves (an unresolved one would hide its edges)', () => {
  assert.deepEqual(
    graph.unresolved.map((entry) => `${entry.from}: ${entry.specifier}`),
    [],
  );
});

test('the import graph of src and tests has no cycles', () => {
  assert.ok(
    graph.imports.length > 1000,
    `only ${graph.imports.length} imports found: is the cruise scope right?`,
  );
  assert.deepEqual(
    graph.cycles.map((cycle) => cycle.join(' -> ')),
    [],
    'import cycles (move what both sides need into a lower module)',
  );
});
