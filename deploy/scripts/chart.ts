/**
 * Loads deploy/helm/credless and renders it with the template subset (helm-subset.ts): what
 * `npm run manifests` writes and what the deploy tests check. The tests' real-helm comparison
 * (deploy/test/support/helm-binary.ts) yields the same plain objects, keyed the same way.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { mergeValues, type RenderContext, renderTemplate, TemplateError } from './helm-subset.ts';

export const REPO_ROOT = new URL('../../', import.meta.url).pathname;
export const CHART_DIR = join(REPO_ROOT, 'deploy/helm/credless');
export const MANIFESTS_DIR = join(REPO_ROOT, 'deploy/kubernetes');
export const DEFAULT_RELEASE = { Name: 'credless', Namespace: 'credless-system' };

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
};

export interface RenderedTemplate {
  /** File name under templates/. */
  template: string;
  /** Rendered text, leading/trailing blank lines removed; '' when every object is disabled. */
  text: string;
  objects: K8sObject[];
}

export function chartTemplates(chartDir = CHART_DIR): Array<{ template: string; source: string }> {
  return readdirSync(join(chartDir, 'templates'))
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((template) => ({ template, source: readFileSync(join(chartDir, 'templates', template), 'utf8') }));
}

export function chartValues(chartDir = CHART_DIR): Record<string, unknown> {
  return parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>;
}

export function chartMetadata(chartDir = CHART_DIR): Record<string, unknown> {
  return parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
}

/** Parses a multi-document YAML stream; every document must be one Kubernetes object. */
export function parseObjects(text: string, where: string): K8sObject[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${where}: ${doc.errors[0]!.message}`);
    const value = doc.toJSON() as unknown;
    if (value === null) return [];
    if (typeof value !== 'object' || Array.isArray(value) || !('kind' in value))
      throw new Error(`${where}: a document is not a Kubernetes object`);
    return [value as K8sObject];
  });
}

export interface RenderOptions {
  values?: unknown;
  release?: RenderContext['Release'];
  chartDir?: string;
}

/**
 * Checks merged values against the chart's values.schema.json, as Helm does before rendering: a
 * misspelt key or both minAvailable and maxUnavailable is refused here, not by the API server.
 */
export function assertValuesMatchSchema(values: unknown, chartDir = CHART_DIR): void {
  const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  if (validate(values)) return;
  const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
  throw new TemplateError(`values don't meet the chart's values.schema.json: ${errors.join('; ')}`);
}

/** What `helm template <release> <chart> -n <namespace> -f values` gives, through the subset renderer. */
export function renderChart(options: RenderOptions = {}): RenderedTemplate[] {
  const chartDir = options.chartDir ?? CHART_DIR;
  const context: RenderContext = {
    Values: mergeValues(chartValues(chartDir), options.values ?? {}),
    Release: options.release ?? DEFAULT_RELEASE,
  };
  assertValuesMatchSchema(context.Values, chartDir);
  return chartTemplates(chartDir).map(({ template, source }) => {
    const text = renderTemplate(source, context, template).replace(/^\s+/, '').replace(/\s+$/, '');
    return { template, text, objects: parseObjects(text, template) };
  });
}

export const objectKey = (o: K8sObject) =>
  `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`;
