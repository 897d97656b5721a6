/**
 * The sample app's manifests with their `${PLACEHOLDER}`s filled in, as the pipeline's sed does; a
 * placeholder left without a value is an error rather than kept.
 */
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';

export const K8S_DIR = new URL('../k8s/', import.meta.url);
export const MANIFEST_FILES = [
  'serviceaccount.yaml',
  'deployment.yaml',
  'service.yaml',
  'federated-credential.json',
];

const PLACEHOLDER = /\$\{([A-Z][A-Z0-9_]*)\}/g;

export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((match) => match[1] as string);
}

export function substitute(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (_whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for the placeholder \${${name}}`);
    return value;
  });
}

export async function readManifest(file: string): Promise<string> {
  return readFile(new URL(file, K8S_DIR), 'utf8');
}

/** Every YAML document of `file` after substitution, failing on any parse error. */
export async function loadYamlObjects(
  file: string,
  values: Record<string, string>,
): Promise<Array<Record<string, unknown>>> {
  const documents = parseAllDocuments(substitute(await readManifest(file), values));
  return documents.map((document, index) => {
    if (document.errors.length > 0)
      throw new Error(`${file} document ${index}: ${document.errors[0]?.message}`);
    return document.toJS() as Record<string, unknown>;
  });
}

export async function loadFederatedCredential(
  values: Record<string, string>,
): Promise<Record<string, unknown>> {
  return JSON.parse(substitute(await readManifest('federated-credential.json'), values)) as Record<
    string,
    unknown
  >;
}
