/**
 * Table tests for the template-subset renderer against hand-written expected output, following Go
 * text/template and Helm semantics ({{- trimming, toYaml | nindent, truthiness).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  isTruthy,
  mergeValues,
  parseTemplate,
  referencedPaths,
  renderTemplate,
  TemplateError,
} from '../scripts/helm-subset.ts';
import { context, RENDER_CASES } from './support/render-cases.ts';

describe('helm template subset: rendering', () => {
  for (const [name, template, expected] of RENDER_CASES)
    test(name, () => assert.equal(renderTemplate(template, context), expected));
});

describe('helm template subset: refusals', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['a function call', '{{ default "x" .Values.name }}', /unsupported action/],
    ['a pipeline on a value', '{{ .Values.name | quote }}', /unsupported action/],
    ['include', '{{ include "x" . }}', /unsupported action/],
    ['else', '{{- if .Values.on }}a{{- else }}b{{- end }}', /unsupported action/],
    ['range', '{{- range .Values.env }}x{{- end }}', /unsupported action/],
    ['a variable', '{{ $x := 1 }}', /unsupported action/],
    ['.Chart', '{{ .Chart.AppVersion }}', /unsupported action/],
    ['a comment', '{{ /* note */ }}', /unsupported action/],
    ['right trim', '{{ .Values.name -}}', /right-trim/],
    ['no space inside', '{{.Values.name}}', /exactly one space/],
    ['two spaces inside', '{{  .Values.name }}', /exactly one space/],
    ['if without trim', '{{ if .Values.on }}x{{- end }}', /must trim/],
    ['end without if', 'a{{- end }}', /without "if"/],
    ['if without end', '{{- if .Values.on }}x', /without "end"/],
    ['stray braces', 'a: {{ .Values.name }} }}', /unbalanced/],
    ['a missing value', '{{ .Values.nope }}', /\.Values\.nope is not defined/],
    [
      'an if below a missing map',
      '{{- if .Values.nope.deeper }}x{{- end }}',
      /\.Values\.nope is not defined/,
    ],
    [
      'toYaml of a missing value',
      '{{- toYaml .Values.nested.nope | nindent 2 }}',
      /\.Values\.nested\.nope is not defined/,
    ],
    ['printing a map', '{{ .Values.nested }}', /cannot print/],
    ['printing a number Go prints as 1e+06', '{{ .Values.big }}', /cannot print/],
  ];
  for (const [name, template, message] of cases)
    test(name, () =>
      assert.throws(
        () => renderTemplate(template, context),
        (error: unknown) => error instanceof TemplateError && message.test(error.message),
      ),
    );

  test("an if on a key missing from an existing map is false (Helm's nil, e.g. a key a user's null deleted)", () =>
    assert.equal(renderTemplate('a{{- if .Values.nested.nope }}x{{- end }}', context), 'a'));

  test('errors name the file and line', () =>
    assert.throws(() => renderTemplate('a: 1\nb: {{ .Values.nope }}', context, 'x.yaml'), /x\.yaml:2:/));
});

describe('helm template subset: helpers', () => {
  test('referencedPaths includes paths inside false branches', () =>
    assert.deepEqual(
      referencedPaths(parseTemplate('{{- if .Values.off }}{{ .Values.hidden.x }}{{- end }}')),
      [
        ['Values', 'off'],
        ['Values', 'hidden', 'x'],
      ],
    ));

  test('truthiness follows Go', () => {
    for (const value of [false, 0, '', null, undefined, [], {}]) assert.equal(isTruthy(value), false);
    for (const value of [true, 1, 'x', [0], { a: 1 }]) assert.equal(isTruthy(value), true);
  });

  test('values merge as Helm coalesces them: maps merge, lists and scalars replace', () =>
    assert.deepEqual(mergeValues({ a: { b: 1, c: 2 }, l: [1, 2], s: 'x' }, { a: { c: 3 }, l: [9], s: 'y' }), {
      a: { b: 1, c: 3 },
      l: [9],
      s: 'y',
    }));

  test('a null override deletes the default key, as Helm does', () =>
    assert.deepEqual(mergeValues({ a: { b: 1, c: 2 }, d: 3 }, { a: { b: null }, d: null }), { a: { c: 2 } }));
});
