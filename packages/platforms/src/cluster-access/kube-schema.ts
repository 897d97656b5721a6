/**
 * Lookups in the served kinds' published OpenAPI definitions (kube-openapi-definitions.generated.ts):
 * a kind's schema, a property's schema through `$ref`s, and the fields of an object the schema does
 * not know (kube-apiserver's `fieldValidation=Strict|Warn`). Pure.
 * @module
 */
import { KUBE_OPENAPI_DEFINITIONS } from './kube-openapi-definitions.generated.ts';

export type Schema = Record<string, unknown> | undefined;

/** The definition of a group/version/kind (`io.k8s.api.apps.v1.Deployment`). */
export function definitionOf(apiVersion: string, kind: string): Schema {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
  return KUBE_OPENAPI_DEFINITIONS[`io.k8s.api.${group}.${version}.${kind}`];
}

/** Follows `$ref`s (the referring schema's own extensions stay). */
export function resolve(schema: Schema): Schema {
  let current = schema;
  for (let depth = 0; current && typeof current['$ref'] === 'string' && depth < 10; depth++) {
    const { $ref, ...rest } = current as { $ref: string };
    const target = KUBE_OPENAPI_DEFINITIONS[$ref.replace('#/definitions/', '')];
    current = { ...target, ...rest };
  }
  return current;
}

/** The schema of a property of an object schema (or of a map's values). */
export const property = (schema: Schema, key: string): Schema =>
  (resolve(schema)?.['properties'] as Record<string, Schema> | undefined)?.[key] ??
  (resolve(schema)?.['additionalProperties'] as Schema);

/** Paths (`spec.template.spec.containers[0].imagePullPolcy`) of fields the schema does not define. */
export function unknownFields(value: unknown, schema: Schema, path = ''): string[] {
  const resolved = resolve(schema);
  if (!resolved) return [];
  if (Array.isArray(value)) {
    const items = resolved['items'] as Schema;
    return value.flatMap((item, index) => unknownFields(item, items, `${path}[${index}]`));
  }
  if (typeof value !== 'object' || value === null) return [];
  const properties = resolved['properties'] as Record<string, Schema> | undefined;
  const additional = resolved['additionalProperties'] as Schema;
  // An object schema without properties (a RawExtension, a free-form map) accepts anything.
  if (!properties && !additional) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const at = path ? `${path}.${key}` : key;
    const next = properties?.[key] ?? additional;
    return next ? unknownFields(child, next, at) : [at];
  });
}
