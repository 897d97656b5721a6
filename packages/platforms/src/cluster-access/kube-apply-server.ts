/**
 * Server-side apply (`kubectl apply --server-side`, PATCH `application/apply-patch+yaml`): the applied
 * configuration is merged into the object (maps by key, lists by their merge key, other lists whole),
 * the manager's Apply entry in managedFields becomes the applied fields, fields it applied before and
 * no longer applies are removed unless another manager owns them, and a field another manager owns
 * with a different value is a 409 Conflict unless `force=true` (then ownership moves). A missing
 * object is created from the configuration.
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import { CredlessError } from '@credless/core';
import { parse } from 'yaml';
import type { Served } from '../runtime/object-status.ts';
import { kubeRef } from '../runtime/object-writes.ts';
import {
  fieldSet,
  fromFieldsV1,
  type ManagedFieldsEntry,
  readablePath,
  recordOwnership,
  removeAt,
  valueAt,
} from './kube-managed-fields.ts';
import { strategicMerge } from './kube-patch.ts';
import { definitionOf } from './kube-schema.ts';

export const APPLY_PATCH_TYPE = 'application/apply-patch+yaml';

type JsonObject = Record<string, unknown>;

export interface ApplyRequest {
  manager: string | null;
  force: boolean;
  body: Buffer | undefined;
  /** The object as served now (undefined: it does not exist yet). */
  current: Served | undefined;
  kind: string;
  apiVersion: string;
  name: string;
  time: string;
}

/** The object to write (create when there was none) with its managedFields. */
export function serverSideApply(request: ApplyRequest): { object: JsonObject; mode: 'create' | 'update' } {
  const { manager, current, kind, apiVersion, name } = request;
  if (!manager)
    throw new CredlessError('kube_request_invalid', {
      reason: 'PATCH requests with apply content type require fieldManager',
    });
  let config: unknown;
  try {
    config = parse(request.body?.toString('utf8') ?? '');
  } catch (error) {
    throw new CredlessError('kube_request_invalid', {
      reason: `the applied configuration is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`,
    });
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new CredlessError('kube_request_invalid', {
      reason: 'the applied configuration must be an object',
    });
  const applied = config as JsonObject;
  if (applied['kind'] !== kind || applied['apiVersion'] !== apiVersion)
    throw new CredlessError('kube_request_invalid', {
      reason: `the applied configuration must be a ${kind} of ${apiVersion} (got ${String(applied['kind'])} of ${String(applied['apiVersion'])})`,
    });
  const metadata = (applied['metadata'] ?? {}) as JsonObject;
  if (metadata['name'] !== undefined && metadata['name'] !== name)
    throw new CredlessError('kube_request_invalid', {
      reason: 'the name of the applied configuration does not match the name on the URL',
    });
  const schema = definitionOf(apiVersion, kind);
  const fields = fieldSet(applied, schema);
  const write = { manager, operation: 'Apply' as const, apiVersion, time: request.time };
  if (!current) {
    const object = { ...applied, metadata: { ...metadata, name } };
    (object.metadata as JsonObject)['managedFields'] = recordOwnership([], write, fields, fields);
    return { object, mode: 'create' };
  }

  const { status: _, ...stored } = current;
  const entries = (stored.metadata['managedFields'] as ManagedFieldsEntry[] | undefined) ?? [];
  const others = entries.filter((e) => !(e.manager === manager && e.operation === 'Apply'));
  const conflicts = new Map<string, string>();
  for (const entry of others)
    for (const path of fromFieldsV1(entry.fieldsV1))
      if (fields.has(path) && !isDeepStrictEqual(valueAt(stored, path), valueAt(applied, path)))
        conflicts.set(path, entry.manager);
  if (conflicts.size > 0 && !request.force) throw conflictError(kind, name, conflicts, apiVersion);

  const merged = strategicMerge(stored, applied, schema) as JsonObject;
  // Fields this manager applied before and no longer applies go, unless someone else owns them.
  const previous = entries.find((e) => e.manager === manager && e.operation === 'Apply');
  const ownedByOthers = new Set(others.flatMap((e) => [...fromFieldsV1(e.fieldsV1)]));
  for (const path of previous ? fromFieldsV1(previous.fieldsV1) : [])
    if (!fields.has(path) && !ownedByOthers.has(path)) removeAt(merged, path);
  // Shared when the values agree; taken (forced) when they did not.
  const metadataOut = merged['metadata'] as JsonObject;
  metadataOut['managedFields'] = recordOwnership(entries, write, fields, new Set(conflicts.keys()));
  return { object: merged, mode: 'update' };
}

function conflictError(kind: string, name: string, conflicts: Map<string, string>, apiVersion: string) {
  const version = apiVersion.split('/').pop();
  const lines = [...conflicts].map(
    ([path, owner]) => `conflict with "${owner}" using ${apiVersion}: ${readablePath(path)}`,
  );
  return new CredlessError('kube_apply_conflict', {
    ...kubeRef(kind as never, name),
    count: conflicts.size,
    plural: conflicts.size === 1 ? '' : 's',
    conflicts: lines.join('\n- '),
    version,
  });
}
