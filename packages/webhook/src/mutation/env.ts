/**
 * Rule: the AZURE_* variables of one container. A variable is added only when the container has none
 * of that name (the user's own value wins) and never with an empty value. When `env` is absent the
 * whole array is added; otherwise each variable is appended with `/-`, leaving existing entries alone.
 * @module
 */
import { CredlessError } from '@credless/core';
import { type AddOperation, isObject, type JsonObject } from './types.ts';

export type EnvValues = ReadonlyArray<readonly [name: string, value: string | undefined]>;

export function envPatches(container: JsonObject, containerPath: string, values: EnvValues): AddOperation[] {
  const env = container['env'];
  if (env !== undefined && env !== null && !Array.isArray(env))
    throw new CredlessError('webhook_pod_invalid', {
      reason: `${containerPath}/env is not a list`,
    });
  const existing = new Set<string>();
  for (const entry of env ?? [])
    if (isObject(entry) && typeof entry['name'] === 'string') existing.add(entry['name']);
  const added = values
    .filter(([name, value]) => value !== undefined && value !== '' && !existing.has(name))
    .map(([name, value]) => ({ name, value }));
  if (added.length === 0) return [];
  if (!Array.isArray(env)) return [{ op: 'add', path: `${containerPath}/env`, value: added }];
  return added.map((value) => ({ op: 'add', path: `${containerPath}/env/-`, value }));
}
