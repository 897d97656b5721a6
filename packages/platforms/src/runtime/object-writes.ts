/**
 * The API server's part of a write, before the object reaches the runtime: the metadata it owns (uid,
 * creationTimestamp, generation, resourceVersion precondition) and the checks kube-apiserver makes
 * on updates (a Pod's spec is immutable but for its containers' images). Pure: the runtime calls these inside
 * its serialized operations.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { CredlessError } from '@credless/core';
import { type KubeObject, SUPPORTED_KINDS } from './manifests/objects.ts';
import { RESOURCE_OF_KIND } from './object-status.ts';

export type WriteMode = 'create' | 'update';

/** The namespaces every cluster has (created when the runtime starts, as kube-apiserver does). */
export const BUILT_IN_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Refuses a create of an existing object, an update of a missing one or one from a stale read. */
export function checkPrecondition(
  object: KubeObject,
  existing: KubeObject | undefined,
  mode: WriteMode,
  currentVersion: string | undefined,
): void {
  const ref = kubeRef(object.kind, object.metadata.name);
  if (mode === 'create' && existing) throw new CredlessError('kube_object_exists', ref);
  if (mode === 'update' && !existing) throw new CredlessError('kube_object_not_found', ref);
  const wanted = object.metadata.resourceVersion;
  if (mode === 'update' && wanted && currentVersion !== undefined && wanted !== currentVersion)
    throw new CredlessError('kube_object_conflict', ref);
  if (mode === 'update' && object.kind === 'Pod' && existing?.kind === 'Pod') {
    // kube-apiserver lets a pod's container images change (the kubelet restarts those containers), no more.
    const [before, after] = [{ ...existing.spec }, { ...object.spec }] as Spec[];
    const changed = changedPodSpecFields(before as Spec, after as Spec);
    if (changed.length > 0)
      throw new CredlessError('kube_object_invalid', {
        ...ref,
        field: 'spec',
        reason: `Forbidden: pod updates may not change fields other than \`spec.containers[*].image\`,\`spec.initContainers[*].image\`,\`spec.activeDeadlineSeconds\`,\`spec.tolerations\` (only additions to existing tolerations),\`spec.terminationGracePeriodSeconds\` (allow it to be set to 1 if it was previously negative)\n${specDiff(before as Spec, after as Spec, changed)}`,
      });
  }
}

type Spec = Record<string, unknown>;

/** The PodSpec fields that differ, container images aside. */
function changedPodSpecFields(before: Spec, after: Spec): string[] {
  const withoutImages = (spec: Spec): Spec => {
    const copy: Record<string, unknown> = { ...spec };
    for (const list of ['containers', 'initContainers'])
      if (Array.isArray(copy[list]))
        copy[list] = (copy[list] as Array<Record<string, unknown>>).map(({ image: _, ...rest }) => rest);
    return copy;
  };
  const [a, b] = [withoutImages(before), withoutImages(after)];
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
    (key) => !isDeepStrictEqual(a[key], b[key]),
  );
}

/** The changed fields in the shape of kube-apiserver's diff after that message (Go field names, - then +). */
function specDiff(before: Spec, after: Spec, fields: string[]): string {
  const lines = ['  core.PodSpec{'];
  const value = (v: unknown) => (v === undefined ? 'nil' : JSON.stringify(v));
  for (const key of fields) {
    const name = `${key.charAt(0).toUpperCase()}${key.slice(1)}`;
    const [was, now] = [before[key], after[key]];
    lines.push(`- \t${name}: ${value(was)},`, `+ \t${name}: ${value(now)},`);
  }
  lines.push('  }');
  return lines.join('\n');
}

/** How kube-apiserver names a kind in its messages: `deployments.apps "web"`, `Deployment.apps "web" is invalid`. */
export function kubeRef(kind: KubeObject['kind'], name: string) {
  const group = SUPPORTED_KINDS[kind].includes('/') ? `.${SUPPORTED_KINDS[kind].split('/')[0]}` : '';
  return { resource: `${RESOURCE_OF_KIND[kind]}${group}`, kind: `${kind}${group}`, name };
}

/** Stamps what the server owns; a changed spec (or template) moves the generation on. */
export function stampMetadata(object: KubeObject, existing: KubeObject | undefined, now: number): void {
  const { metadata } = object;
  metadata.uid = existing?.metadata.uid ?? randomUUID();
  metadata.creationTimestamp = (existing?.metadata.creationTimestamp ??
    new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z')) as never;
  // Only kinds whose controllers report an observedGeneration have one (of those served: Deployments).
  if (object.kind === 'Deployment') {
    const generation = existing?.metadata.generation ?? 0;
    const same = existing?.kind === 'Deployment' && isDeepStrictEqual(existing.spec, object.spec);
    metadata.generation = same ? generation : generation + 1;
  } else delete metadata.generation;
  // managedFields come from the API's write (who set which fields); the version is the runtime's to give.
  delete metadata.resourceVersion;
}
