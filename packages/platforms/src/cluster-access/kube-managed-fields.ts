/**
 * Field ownership as kube-apiserver records it in metadata.managedFields (FieldsV1): the set of
 * fields an object sets — maps by key (`f:data`), lists merged by their patch merge key by item
 * (`k:{"name":"app"}`), sets of primitives by value (`v:"a"`), other lists whole — per manager and
 * operation (Apply for server-side apply, Update for every other write). Pure; the list semantics
 * come from the published definitions' x-kubernetes-patch-* extensions, as for strategic merge patch.
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import { property, resolve, type Schema } from './kube-schema.ts';

type Json = unknown;
type JsonObject = Record<string, Json>;

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
}

/** Joins the segments of a field path (never in a field name; '/' is, in annotation keys). */
const SEP = '\u0001';

const isObject = (value: Json): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** What the server owns: never part of a manager's fields. */
const SERVER_FIELDS = new Set([
  ...['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'name', 'namespace'].map(
    (field) => `f:metadata${SEP}f:${field}`,
  ),
  'f:apiVersion',
  'f:kind',
  'f:status',
]);

const mergeKeyOf = (schema: Schema) =>
  resolve(schema)?.['x-kubernetes-patch-merge-key'] as string | undefined;
const isSet = (schema: Schema) =>
  String(resolve(schema)?.['x-kubernetes-patch-strategy'] ?? '').includes('merge');

/** The leaf field paths an object sets (FieldsV1 segments joined by SEP); list items also as `…SEP.`. */
export function fieldSet(value: Json, schema: Schema, prefix = ''): Set<string> {
  const out = new Set<string>();
  const walk = (node: Json, nodeSchema: Schema, at: string) => {
    if (isObject(node)) {
      const entries = Object.entries(node);
      if (entries.length === 0 && at) out.add(at);
      for (const [key, child] of entries) {
        const path = `${at ? `${at}${SEP}` : ''}f:${key}`;
        if (SERVER_FIELDS.has(path)) continue;
        walk(child, property(nodeSchema, key), path);
      }
      return;
    }
    if (Array.isArray(node) && node.length > 0) {
      const key = mergeKeyOf(nodeSchema);
      const items = resolve(nodeSchema)?.['items'] as Schema;
      if (key && node.every((item) => isObject(item) && key in item)) {
        for (const item of node as JsonObject[]) {
          const itemPath = `${at}${SEP}k:${JSON.stringify({ [key]: item[key] })}`;
          out.add(`${itemPath}${SEP}.`);
          walk(item, items, itemPath);
        }
        return;
      }
      if (isSet(nodeSchema) && node.every((item) => !isObject(item) && !Array.isArray(item))) {
        for (const item of node) out.add(`${at}${SEP}v:${JSON.stringify(item)}`);
        return;
      }
    }
    if (at) out.add(at);
  };
  walk(value, schema, prefix);
  return out;
}

/** The value at a field path (undefined when absent). */
export function valueAt(object: Json, path: string): Json {
  let node: Json = object;
  for (const segment of path.split(SEP)) {
    if (segment === '.') return node;
    if (segment.startsWith('f:')) node = isObject(node) ? node[segment.slice(2)] : undefined;
    else if (segment.startsWith('k:')) {
      const wanted = JSON.parse(segment.slice(2)) as JsonObject;
      node = Array.isArray(node)
        ? node.find((item) => isObject(item) && Object.entries(wanted).every(([k, v]) => item[k] === v))
        : undefined;
    } else if (segment.startsWith('v:')) {
      const wanted = JSON.parse(segment.slice(2)) as Json;
      return Array.isArray(node) && node.some((item) => isDeepStrictEqual(item, wanted)) ? wanted : undefined;
    }
    if (node === undefined) return undefined;
  }
  return node;
}

/** Removes a field path from an object (a keyed item, a set value, a map key). */
export function removeAt(object: JsonObject, path: string): void {
  const segments = path.split(SEP).filter((s) => s !== '.');
  const last = segments.pop();
  const parent = segments.length === 0 ? object : valueAt(object, segments.join(SEP));
  if (last === undefined || parent === undefined) return;
  if (last.startsWith('f:') && isObject(parent)) delete parent[last.slice(2)];
  else if (Array.isArray(parent)) {
    const index = parent.findIndex((item) =>
      last.startsWith('v:')
        ? isDeepStrictEqual(item, JSON.parse(last.slice(2)))
        : isObject(item) &&
          Object.entries(JSON.parse(last.slice(2)) as JsonObject).every(([k, v]) => item[k] === v),
    );
    if (index >= 0) parent.splice(index, 1);
  }
}

/** kube's readable field path: `.spec.template.spec.containers[name="app"].image`. */
export function readablePath(path: string): string {
  return path
    .split(SEP)
    .filter((s) => s !== '.')
    .map((segment) => {
      if (segment.startsWith('f:')) return `.${segment.slice(2)}`;
      if (segment.startsWith('v:')) return `[${segment.slice(2)}]`;
      const key = JSON.parse(segment.slice(2)) as JsonObject;
      return `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    })
    .join('');
}

/** FieldsV1 of a set of paths (nested objects; a list item's presence is its `.`). */
export function toFieldsV1(paths: Iterable<string>): JsonObject {
  const root: JsonObject = {};
  for (const path of paths) {
    let node = root;
    for (const segment of path.split(SEP)) {
      node[segment] ??= {};
      node = node[segment] as JsonObject;
    }
  }
  return root;
}

export function fromFieldsV1(fields: JsonObject, prefix = ''): Set<string> {
  const out = new Set<string>();
  for (const [segment, child] of Object.entries(fields)) {
    const path = prefix ? `${prefix}${SEP}${segment}` : segment;
    if (isObject(child) && Object.keys(child).length > 0)
      for (const leaf of fromFieldsV1(child, path)) out.add(leaf);
    else out.add(path);
  }
  return out;
}

/** The fields whose value differs between two versions of an object (added, changed or removed). */
export function changedFields(before: Json, after: Json, schema: Schema): Set<string> {
  const changed = new Set<string>();
  const paths = new Set([...fieldSet(before, schema), ...fieldSet(after, schema)]);
  for (const path of paths)
    if (!isDeepStrictEqual(valueAt(before, path), valueAt(after, path))) changed.add(path);
  return changed;
}

/**
 * The managedFields after a write by `manager`: its entry of this operation gets `owned`, and the
 * fields it `took` leave every other entry (entries left empty are dropped, as kube does).
 */
export function recordOwnership(
  entries: ManagedFieldsEntry[],
  write: { manager: string; operation: 'Apply' | 'Update'; apiVersion: string; time: string },
  owned: Set<string>,
  took: Set<string>,
): ManagedFieldsEntry[] {
  const next: ManagedFieldsEntry[] = [];
  for (const entry of entries) {
    if (entry.manager === write.manager && entry.operation === write.operation) continue;
    const kept = [...fromFieldsV1(entry.fieldsV1)].filter((path) => !took.has(path));
    if (kept.length > 0) next.push({ ...entry, fieldsV1: toFieldsV1(kept) });
  }
  if (owned.size > 0)
    next.push({ ...write, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1([...owned].sort()) });
  return next;
}
