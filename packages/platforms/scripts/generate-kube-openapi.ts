/**
 * Writes src/cluster-access/kube-openapi-definitions.generated.ts: the OpenAPI definitions of the kinds
 * the local clusters serve, from two published sources, nothing written by hand:
 * - the structure (every field of every type, as of the Kubernetes version it was generated from):
 *   @kubernetes/client-node's models (their attributeTypeMap, generated from Kubernetes' OpenAPI);
 * - the patch strategies and merge keys (x-kubernetes-patch-*), which client-node does not carry: the
 *   upstream swagger.json that the npm package kubernetes-client ships (Kubernetes 1.13's
 *   api/openapi-spec), taken with `npm pack` into a temporary directory (nothing installed). A field
 *   newer than 1.13 has no strategy (its lists are replaced whole, as atomic lists are).
 *   node --import tsx packages/platforms/scripts/generate-kube-openapi.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import * as clientNode from '@kubernetes/client-node';

const PACKAGE = 'kubernetes-client@9.0.0';
const SPEC = 'package/lib/specs/swagger-1.13.json.gz';
const ROOTS = [
  'io.k8s.api.core.v1.Namespace',
  'io.k8s.api.core.v1.NamespaceList',
  'io.k8s.api.core.v1.ServiceAccount',
  'io.k8s.api.core.v1.ServiceAccountList',
  'io.k8s.api.core.v1.ConfigMap',
  'io.k8s.api.core.v1.ConfigMapList',
  'io.k8s.api.core.v1.Secret',
  'io.k8s.api.core.v1.SecretList',
  'io.k8s.api.core.v1.Service',
  'io.k8s.api.core.v1.ServiceList',
  'io.k8s.api.core.v1.Pod',
  'io.k8s.api.core.v1.PodList',
  'io.k8s.api.core.v1.Event',
  'io.k8s.api.core.v1.EventList',
  'io.k8s.api.apps.v1.Deployment',
  'io.k8s.api.apps.v1.DeploymentList',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
];
type Schema = Record<string, unknown>;
type Model = { getAttributeTypeMap(): Array<{ baseName: string; type: string; format: string }> };

const models = clientNode as unknown as Record<string, Model | undefined>;
const extensionsOf = (schema: Schema | undefined) =>
  Object.fromEntries(Object.entries(schema ?? {}).filter(([key]) => key.startsWith('x-kubernetes-')));
const refName = (schema: Schema | undefined) =>
  typeof schema?.['$ref'] === 'string' ? schema['$ref'].replace('#/definitions/', '') : undefined;

/** Upstream's name of a client-node class: where 1.13 referred to it, else the one definition of that name. */
function upstreamName(className: string, known: string | undefined, swagger: Record<string, Schema>): string {
  if (known) return known;
  const bare = className.replace(/^Core/, '');
  const short = bare.replace(/^V\d+(?:alpha\d+|beta\d+)?/, '');
  const version = bare.slice(0, bare.length - short.length).toLowerCase();
  const candidates = Object.keys(swagger).filter((name) => name.endsWith(`.${version}.${short}`));
  return candidates.length === 1 ? (candidates[0] as string) : `io.k8s.api.core.${version}.${short}`;
}

const work = mkdtempSync(join(tmpdir(), 'kube-openapi-'));
try {
  const tarball = execFileSync('npm', ['pack', PACKAGE, '--silent', '--pack-destination', work], {
    encoding: 'utf8',
  }).trim();
  execFileSync('tar', ['xzf', join(work, tarball), '-C', work, SPEC]);
  const swagger = JSON.parse(gunzipSync(readFileSync(join(work, SPEC))).toString('utf8')) as {
    info: { version: string };
    definitions: Record<string, Schema>;
  };
  const definitions: Record<string, Schema> = {};
  const pending: Array<{ name: string; className: string }> = ROOTS.map((name) => {
    const [version, kind] = name.split('.').slice(-2) as [string, string];
    return { name, className: `${version.toUpperCase()}${kind}` };
  });
  while (pending.length > 0) {
    const { name, className } = pending.pop() as { name: string; className: string };
    if (definitions[name]) continue;
    // client-node names the core kinds that other groups also have CoreV1… (CoreV1Event).
    const model = [models[className], models[`Core${className}`]].find(
      (candidate) => typeof candidate?.getAttributeTypeMap === 'function',
    );
    const old = swagger.definitions[name];
    // A free-form object without a model (meta/v1 Patch): an object, as upstream has it.
    if (!model && !old?.['properties']) {
      definitions[name] = { type: 'object' };
      continue;
    }
    if (!model) throw new Error(`@kubernetes/client-node has no model ${className} (${name})`);
    const oldProperties = (old?.['properties'] ?? {}) as Record<string, Schema>;
    const typeSchema = (type: string, format: string, oldSchema: Schema | undefined): Schema => {
      const array = /^Array<(.+)>$/.exec(type);
      if (array)
        return { type: 'array', items: typeSchema(array[1] as string, '', oldSchema?.['items'] as Schema) };
      const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
      if (map)
        return {
          type: 'object',
          additionalProperties: typeSchema(
            map[1] as string,
            '',
            oldSchema?.['additionalProperties'] as Schema,
          ),
        };
      if (type === 'string') return { type: 'string', ...(format ? { format } : {}) };
      if (type === 'number')
        return { type: format === 'double' ? 'number' : 'integer', ...(format ? { format } : {}) };
      if (type === 'boolean') return { type: 'boolean' };
      if (type === 'Date' || type === 'V1MicroTime') return { type: 'string', format: 'date-time' };
      if (type === 'IntOrString')
        return { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true };
      if (type === 'any' || type === 'object') return { type: 'object' };
      if (typeof models[type]?.getAttributeTypeMap !== 'function')
        throw new Error(`unknown client-node type ${type} in ${className}`);
      const target = upstreamName(type, refName(oldSchema), swagger.definitions);
      pending.push({ name: target, className: type });
      return { $ref: `#/definitions/${target}` };
    };
    const properties = Object.fromEntries(
      model.getAttributeTypeMap().map(({ baseName, type, format }) => {
        const before = oldProperties[baseName];
        return [baseName, { ...typeSchema(type, format, before), ...extensionsOf(before) }];
      }),
    );
    definitions[name] = { type: 'object', properties, ...extensionsOf(old) };
  }
  const sorted = Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => a.localeCompare(b)));
  const target = join(
    dirname(fileURLToPath(import.meta.url)),
    '../src/cluster-access/kube-openapi-definitions.generated.ts',
  );
  const clientNodeVersion = (
    JSON.parse(
      readFileSync(
        join(dirname(fileURLToPath(import.meta.resolve('@kubernetes/client-node'))), '../package.json'),
        'utf8',
      ),
    ) as { version: string }
  ).version;
  writeFileSync(
    target,
    `/**
 * GENERATED by packages/platforms/scripts/generate-kube-openapi.ts — do not edit. The OpenAPI (swagger 2.0)
 * definitions of the served kinds: fields from @kubernetes/client-node ${clientNodeVersion}'s models, patch
 * strategies and merge keys from Kubernetes ${swagger.info.version}'s swagger.json (npm ${PACKAGE}).
 * @module
 */
export const KUBE_OPENAPI_SOURCE = ${JSON.stringify(`@kubernetes/client-node ${clientNodeVersion}; patch strategies: Kubernetes ${swagger.info.version} (${PACKAGE})`)};
export const KUBE_OPENAPI_DEFINITIONS: Record<string, Record<string, unknown>> = ${JSON.stringify(sorted)};
`,
  );
  console.log(`wrote ${Object.keys(sorted).length} definitions to ${target}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
