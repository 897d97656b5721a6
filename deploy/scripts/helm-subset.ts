/**
 * A strict renderer for the small subset of Helm's Go templates that deploy/helm/credless uses.
 *
 * Why: this machine has no `helm` binary and cannot download one, yet the chart must be tested. So
 * the chart's templates are restricted to this subset (anything else fails the tests), and this file
 * renders exactly it:
 *
 *   {{ .Values.a.b }}  {{ .Release.Name }}  {{ .Release.Namespace }}   scalar output
 *   {{- if .Values.x }} … {{- end }}                                     Go truthiness, nestable
 *   {{- toYaml .Values.x | nindent N }}                                  as Helm's toYaml | nindent
 *
 * `{{-` trims the whitespace before the action, as in Go; `-}}` is not part of the subset. Unlike
 * Helm, printing a path missing from the values is an error (Helm prints "<no value>"), so a typo cannot
 * render silently; only `if` on a key whose map exists reads it as nil (false), as Helm does for a key
 * a user's `null` deleted (deploy/test/chart.test.ts checks every path against values.yaml). When `helm` is on PATH, deploy/test/chart.test.ts also runs `helm template` and
 * compares its objects with ours one by one; without it the subset-rendered output is still fully
 * validated against the Kubernetes schemas, and deploy/test/go-template.test.ts checks this renderer
 * against Go's text/template (Helm's engine) when a Go toolchain is on PATH.
 * @module
 */
import { stringify } from 'yaml';

export interface RenderContext {
  Values: unknown;
  Release: { Name: string; Namespace: string };
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'value'; path: string[]; line: number }
  | { kind: 'if'; path: string[]; line: number; body: Node[] }
  | { kind: 'toYaml'; path: string[]; indent: number; line: number };

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

const ACTION = /\{\{(-)?([^{}]*?)\}\}/g;
const PATH = String.raw`\.(?:Values(?:\.[A-Za-z_][A-Za-z0-9_]*)+|Release\.Name|Release\.Namespace)`;
const VALUE = new RegExp(`^(${PATH})$`);
const IF = /^if (\.Values(?:\.[A-Za-z_][A-Za-z0-9_]*)+)$/;
const TO_YAML = /^toYaml (\.Values(?:\.[A-Za-z_][A-Za-z0-9_]*)+) \| nindent (\d{1,2})$/;

export const SUBSET_DESCRIPTION =
  '{{ .Values.x }}, {{ .Release.Name }}, {{ .Release.Namespace }}, {{- if .Values.x }}…{{- end }}, ' +
  '{{- toYaml .Values.x | nindent N }}';

/** Parses a template; throws on any action outside the subset, naming the file and line. */
export function parseTemplate(source: string, file = 'template'): Node[] {
  const root: Node[] = [];
  const stack: Array<{ body: Node[]; line: number }> = [{ body: root, line: 0 }];
  const lineAt = (offset: number) => source.slice(0, offset).split('\n').length;
  let last = 0;
  for (const match of source.matchAll(ACTION)) {
    const offset = match.index;
    const line = lineAt(offset);
    const fail = (reason: string): never => {
      throw new TemplateError(
        `${file}:${line}: ${reason} in '${match[0]}' (the subset is ${SUBSET_DESCRIPTION})`,
      );
    };
    const body = stack.at(-1)!.body;
    let text = source.slice(last, offset);
    if (match[1]) text = text.replace(/[ \t\r\n]+$/, '');
    if (text) body.push({ kind: 'text', text });
    last = offset + match[0].length;

    const inner = match[2]!;
    if (inner.endsWith(' -') || inner.startsWith('-')) fail('right-trim "-}}" is not supported');
    if (!inner.startsWith(' ') || !inner.endsWith(' ') || inner.trim() !== inner.slice(1, -1))
      fail('an action is written "{{ action }}" with exactly one space inside each brace');
    const action = inner.trim();
    const value = VALUE.exec(action);
    const condition = IF.exec(action);
    const toYaml = TO_YAML.exec(action);
    if (value) body.push({ kind: 'value', path: value[1]!.slice(1).split('.'), line });
    else if (condition) {
      if (!match[1]) fail('"if" must trim the whitespace before it ({{- if …}})');
      const node: Node = { kind: 'if', path: condition[1]!.slice(1).split('.'), line, body: [] };
      body.push(node);
      stack.push({ body: node.body, line });
    } else if (action === 'end') {
      if (!match[1]) fail('"end" must trim the whitespace before it ({{- end }})');
      if (stack.length === 1) fail('"end" without "if"');
      stack.pop();
    } else if (toYaml) {
      if (!match[1]) fail('"toYaml" must trim the whitespace before it ({{- toYaml …}})');
      body.push({ kind: 'toYaml', path: toYaml[1]!.slice(1).split('.'), indent: Number(toYaml[2]), line });
    } else fail('unsupported action');
  }
  const rest = source.slice(last);
  if (rest.includes('{{') || rest.includes('}}'))
    throw new TemplateError(`${file}: unbalanced "{{" or "}}" after the last action`);
  if (rest) stack.at(-1)!.body.push({ kind: 'text', text: rest });
  if (stack.length > 1) throw new TemplateError(`${file}:${stack.at(-1)!.line}: "if" without "end"`);
  return root;
}

/** Every value path a template refers to, including those in branches a given values set skips. */
export function referencedPaths(nodes: Node[]): string[][] {
  return nodes.flatMap((node) => {
    if (node.kind === 'text') return [];
    if (node.kind === 'if') return [node.path, ...referencedPaths(node.body)];
    return [node.path];
  });
}

export function resolvePath(
  context: RenderContext,
  path: string[],
  where: string,
  missingLastKeyIsNil = false,
): unknown {
  let current: unknown = context;
  for (const [index, key] of path.entries()) {
    const map =
      typeof current === 'object' && current !== null && !Array.isArray(current) ? current : undefined;
    if (missingLastKeyIsNil && map && index === path.length - 1 && !(key in map)) return undefined;
    if (!map || !(key in map))
      throw new TemplateError(
        `${where}: .${path.slice(0, index + 1).join('.')} is not defined in the values`,
      );
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Go templates' `if`: false, 0, nil, "" and empty lists/maps are false. */
export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** How Go's fmt prints a scalar value; refuses what Helm would print differently from JavaScript. */
export function formatScalar(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  // Helm's values are float64: Go prints 1000000 as 1e+06, so only small integers are safe unquoted.
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
  throw new TemplateError(
    `${where}: cannot print ${JSON.stringify(value)} (only strings, booleans and integers below 1e6)`,
  );
}

/** Helm's `toYaml` (sorted keys, block lists at the parent's indent, no trailing newline) + `nindent`. */
export function toYamlNindent(value: unknown, indent: number): string {
  const text = stringify(value, { sortMapEntries: true, indentSeq: false, lineWidth: 0 }).replace(/\n$/, '');
  const pad = ' '.repeat(indent);
  return `\n${pad}${text.replaceAll('\n', `\n${pad}`)}`;
}

function renderNodes(nodes: Node[], context: RenderContext, file: string): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else {
      const where = `${file}:${node.line}`;
      const value = resolvePath(context, node.path, where, node.kind === 'if');
      if (node.kind === 'value') out += formatScalar(value, where);
      else if (node.kind === 'toYaml') out += toYamlNindent(value, node.indent);
      else if (isTruthy(value)) out += renderNodes(node.body, context, file);
    }
  }
  return out;
}

export function renderTemplate(source: string, context: RenderContext, file = 'template'): string {
  return renderNodes(parseTemplate(source, file), context, file);
}

/**
 * Helm's coalescing of a values override onto the defaults: maps merge, everything else replaces, and
 * null deletes the key (how a user drops a default such as the webhook's podAntiAffinity).
 */
export function mergeValues(defaults: unknown, override: unknown): unknown {
  const isMap = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isMap(defaults) || !isMap(override)) return override === undefined ? defaults : override;
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete merged[key];
    else merged[key] = mergeValues(defaults[key], value);
  }
  return merged;
}
