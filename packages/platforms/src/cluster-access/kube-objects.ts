/**
 * Objects of the served resources, as kube-apiserver handles them: get and list (`-n`, `-A`, label
 * and field selectors, Tables), create, update (PUT), patch (JSON Patch, merge patch, strategic merge
 * patch) and delete, written through the local runtime (pods admitted by the webhook and run, a
 * Deployment's pods created and removed with it). Errors are kube Status bodies with kube's reasons
 * (NotFound, AlreadyExists, Conflict, Invalid with causes, BadRequest).
 * @module
 */
import { CredlessError, isCredlessError } from '@credless/core';
import { checkObject } from '../runtime/manifests/load.ts';
import { CLUSTER_SCOPED_KINDS, type Kind, type KubeObject } from '../runtime/manifests/objects.ts';
import type { Served } from '../runtime/object-status.ts';
import { kubeRef } from '../runtime/object-writes.ts';
import { APPLY_PATCH_TYPE, serverSideApply } from './kube-apply-server.ts';
import {
  changedFields,
  fieldSet,
  fromFieldsV1,
  type ManagedFieldsEntry,
  recordOwnership,
} from './kube-managed-fields.ts';
import { applyPatch, PATCH_TYPES, type PatchType } from './kube-patch.ts';
import { decodeObject, PROTOBUF_KINDS, PROTOBUF_TYPE } from './kube-protobuf.ts';
import type { KubeRequestInfo } from './kube-request.ts';
import { apiVersionOf, type ServedResource } from './kube-resources.ts';
import { definitionOf, unknownFields } from './kube-schema.ts';
import { fieldSelector, labelSelector } from './kube-selectors.ts';
import { toTable, wantsTable } from './kube-tables.ts';

/** What the object handlers need of a cluster's runtime. */
export interface ObjectRuntime {
  served(kind: Kind, namespace: string, name: string): Served | undefined;
  servedList(kind: Kind, namespace?: string): Served[];
  write(object: KubeObject, mode: 'create' | 'update', source: string): Promise<Served>;
  delete(refs: Array<{ kind: Kind; namespace: string; name: string }>): Promise<unknown>;
  readonly events: { versions: { readonly current: string } };
}

export interface ObjectRequest {
  info: KubeRequestInfo;
  resource: ServedResource & { kind: Kind };
  query: URLSearchParams;
  contentType: string | undefined;
  accept: string | undefined;
  body: Buffer | undefined;
  now: number;
  /** Names the field manager of a write without `fieldManager` (kube takes the program name). */
  userAgent?: string | undefined;
}

export interface ObjectAnswer {
  status: number;
  body: unknown;
  /** kube's `Warning: 299 - "…"` headers (fieldValidation=Warn). */
  warnings?: string[];
}

/** kube's RFC 1123 subdomain rule for object names, and its message. */
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAME_RULE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

const invalid = (reason: string) => new CredlessError('kube_request_invalid', { reason });

export async function handleObjects(runtime: ObjectRuntime, request: ObjectRequest): Promise<ObjectAnswer> {
  const { info, resource } = request;
  const namespace = resource.namespaced ? info.namespace : '';
  switch (info.verb) {
    case 'list':
      return list(runtime, request, resource.namespaced ? info.namespace : undefined);
    case 'get':
      return {
        status: 200,
        body: asTableOr(request, [found(runtime, resource, namespace ?? '', info.name)]),
      };
    case 'create':
      if (info.name !== undefined) throw invalid(`${info.verb} is not supported on a named ${resource.name}`);
      return write(runtime, request, 'create', parseBody(request));
    case 'update':
      return write(runtime, request, 'update', parseBody(request));
    case 'patch': {
      const type = (request.contentType ?? '').split(';')[0]?.trim() ?? '';
      if (type === APPLY_PATCH_TYPE) {
        const applied = serverSideApply({
          manager: request.query.get('fieldManager'),
          force: request.query.get('force') === 'true',
          body: request.body,
          current: runtime.served(resource.kind, namespace ?? '', info.name as string),
          kind: resource.kind,
          apiVersion: apiVersionOf(resource),
          name: info.name as string,
          time: timeOf(request.now),
        });
        return write(runtime, request, applied.mode, applied.object, 'Apply');
      }
      const current = found(runtime, resource, namespace ?? '', info.name);
      if (!PATCH_TYPES.includes(type as PatchType))
        throw new CredlessError('kube_media_type_unsupported', {
          accepted: [...PATCH_TYPES, APPLY_PATCH_TYPE].join(', '),
        });
      const body = parseJson(request.body);
      const { status: _, ...object } = applyPatch(
        type as PatchType,
        current,
        body,
        definitionOf(current.apiVersion, current.kind),
      );
      return write(runtime, request, 'update', object);
    }
    case 'delete': {
      const object = found(runtime, resource, namespace ?? '', info.name);
      await runtime.delete([{ kind: resource.kind, namespace: namespace ?? '', name: info.name as string }]);
      return { status: 200, body: object };
    }
    default:
      throw new CredlessError('kube_method_not_supported', { verb: info.verb, resource: resource.name });
  }
}

function list(runtime: ObjectRuntime, request: ObjectRequest, namespace: string | undefined): ObjectAnswer {
  const { resource, query } = request;
  const labels = labelSelector(query.get('labelSelector'));
  const fields = fieldSelector(query.get('fieldSelector'));
  const items = runtime
    .servedList(resource.kind, namespace)
    .filter((o) => labels(o.metadata['labels'] as Record<string, string> | undefined) && fields(o));
  if (wantsTable(request.accept))
    return { status: 200, body: asTableOr(request, items, runtime.events.versions.current) };
  return {
    status: 200,
    body: {
      apiVersion: apiVersionOf(resource),
      kind: `${resource.kind}List`,
      metadata: { resourceVersion: runtime.events.versions.current },
      items,
    },
  };
}

function asTableOr(request: ObjectRequest, objects: Served[], listVersion?: string): unknown {
  if (!wantsTable(request.accept)) return objects[0];
  return toTable(request.resource.kind, objects, {
    now: request.now,
    // A list's version is the cluster's: `get -w` watches from it, missing nothing and repeating nothing.
    resourceVersion: (listVersion ?? objects[0]?.metadata['resourceVersion']) as string,
    includeObject: request.query.get('includeObject'),
  });
}

function found(
  runtime: ObjectRuntime,
  resource: ServedResource & { kind: Kind },
  namespace: string,
  name?: string,
) {
  const object = name === undefined ? undefined : runtime.served(resource.kind, namespace, name);
  if (!object) throw new CredlessError('kube_object_not_found', kubeRef(resource.kind, name ?? ''));
  return object;
}

export function parseJson(body: Buffer | undefined): unknown {
  try {
    return JSON.parse(body?.toString('utf8') ?? '');
  } catch (error) {
    throw invalid(`the body of the request could not be decoded: ${(error as Error).message}`);
  }
}

function parseBody(request: ObjectRequest): Record<string, unknown> {
  const type = (request.contentType ?? 'application/json').split(';')[0]?.trim();
  // kubectl's typed `create namespace|configmap|secret|serviceaccount` send protobuf.
  if (type === PROTOBUF_TYPE && PROTOBUF_KINDS.has(request.resource.kind) && request.body)
    return decodeObject(request.body, request.resource.kind);
  if (type !== 'application/json')
    throw new CredlessError('kube_media_type_unsupported', {
      accepted: `application/json${PROTOBUF_KINDS.has(request.resource.kind) ? `, ${PROTOBUF_TYPE}` : ''}`,
    });
  const value = parseJson(request.body);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid('the body of the request must be a JSON object');
  return value as Record<string, unknown>;
}

/** Create or update: the object must be of the path's kind, in the path's namespace, and valid. */
async function write(
  runtime: ObjectRuntime,
  request: ObjectRequest,
  mode: 'create' | 'update',
  body: Record<string, unknown>,
  operation: 'Apply' | 'Update' = 'Update',
): Promise<ObjectAnswer> {
  const { resource, info, query } = request;
  const kind = resource.kind;
  if (body['kind'] !== undefined && body['kind'] !== kind)
    throw invalid(
      `the kind of the object (${String(body['kind'])}) does not match the resource ${resource.name} (${kind})`,
    );
  const apiVersion = apiVersionOf(resource);
  if (body['apiVersion'] !== undefined && body['apiVersion'] !== apiVersion)
    throw invalid(
      `the API version in the data (${String(body['apiVersion'])}) does not match the expected API version (${apiVersion})`,
    );
  const metadata = { ...(body['metadata'] as Record<string, unknown> | undefined) };
  const namespace = resource.namespaced ? (info.namespace as string) : '';
  if (resource.namespaced && metadata['namespace'] !== undefined && metadata['namespace'] !== namespace)
    throw invalid('the namespace of the provided object does not match the namespace sent on the request');
  if (mode === 'update' && metadata['name'] !== info.name)
    throw invalid('the name of the object does not match the name on the URL');
  if (mode === 'create' && metadata['name'] === undefined && typeof metadata['generateName'] === 'string')
    metadata['name'] = `${metadata['generateName']}${Math.random().toString(36).slice(2, 7)}`;
  if (namespace !== '' && !runtime.served('Namespace', '', namespace))
    throw new CredlessError('kube_object_not_found', kubeRef('Namespace', namespace));
  const object: Record<string, unknown> & { metadata: Record<string, unknown> } = {
    ...body,
    apiVersion,
    kind,
    metadata: { ...metadata, namespace },
  };
  const warnings = checkFields(object, query.get('fieldValidation'));
  if (kind === 'Secret') normalizeSecret(object);
  if (operation === 'Update') {
    const current = mode === 'update' ? runtime.served(kind, namespace, String(metadata['name'])) : undefined;
    object.metadata['managedFields'] = updateOwnership(object, current, request);
  }
  const name = metadata['name'];
  const ref = kubeRef(kind, typeof name === 'string' ? name : '');
  if (typeof name !== 'string' || name === '')
    throw new CredlessError('kube_object_invalid', {
      ...ref,
      field: 'metadata.name',
      reason: 'Required value: name or generateName is required',
    });
  if (!NAME.test(name))
    throw new CredlessError('kube_object_invalid', {
      ...ref,
      field: 'metadata.name',
      reason: `Invalid value: ${JSON.stringify(name)}: ${NAME_RULE}`,
    });
  let checked: KubeObject;
  try {
    checked = checkObject(object, kind, { source: kind, defaultNamespace: namespace });
  } catch (error) {
    if (!isCredlessError(error) || error.code !== 'runtime_manifest_invalid') throw error;
    // The runtime's check says "<kind> <kind> <name> [template: ]<field> <problem>" (load.ts).
    const said = String(error.params?.['reason'] ?? error.message);
    const template = (error.params?.['source'] as string | undefined)?.endsWith(' template') ?? false;
    const [first = '', ...rest] = said.split(' ');
    const field = first.includes('.')
      ? `${template ? 'spec.template.' : ''}${first}`
      : template
        ? 'spec.template.spec'
        : 'spec';
    throw new CredlessError('kube_object_invalid', {
      ...ref,
      field,
      reason: `Invalid value: ${first.includes('.') ? rest.join(' ') : said}`,
    });
  }
  if (CLUSTER_SCOPED_KINDS.has(kind)) checked.metadata.namespace = '';
  if (query.get('dryRun') === 'All') return { status: mode === 'create' ? 201 : 200, body: object, warnings };
  const written = await runtime.write(
    checked,
    mode,
    `${info.verb} ${resource.name}/${checked.metadata.name}`,
  );
  return { status: mode === 'create' ? 201 : 200, body: written, warnings };
}

const timeOf = (now: number) => new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * managedFields after an Update by the request's manager (`fieldManager`, else the User-Agent's
 * program name, as kube-apiserver takes it): it owns what it set or changed, others lose what it changed.
 */
function updateOwnership(
  object: Record<string, unknown>,
  current: Served | undefined,
  request: ObjectRequest,
) {
  const manager =
    request.query.get('fieldManager') ?? (request.userAgent ?? 'unknown').split('/')[0] ?? 'unknown';
  const schema = definitionOf(String(object['apiVersion']), String(object['kind']));
  const entries = (current?.metadata['managedFields'] as ManagedFieldsEntry[] | undefined) ?? [];
  const changed = current
    ? changedFields({ ...current, status: undefined }, object, schema)
    : fieldSet(object, schema);
  const mine = entries.find((e) => e.manager === manager && e.operation === 'Update');
  const present = fieldSet(object, schema);
  const owned = new Set(
    [...(mine ? fromFieldsV1(mine.fieldsV1) : []), ...changed].filter((path) => present.has(path)),
  );
  const write = {
    manager,
    operation: 'Update' as const,
    apiVersion: String(object['apiVersion']),
    time: timeOf(request.now),
  };
  return recordOwnership(entries, write, owned, changed);
}

/** As kube-apiserver decodes a Secret: data must be base64; stringData is merged into data, encoded. */
function normalizeSecret(secret: Record<string, unknown>): void {
  const data = { ...((secret['data'] as Record<string, unknown> | undefined) ?? {}) };
  for (const value of Object.values(data))
    if (typeof value !== 'string' || !BASE64.test(value))
      throw invalid('Secret in version "v1" cannot be handled as a Secret: illegal base64 data in data');
  for (const [key, value] of Object.entries(
    (secret['stringData'] as Record<string, unknown> | undefined) ?? {},
  ))
    data[key] = Buffer.from(String(value), 'utf8').toString('base64');
  secret['data'] = data;
  delete secret['stringData'];
  secret['type'] ??= 'Opaque';
}
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** fieldValidation: Strict refuses fields the schema does not define, Warn reports them, Ignore drops nothing. */
function checkFields(object: Record<string, unknown>, directive: string | null): string[] {
  if (directive === null || directive === 'Ignore') return [];
  const { status: _, ...rest } = object;
  // managedFields are the server's record (sent back by `get -o yaml | replace`), checked by no schema here.
  const { managedFields: __, ...metadata } = (rest['metadata'] ?? {}) as Record<string, unknown>;
  const unknown = unknownFields(
    { ...rest, metadata },
    definitionOf(String(object['apiVersion']), String(object['kind'])),
  );
  if (unknown.length === 0) return [];
  const kind = String(object['kind']);
  const version = String(object['apiVersion']).split('/').pop();
  if (directive === 'Strict')
    throw invalid(
      `${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${unknown.map((field) => `unknown field "${field}"`).join(', ')}`,
    );
  return unknown.map((field) => `unknown field "${field}"`);
}
