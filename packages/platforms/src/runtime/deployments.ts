/**
 * Deployment → pods, as the Deployment and ReplicaSet controllers would: pods named
 * `<deployment>-<template hash>-<5 chars>`, labelled pod-template-hash, owned by the Deployment.
 * A changed template replaces every pod (Recreate); replicas up or down adds or removes pods.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { type DeploymentObject, objectKey, type PodObject } from './manifests/objects.ts';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export const templateHash = (deployment: DeploymentObject) =>
  createHash('sha256')
    .update(JSON.stringify(deployment.spec?.template ?? {}))
    .digest('hex')
    .slice(0, 10);

export function ownedBy(pod: PodObject, deployment: DeploymentObject): boolean {
  return (
    (pod.metadata.ownerReferences ?? []).some(
      (o) => o.kind === 'Deployment' && o.name === deployment.metadata.name,
    ) && pod.metadata.namespace === deployment.metadata.namespace
  );
}

/** The object key of the Deployment that owns the pod, if one does. */
export function ownerDeploymentKey(pod: PodObject): string | undefined {
  const owner = (pod.metadata.ownerReferences ?? []).find((o) => o.kind === 'Deployment');
  return owner ? objectKey('Deployment', pod.metadata.namespace, owner.name) : undefined;
}

export function podFromTemplate(deployment: DeploymentObject, hash: string): PodObject {
  const template = deployment.spec?.template ?? {};
  const suffix = [...randomBytes(5)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${deployment.metadata.name}-${hash}-${suffix}`,
      namespace: deployment.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: deployment.metadata.name,
          uid: deployment.metadata.uid ?? '',
          controller: true,
        },
      ],
    },
    spec: structuredClone(template.spec),
  } as PodObject;
}

/**
 * Pods to delete and how many to create so the Deployment has `replicas` pods of its current template.
 * Failed pods do not count (as for the ReplicaSet controller) and are removed with their replacement.
 */
export function plan(
  deployment: DeploymentObject,
  pods: PodObject[],
  failed: (pod: PodObject) => boolean = () => false,
): { remove: PodObject[]; create: number; hash: string } {
  const hash = templateHash(deployment);
  const owned = pods.filter((p) => ownedBy(p, deployment));
  const current = owned.filter((p) => p.metadata.labels?.['pod-template-hash'] === hash && !failed(p));
  const stale = owned.filter((p) => p.metadata.labels?.['pod-template-hash'] !== hash || failed(p));
  const replicas = deployment.spec?.replicas ?? 1;
  const extra = current.slice(replicas);
  return { remove: [...stale, ...extra], create: Math.max(0, replicas - current.length), hash };
}
