/**
 * Shared fixtures for the webhook tests: a mutation config, pods, ServiceAccounts, and applying a patch
 * with a real JSON-Patch library followed by validation against the Kubernetes Pod schema.
 * @module
 */
import fastJsonPatch from 'fast-json-patch';
import { Pod } from 'kubernetes-models/v1';
import { compileMutationConfig } from '../src/mutation/config.ts';
import type { AddOperation, ServiceAccountInfo } from '../src/mutation/types.ts';

export const AUTHORITY = 'https://credless.example:8443/';
export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const CLIENT_ID = '11111111-2222-3333-4444-555555555555';

export const config = compileMutationConfig({ authorityHost: AUTHORITY, tenantId: TENANT });

export function serviceAccount(
  annotations: Record<string, string> = {},
  name = 'workload',
  namespace = 'apps',
): ServiceAccountInfo {
  return { namespace, name, annotations };
}

export function container(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, image: `registry.example/${name}:1`, ...extra };
}

/** A realistic pod with fields the webhook knows nothing about (must survive untouched). */
export function pod(
  spec: Record<string, unknown> = {},
  metadata: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-0',
      namespace: 'apps',
      labels: { 'azure.workload.identity/use': 'true' },
      ...metadata,
    },
    spec: { serviceAccountName: 'workload', containers: [container('app')], ...spec },
  };
}

/** Applies the patch to a deep copy (validating every operation), then validates the Pod schema. */
export function applyAndValidate(object: unknown, patch: AddOperation[]): Record<string, unknown> {
  const copy = structuredClone(object);
  const errors = fastJsonPatch.validate(patch as fastJsonPatch.Operation[], copy);
  if (errors) throw errors;
  const { newDocument } = fastJsonPatch.applyPatch(copy, patch as fastJsonPatch.Operation[], true, true);
  new Pod(newDocument as never).validate();
  return newDocument as Record<string, unknown>;
}

export const envOf = (object: unknown, kind: 'containers' | 'initContainers', index: number) =>
  (object as { spec: Record<string, Array<{ env?: Array<{ name: string; value?: string }> }>> }).spec[kind]![
    index
  ]!.env ?? [];
