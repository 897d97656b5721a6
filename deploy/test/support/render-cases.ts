/**
 * Hand-written expected output for the template-subset renderer (Go text/template + Helm semantics),
 * shared by the renderer's table tests and the cross-check against Go's text/template.
 * @module
 */
export const context = {
  Values: {
    name: 'web',
    replicas: 2,
    on: true,
    off: false,
    empty: '',
    zero: 0,
    list: [] as unknown[],
    map: {} as Record<string, unknown>,
    big: 1000000,
    nested: { a: { b: 'deep' } },
    resources: { requests: { memory: '64Mi', cpu: '10m' }, limits: { memory: '128Mi' } },
    env: [{ name: 'A', value: '1' }],
  },
  Release: { Name: 'rel', Namespace: 'ns' },
};

export const RENDER_CASES: Array<[name: string, template: string, expected: string]> = [
  ['plain text passes through', 'a: b\n', 'a: b\n'],
  ['a string value', 'name: {{ .Values.name }}\n', 'name: web\n'],
  ['an integer value', 'replicas: {{ .Values.replicas }}', 'replicas: 2'],
  ['a boolean value', 'on: {{ .Values.on }}', 'on: true'],
  ['a nested value', 'x: {{ .Values.nested.a.b }}', 'x: deep'],
  ['release name and namespace', '{{ .Release.Name }}/{{ .Release.Namespace }}', 'rel/ns'],
  [
    '{{- trims spaces and newlines before it',
    'a: 1\n  \n{{- if .Values.on }}\nb: 2\n{{- end }}\n',
    'a: 1\nb: 2\n',
  ],
  ['a false if drops its body', 'a: 1\n{{- if .Values.off }}\nb: 2\n{{- end }}\nc: 3\n', 'a: 1\nc: 3\n'],
  ['"" is false', 'a{{- if .Values.empty }}x{{- end }}', 'a'],
  ['0 is false', 'a{{- if .Values.zero }}x{{- end }}', 'a'],
  ['an empty list is false', 'a{{- if .Values.list }}x{{- end }}', 'a'],
  ['an empty map is false', 'a{{- if .Values.map }}x{{- end }}', 'a'],
  ['a non-empty map is true', 'a{{- if .Values.nested }}x{{- end }}', 'ax'],
  [
    'nested ifs',
    'k:\n{{- if .Values.on }}\n  a: 1\n{{- if .Values.off }}\n  b: 2\n{{- end }}\n  c: 3\n{{- end }}\n',
    'k:\n  a: 1\n  c: 3\n',
  ],
  [
    'toYaml | nindent: sorted keys, indented, no trailing newline',
    'resources:\n  {{- toYaml .Values.resources | nindent 4 }}\nnext: 1\n',
    'resources:\n    limits:\n      memory: 128Mi\n    requests:\n      cpu: 10m\n      memory: 64Mi\nnext: 1\n',
  ],
  [
    'toYaml of a list keeps "- " at the indent',
    'env:\n  {{- toYaml .Values.env | nindent 2 }}\n',
    'env:\n  - name: A\n    value: "1"\n',
  ],
  ['toYaml of an empty map', 'm: {{- toYaml .Values.map | nindent 2 }}', 'm:\n  {}'],
];
