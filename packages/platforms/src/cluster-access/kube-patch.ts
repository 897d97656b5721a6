/**
 * PATCH bodies as kube-apiserver applies them: JSON Patch (RFC 6902, fast-json-patch), JSON Merge
 * Patch (RFC 7396, json-merge-patch) and strategic merge patch — Kubernetes' own rules
 * (sig-api-machinery's strategic-merge-patch.md), driven by the OpenAPI extensions
 * `x-kubernetes-patch-strategy` (merge, retainKeys, replace) and `x-kubernetes-patch-merge-key` of the
 * published definitions, with the `$patch`, `$retainKeys`, `$setElementOrder/…` and
 * `$deleteFromPrimitiveList/…` directives kubectl sends. Pure.
 * @module
 */
import { CredlessError } from '@credless/core';
import fastJsonPatch from 'fast-json-patch';
import jsonMergePatch from 'json-merge-patch';
import { property, resolve, type Schema } from './kube-schema.ts';

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
] as const;
export type PatchType = (typeof PATCH_TYPES)[number];

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (value: Json): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const badPatch = (reason: string) => new CredlessError('kube_request_invalid', { reason });

const strategies = (schema: Schema) =>
  String(schema?.['x-kubernetes-patch-strategy'] ?? '')
    .split(',')
    .filter(Boolean);

/** Applies a strategic merge patch to `original` (a kube object of the schema's kind). */
export function strategicMerge(original: Json, patch: Json, schema: Schema): Json {
  if (!isObject(patch)) throw badPatch('a strategic merge patch must be a JSON object');
  return mergeMap(isObject(original) ? original : {}, patch, schema);
}

function mergeMap(original: JsonObject, patch: JsonObject, schema: Schema): JsonObject {
  const directive = patch['$patch'];
  if (directive === 'replace') {
    const { $patch: _, ...rest } = patch;
    return rest;
  }
  if (directive === 'delete') return {};
  const result: JsonObject = { ...original };
  const retain = patch['$retainKeys'];
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys') continue;
    if (key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const drop = Array.isArray(value) ? value : [];
      if (Array.isArray(result[field]))
        result[field] = (result[field] as Json[]).filter((item) => !drop.includes(item));
      continue;
    }
    if (value === null) {
      delete result[key];
      continue;
    }
    const fieldSchema = property(schema, key);
    result[key] = mergeValue(result[key], value, fieldSchema);
    const order = patch[`$setElementOrder/${key}`];
    if (Array.isArray(order) && Array.isArray(result[key]))
      result[key] = applyOrder(result[key] as Json[], order, fieldSchema);
  }
  if (Array.isArray(retain)) {
    for (const key of Object.keys(result)) if (!retain.includes(key)) delete result[key];
  }
  return result;
}

function mergeValue(original: Json, patch: Json, schema: Schema): Json {
  if (Array.isArray(patch)) {
    const kinds = strategies(schema);
    if (!kinds.includes('merge')) return patch.filter((item) => !(isObject(item) && '$patch' in item));
    return mergeList(Array.isArray(original) ? original : [], patch, schema);
  }
  if (isObject(patch)) {
    if (!isObject(original)) return mergeMap({}, patch, schema);
    return mergeMap(original, patch, schema);
  }
  return patch;
}

function mergeList(original: Json[], patch: Json[], schema: Schema): Json[] {
  const key = schema?.['x-kubernetes-patch-merge-key'] as string | undefined;
  const itemSchema = resolve(schema)?.['items'] as Schema;
  if (!key) {
    // A list of primitives merged as a set (finalizers…).
    const merged = [...original];
    for (const item of patch)
      if (!merged.some((m) => JSON.stringify(m) === JSON.stringify(item))) merged.push(item);
    return merged;
  }
  const result = [...original];
  for (const item of patch) {
    if (!isObject(item)) throw badPatch(`an element of a list merged by ${key} must be an object`);
    if (item['$patch'] === 'replace') return patch.filter(isObject).map(({ $patch: _, ...rest }) => rest);
    const at = result.findIndex((candidate) => isObject(candidate) && candidate[key] === item[key]);
    if (item['$patch'] === 'delete') {
      if (at >= 0) result.splice(at, 1);
      continue;
    }
    if (at >= 0) result[at] = mergeMap(result[at] as JsonObject, item, itemSchema);
    else result.push(mergeMap({}, item, itemSchema));
  }
  return result;
}

/** `$setElementOrder/<list>`: the patch's order first (by merge key), the server's other elements after. */
function applyOrder(list: Json[], order: Json[], schema: Schema): Json[] {
  const key = schema?.['x-kubernetes-patch-merge-key'] as string | undefined;
  const id = (item: Json) => (key && isObject(item) ? item[key] : item);
  const ids = order.map(id);
  const ordered: Json[] = ids
    .map((wanted) => list.find((item) => JSON.stringify(id(item)) === JSON.stringify(wanted)))
    .filter((item) => item !== undefined);
  return [...ordered, ...list.filter((item) => !ordered.includes(item))];
}

/** Applies a PATCH body of the given content type to the current object. */
export function applyPatch(type: PatchType, current: JsonObject, body: Json, schema: Schema): JsonObject {
  if (type === 'application/json-patch+json') {
    if (!Array.isArray(body)) throw badPatch('a JSON Patch must be an array of operations');
    try {
      const error = fastJsonPatch.validate(body as fastJsonPatch.Operation[], current);
      if (error) throw error;
      return fastJsonPatch.applyPatch(structuredClone(current), body as fastJsonPatch.Operation[])
        .newDocument as JsonObject;
    } catch (error) {
      throw badPatch(`the JSON Patch could not be applied: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  if (!isObject(body)) throw badPatch('the patch must be a JSON object');
  if (type === 'application/merge-patch+json')
    return jsonMergePatch.apply(structuredClone(current), body) as JsonObject;
  return strategicMerge(current, body, schema) as JsonObject;
}
