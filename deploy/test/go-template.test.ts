/**
 * Cross-checks the template-subset renderer against Go's text/template — the engine inside Helm — when
 * a Go toolchain is on PATH (Debian: golang-go). Text without toYaml must match byte for byte (`{{-`
 * trimming, value printing, truthiness); with toYaml (rendered as JSON by the Go side, which is YAML),
 * the parsed objects must match. Every chart template is rendered with every test values set.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse } from 'yaml';
import {
  chartTemplates,
  chartValues,
  type K8sObject,
  objectKey,
  parseObjects,
  renderChart,
} from '../scripts/chart.ts';
import { mergeValues, type RenderContext, renderTemplate } from '../scripts/helm-subset.ts';
import { context, RENDER_CASES } from './support/render-cases.ts';
import { VALUE_SETS } from './support/value-sets.ts';

/** ConfigMap data holding YAML (identity bindings) compares by content, not by its quoting style. */
function normalize(objects: K8sObject[]): K8sObject[] {
  return objects.map((o) =>
    o.kind === 'ConfigMap'
      ? {
          ...o,
          data: Object.fromEntries(
            Object.entries(o['data'] as Record<string, string>).map(([k, v]) => [k, parse(v) as unknown]),
          ),
        }
      : o,
  );
}

const go = spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0;
const skip =
  !go && 'no Go toolchain on PATH (apt-get install golang-go); the table tests still pin the semantics';

describe(go
  ? 'subset renderer agrees with Go text/template'
  : 'Go text/template cross-check (skipped: no go)', {
  skip,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'credless-gotemplate-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const binary = join(dir, 'gotemplate');
  const build = () => {
    const result = spawnSync('go', ['build', '-o', binary, 'main.go'], {
      cwd: new URL('./support/gotemplate/', import.meta.url).pathname,
      encoding: 'utf8',
      env: { ...process.env, GO111MODULE: 'off', GOCACHE: process.env['GOCACHE'] ?? join(dir, 'cache') },
    });
    assert.equal(result.status, 0, result.stderr);
  };
  const goRender = (template: string, ctx: RenderContext): string => {
    const input = JSON.stringify({ template, values: ctx.Values, release: ctx.Release });
    const result = spawnSync(binary, [], { input, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout;
  };

  test('builds the Go renderer', build);

  test('table cases: same text (same objects where toYaml is involved)', () => {
    for (const [name, template, expected] of RENDER_CASES) {
      const fromGo = goRender(template, context);
      if (template.includes('toYaml')) assert.deepEqual(parse(fromGo), parse(expected), name);
      else assert.equal(fromGo, expected, name);
    }
  });

  test('Go prints a large number as Helm would, which is why the subset refuses it', () =>
    assert.equal(goRender('{{ .Values.big }}', context), '1e+06'));

  for (const { name, release, values } of VALUE_SETS) {
    test(`every chart template, ${name}: same objects`, () => {
      const ctx: RenderContext = { Values: mergeValues(chartValues(), values), Release: release };
      const ours = new Map(renderChart({ values, release }).map((t) => [t.template, t.objects]));
      for (const { template, source } of chartTemplates()) {
        const fromGo = parseObjects(goRender(source, ctx), `go:${template}`);
        assert.deepEqual(fromGo.map(objectKey), ours.get(template)!.map(objectKey), template);
        assert.deepEqual(normalize(fromGo), normalize(ours.get(template)!), template);
        // Without toYaml the text itself must agree (trimming and value printing).
        if (!source.includes('toYaml'))
          assert.equal(goRender(source, ctx), renderTemplate(source, ctx, template));
      }
    });
  }
});
