/**
 * The OpenAPI v3 documents kube-apiserver publishes (`/openapi/v3` and one per group-version), which
 * kubectl reads to validate and explain: the paths of the served resources (the REST shapes kube
 * gives every resource, from the served-resource table; each operation with its
 * x-kubernetes-group-version-kind and, on writes, the `fieldValidation` parameter so kubectl leaves
 * field validation to the server) and the published definitions of their kinds as components.
 * `/openapi/v2` (which kubectl asks for in protobuf when v3 has no path for a kind, e.g. a kind the
 * server does not serve) is a v2 Document naming the API and no schemas: every served kind is in v3.
 * @module
 */
import { createHash } from 'node:crypto';
import { KUBE_OPENAPI_DEFINITIONS } from './kube-openapi-definitions.generated.ts';
import { apiVersionOf, SERVED_RESOURCES, type ServedResource } from './kube-resources.ts';

type Json = Record<string, unknown>;

const toComponents = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(toComponents);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key,
      key === '$ref' ? String(child).replace('#/definitions/', '#/components/schemas/') : toComponents(child),
    ]),
  );
};

const definitionName = (r: ServedResource) => `io.k8s.api.${r.group || 'core'}.${r.version}.${r.kind}`;

const query = (name: string) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });
const PATCH_CONTENT = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];
/** A write's body; a patch names the patch types it takes (kubectl looks for strategic merge patch). */
const jsonBody = (ref: string, types = ['*/*']) => ({
  content: Object.fromEntries(
    types.map((type) => [type, { schema: { $ref: `#/components/schemas/${ref}` } }]),
  ),
  required: true,
});
const answer = (ref: string) => ({
  200: {
    description: 'OK',
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
  },
});

function operation(r: ServedResource, action: string, ref: string, writes: boolean, body?: string): Json {
  return {
    operationId: `${action}${r.kind}`,
    tags: [r.group ? `${r.group}_${r.version}` : `core_${r.version}`],
    parameters: writes ? [query('dryRun'), query('fieldManager'), query('fieldValidation')] : [],
    ...(body ? { requestBody: jsonBody(body, action === 'patch' ? PATCH_CONTENT : undefined) } : {}),
    responses: answer(ref),
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
  };
}

function pathsOf(r: ServedResource): Record<string, Json> {
  const prefix = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const collection = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.name}` : `${prefix}/${r.name}`;
  const item = `${collection}/{name}`;
  const definition = definitionName(r);
  const writable = r.verbs.includes('create');
  const paths: Record<string, Json> = {
    [collection]: {
      get: operation(r, 'list', `${definition}List`, false),
      ...(writable ? { post: operation(r, 'post', definition, true, definition) } : {}),
    },
    [item]: {
      get: operation(r, 'get', definition, false),
      ...(writable
        ? {
            put: operation(r, 'put', definition, true, definition),
            patch: operation(r, 'patch', definition, true, 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch'),
            delete: operation(r, 'delete', 'io.k8s.apimachinery.pkg.apis.meta.v1.Status', false),
          }
        : {}),
    },
  };
  if (r.namespaced) paths[`${prefix}/${r.name}`] = { get: operation(r, 'list', `${definition}List`, false) };
  return paths;
}

function groupVersionDocument(groupVersion: string): Json | undefined {
  // The kinds with published definitions here (the runtime's and Events; not the self-reviews).
  const resources = SERVED_RESOURCES.filter(
    (r) =>
      apiVersionOf(r) === groupVersion &&
      !r.name.includes('/') &&
      KUBE_OPENAPI_DEFINITIONS[definitionName(r)],
  );
  if (resources.length === 0) return undefined;
  // Every definition the group-version's kinds reach (an apps/v1 Deployment reaches core/v1's pod types).
  const reached = new Set<string>();
  const pending = resources.flatMap((r) => [definitionName(r), `${definitionName(r)}List`]);
  pending.push('io.k8s.apimachinery.pkg.apis.meta.v1.Status', 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (reached.has(name) || !KUBE_OPENAPI_DEFINITIONS[name]) continue;
    reached.add(name);
    for (const [, ref] of JSON.stringify(KUBE_OPENAPI_DEFINITIONS[name]).matchAll(
      /"#\/definitions\/([^"]+)"/g,
    ))
      pending.push(ref as string);
  }
  const schemas = Object.fromEntries(
    [...reached].sort().map((name) => [name, toComponents(KUBE_OPENAPI_DEFINITIONS[name])]),
  );
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0+credless' },
    paths: Object.assign({}, ...resources.map(pathsOf)),
    components: { schemas },
  };
}

const DOCUMENTS = new Map(
  [...new Set(SERVED_RESOURCES.map(apiVersionOf))]
    .map((gv) => [gv.includes('/') ? `apis/${gv}` : `api/${gv}`, groupVersionDocument(gv)] as const)
    .filter((entry): entry is readonly [string, Json] => entry[1] !== undefined),
);
const HASHES = new Map(
  [...DOCUMENTS].map(([path, document]) => [
    path,
    createHash('sha512').update(JSON.stringify(document)).digest('hex').toUpperCase().slice(0, 128),
  ]),
);

/** The OpenAPI v3 root or a group-version's document; undefined for any other path. */
export function openApiDocument(path: string): unknown {
  if (path === '/openapi/v3')
    return {
      paths: Object.fromEntries(
        [...HASHES].map(([gv, hash]) => [gv, { serverRelativeURL: `/openapi/v3/${gv}?hash=${hash}` }]),
      ),
    };
  if (!path.startsWith('/openapi/v3/')) return undefined;
  return DOCUMENTS.get(path.slice('/openapi/v3/'.length));
}

/** Protobuf's length-delimited field: the tag (field number, wire type 2), the length, the bytes. */
function lengthDelimited(field: number, bytes: Buffer): Buffer {
  const varint = (value: number) => {
    const out: number[] = [];
    let rest = value;
    while (rest > 0x7f) {
      out.push((rest & 0x7f) | 0x80);
      rest >>>= 7;
    }
    out.push(rest);
    return Buffer.from(out);
  };
  return Buffer.concat([varint((field << 3) | 2), varint(bytes.length), bytes]);
}

/**
 * The v2 document in gnostic's openapi_v2.Document protobuf (what kube-apiserver sends for
 * `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`): swagger (1) and info (2:
 * title 1, version 2), no paths or definitions — kubectl then finds no v2 schema for a kind and
 * leaves the answer to discovery ("no matches for kind").
 */
export const OPENAPI_V2_PROTOBUF = Buffer.concat([
  lengthDelimited(1, Buffer.from('2.0')),
  lengthDelimited(
    2,
    Buffer.concat([
      lengthDelimited(1, Buffer.from('Kubernetes')),
      lengthDelimited(2, Buffer.from('v1.32.0+credless')),
    ]),
  ),
]);
export const OPENAPI_V2_PROTOBUF_TYPE = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
