/**
 * Loads deploy/helm/credless and renders it with the template subset (helm-subset.ts), or with a real
 * `helm template` when helm is on PATH. Both yield plain objects, keyed the same way, so they compare.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { mergeValues, type RenderContext, renderTemplate } from './helm-subset.ts';

export const REPO_ROOT = new URL('../../../', import.meta.url).pathname;
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

/** What `helm template <release> <chart> -n <namespace> -f values` gives, through the subset renderer. */
export function renderChart(options: RenderOptions = {}): RenderedTemplate[] {
  const chartDir = options.chartDir ?? CHART_DIR;
  const context: RenderContext = {
    Values: mergeValues(chartValues(chartDir), options.values ?? {}),
    Release: options.release ?? DEFAULT_RELEASE,
  };
  return chartTemplates(chartDir).map(({ template, source }) => {
    const text = renderTemplate(source, context, template).replace(/^\s+/, '').replace(/\s+$/, '');
    return { template, text, objects: parseObjects(text, template) };
  });
}

export const objectKey = (o: K8sObject) =>
  `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`;

export function helmOnPath(): boolean {
  return spawnSync('helm', ['version', '--short'], { encoding: 'utf8' }).status === 0;
}

/** Runs the real `helm template`; only called when helmOnPath(). */
export function helmTemplate(options: RenderOptions = {}): K8sObject[] {
  const release = options.release ?? DEFAULT_RELEASE;
  const dir = mkdtempSync(join(tmpdir(), 'credless-helm-'));
  try {
    const valuesFile = join(dir, 'values.yaml');
    writeFileSync(valuesFile, stringify(options.values ?? {}));
    const result = spawnSync(
      'helm',
      [
        'template',
        release.Name,
        options.chartDir ?? CHART_DIR,
        '--namespace',
        release.Namespace,
        '-f',
        valuesFile,
        // Old Helm versions default to Kubernetes 1.20, below the chart's kubeVersion.
        '--kube-version',
        '1.30.0',
      ],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
    return parseObjects(result.stdout, 'helm template');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
