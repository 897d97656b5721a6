/**
 * Manifests in: multi-document YAML (or JSON), `${VAR}` placeholders filled from the environment — an
 * unresolved one is an error, never kept as text — and each document checked against the subset the
 * local cluster runs.
 * @module
 */
import { CredlessError } from '@credless/core';
import { parseAllDocuments } from 'yaml';
import { CLUSTER_SCOPED_KINDS, type Kind, type KubeObject, SUPPORTED_KINDS } from './objects.ts';

export interface LoadOptions {
  /** Names the input in errors (a file path, or "stdin"). */
  source: string;
  env?: Readonly<Record<string, string | undefined>>;
  defaultNamespace?: string;
  /** Keep unresolved placeholders and skip spec checks (delete -f only needs kinds and names). */
  lenient?: boolean;
}

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Fills `${NAME}` from env; comment lines are left alone (they are not applied). */
export function substitutePlaceholders(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  source: string,
  lenient = false,
): string {
  return text
    .split('\n')
    .map((line, index) => {
      if (line.trimStart().startsWith('#')) return line;
      return line.replace(PLACEHOLDER, (match, name: string) => {
        const value = env[name];
        if (value === undefined && lenient) return match;
        if (value === undefined)
          throw new CredlessError('runtime_placeholder_unresolved', {
            source: `${source}:${index + 1}`,
            name,
          });
        return value;
      });
    })
    .join('\n');
}

export function loadManifests(text: string, options: LoadOptions): KubeObject[] {
  const { source } = options;
  const filled = substitutePlaceholders(text, options.env ?? process.env, source, options.lenient);
  const objects: KubeObject[] = [];
  for (const [index, document] of parseAllDocuments(filled).entries()) {
    const where = `${source} (document ${index + 1})`;
    if ('errors' in document && document.errors.length > 0)
      throw invalid(where, `not valid YAML: ${document.errors[0]?.message.split('\n')[0]}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue; // an empty document between two ---
    if (isList(value)) {
      for (const item of value.items) objects.push(checkObject(item, where, options));
    } else objects.push(checkObject(value, where, options));
  }
  return objects;
}

function isList(value: unknown): value is { items: unknown[] } {
  const v = value as { kind?: unknown; items?: unknown };
  return v.kind === 'List' && Array.isArray(v.items);
}

export function checkObject(
  value: unknown,
  where: string,
  { defaultNamespace = 'default', lenient = false }: LoadOptions,
): KubeObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(where, 'a document must be a Kubernetes object');
  const object = value as Record<string, unknown> & { metadata?: Record<string, unknown> };
  const kind = object['kind'];
  if (typeof kind !== 'string' || !(kind in SUPPORTED_KINDS))
    throw invalid(
      where,
      `kind ${JSON.stringify(kind)} is not supported by the local cluster (supported: ${Object.keys(SUPPORTED_KINDS).join(', ')})`,
    );
  const apiVersion = SUPPORTED_KINDS[kind as Kind];
  if (object['apiVersion'] !== apiVersion)
    throw invalid(
      where,
      `${kind} must have apiVersion ${apiVersion} (got ${JSON.stringify(object['apiVersion'])})`,
    );
  const metadata = object.metadata;
  const name = metadata?.['name'];
  if (typeof name !== 'string' || !DNS_SUBDOMAIN.test(name))
    throw invalid(where, `${kind} needs metadata.name, a lowercase DNS name (got ${JSON.stringify(name)})`);
  const clusterScoped = CLUSTER_SCOPED_KINDS.has(kind);
  const namespace = clusterScoped ? '' : (metadata?.['namespace'] ?? defaultNamespace);
  if (typeof namespace !== 'string' || (!clusterScoped && !DNS_LABEL.test(namespace)))
    throw invalid(
      where,
      `${kind} ${name}: metadata.namespace ${JSON.stringify(namespace)} is not a DNS label`,
    );
  const checked = { ...object, metadata: { ...metadata, name, namespace } } as KubeObject;
  if (lenient) return checked;
  const at = `${where} ${kind} ${name}`;
  if (checked.kind === 'Pod') checkPodSpec(checked.spec, at);
  if (checked.kind === 'Deployment') {
    const spec = checked.spec;
    if (!spec?.template) throw invalid(at, 'spec.template is required');
    checkPodSpec(spec.template.spec, `${at} template`);
    const labels = spec.template.metadata?.labels ?? {};
    for (const [key, want] of Object.entries(spec.selector?.matchLabels ?? {}))
      if (labels[key] !== want)
        throw invalid(at, `spec.selector.matchLabels ${key}=${want} does not match the template's labels`);
    if (
      spec.replicas !== undefined &&
      (!Number.isInteger(spec.replicas) || spec.replicas < 0 || spec.replicas > 50)
    )
      throw invalid(at, 'spec.replicas must be an integer from 0 to 50');
  }
  if (checked.kind === 'Service') {
    for (const port of checked.spec?.ports ?? [])
      if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535)
        throw invalid(at, `port ${JSON.stringify(port.port)} is not a port number`);
  }
  return checked;
}

function checkPodSpec(spec: unknown, at: string): void {
  const containers = (spec as { containers?: unknown } | undefined)?.containers;
  if (!Array.isArray(containers) || containers.length === 0)
    throw invalid(at, 'spec.containers must list at least one container');
  for (const container of containers as Array<{ name?: unknown; image?: unknown }>) {
    if (typeof container.name !== 'string' || !DNS_LABEL.test(container.name))
      throw invalid(at, `container name ${JSON.stringify(container.name)} is not a DNS label`);
    if (typeof container.image !== 'string' || container.image === '')
      throw invalid(at, `container ${container.name} has no image`);
  }
}

const invalid = (source: string, reason: string) =>
  new CredlessError('runtime_manifest_invalid', { source, reason });
