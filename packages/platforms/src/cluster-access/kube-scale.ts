/**
 * A Deployment's `scale` subresource (autoscaling/v1 Scale), as `kubectl scale` reads and patches it:
 * GET answers the Scale; PUT or PATCH (merge, JSON Patch) changes spec.replicas, written to the
 * Deployment (a stale resourceVersion is a Conflict, as for the Deployment itself).
 * @module
 */
import { CredlessError } from '@credless/core';
import type { DeploymentObject, KubeObject } from '../runtime/manifests/objects.ts';
import type { Served } from '../runtime/object-status.ts';
import { kubeRef } from '../runtime/object-writes.ts';
import { type ObjectAnswer, type ObjectRequest, type ObjectRuntime, parseJson } from './kube-objects.ts';
import { applyPatch, PATCH_TYPES, type PatchType } from './kube-patch.ts';

function scaleOf(deployment: Served) {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = deployment.metadata;
  const spec = deployment['spec'] as DeploymentObject['spec'];
  const status = deployment['status'] as { replicas?: number } | undefined;
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: spec?.replicas ?? 1 },
    status: {
      replicas: status?.replicas ?? 0,
      selector: Object.entries(spec?.selector?.matchLabels ?? {})
        .map(([key, value]) => `${key}=${value}`)
        .join(','),
    },
  };
}

export async function handleScale(runtime: ObjectRuntime, request: ObjectRequest): Promise<ObjectAnswer> {
  const { info } = request;
  const name = info.name as string;
  const deployment = runtime.served('Deployment', info.namespace ?? '', name);
  if (!deployment) throw new CredlessError('kube_object_not_found', kubeRef('Deployment', name));
  const scale = scaleOf(deployment);
  if (info.verb === 'get') return { status: 200, body: scale };
  let wanted: unknown;
  const body = parseJson(request.body);
  if (info.verb === 'update') wanted = body;
  else {
    const type = (request.contentType ?? '').split(';')[0]?.trim() as PatchType;
    if (!PATCH_TYPES.includes(type))
      throw new CredlessError('kube_media_type_unsupported', { accepted: PATCH_TYPES.join(', ') });
    wanted = applyPatch(type, scale, body, undefined);
  }
  const spec = (wanted as { spec?: { replicas?: unknown } }).spec;
  const replicas = spec?.replicas;
  if (!Number.isInteger(replicas) || (replicas as number) < 0)
    throw new CredlessError('kube_object_invalid', {
      ...kubeRef('Deployment', name),
      kind: 'Scale.autoscaling',
      field: 'spec.replicas',
      reason: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
    });
  const version = (wanted as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
  const { status: _, ...stored } = deployment;
  const updated = {
    ...stored,
    metadata: { ...stored.metadata, resourceVersion: version ?? stored.metadata['resourceVersion'] },
    spec: { ...(stored['spec'] as object), replicas },
  } as unknown as KubeObject;
  const written = await runtime.write(updated, 'update', `scale deployments/${name}`);
  return { status: 200, body: scaleOf(written) };
}
