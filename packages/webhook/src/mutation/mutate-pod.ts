/**
 * The whole mutation of one pod, composed from the one-rule helpers next to this file. Pure: the
 * ServiceAccount is looked up by the caller. The result is a JSON patch of `add` operations only, and
 * running it again over the patched pod yields an empty patch (reinvocation adds nothing).
 * @module
 */
import { CredlessError } from '@credless/core';
import {
  CLIENT_ID_ANNOTATION,
  ENV_AUTHORITY_HOST,
  ENV_CLIENT_ID,
  ENV_FEDERATED_TOKEN_FILE,
  ENV_TENANT_ID,
  TENANT_ID_ANNOTATION,
} from './constants.ts';
import { envPatches } from './env.ts';
import { identityFromServiceAccount } from './identity.ts';
import { checkIdentityBinding, type IdentityBindingPolicy } from './identity-bindings.ts';
import { serviceAccountName } from './service-account-name.ts';
import { skippedContainers } from './skip-containers.ts';
import { tokenExpirationSeconds } from './token-expiration.ts';
import { tokenVolumePatches } from './token-volume.ts';
import {
  type AddOperation,
  type ContainerKind,
  isObject,
  type JsonObject,
  type MutationConfig,
  type ServiceAccountInfo,
} from './types.ts';
import { volumeMountPatches } from './volume-mount.ts';

/** A pod checked just enough to be mutated safely. */
export interface PodView {
  /** metadata.name, else generateName (pods from controllers have no name yet at admission). */
  displayName: string;
  annotations: Readonly<Record<string, unknown>>;
  spec: JsonObject;
  serviceAccountName: string;
}

export function readPod(object: unknown): PodView {
  const invalid = (reason: string) => new CredlessError('webhook_pod_invalid', { reason });
  if (!isObject(object)) throw invalid('request.object is not a Pod object');
  const metadata = isObject(object['metadata']) ? object['metadata'] : {};
  const spec = object['spec'];
  if (!isObject(spec)) throw invalid('the pod has no spec');
  const containers = spec['containers'];
  if (!Array.isArray(containers) || containers.length === 0) throw invalid('the pod has no containers');
  for (const kind of ['initContainers', 'containers'] as const) {
    const list = spec[kind];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list) || !list.every((c) => isObject(c) && typeof c['name'] === 'string'))
      throw invalid(`spec.${kind} must be a list of containers with names`);
  }
  const name = typeof metadata['name'] === 'string' && metadata['name'] ? metadata['name'] : undefined;
  const generateName =
    typeof metadata['generateName'] === 'string' ? `${metadata['generateName']}*` : '<unnamed>';
  return {
    displayName: name ?? generateName,
    annotations: isObject(metadata['annotations']) ? metadata['annotations'] : {},
    spec,
    serviceAccountName: serviceAccountName(spec),
  };
}

export interface MutationInput {
  pod: PodView;
  namespace: string;
  serviceAccount: ServiceAccountInfo;
  config: MutationConfig;
  bindings?: IdentityBindingPolicy | undefined;
}

export interface MutationResult {
  patch: AddOperation[];
  /** Shown by kubectl to whoever created the pod. */
  warnings: string[];
}

export function mutatePod(input: MutationInput): MutationResult {
  const { pod, config, serviceAccount } = input;
  const saName = `${input.namespace}/${serviceAccount.name}`;
  const identity = identityFromServiceAccount(serviceAccount, config);
  const warnings: string[] = [];
  if (identity.clientId)
    checkIdentityBinding(input.bindings, {
      namespace: input.namespace,
      name: serviceAccount.name,
      clientId: identity.clientId,
    });
  else
    warnings.push(
      `ServiceAccount ${saName} has no ${CLIENT_ID_ANNOTATION} annotation, so AZURE_CLIENT_ID is not set: annotate the ServiceAccount (then recreate the pod) or set AZURE_CLIENT_ID in the pod`,
    );
  if (!identity.tenantId)
    warnings.push(
      `no tenant id for ServiceAccount ${saName} (no ${TENANT_ID_ANNOTATION} annotation value, no webhook --tenant-id), so AZURE_TENANT_ID is not set`,
    );
  const expiration = tokenExpirationSeconds(pod.annotations, serviceAccount.annotations, {
    pod: `${input.namespace}/${pod.displayName}`,
    serviceAccount: saName,
  });
  const env = [
    [ENV_CLIENT_ID, identity.clientId],
    [ENV_TENANT_ID, identity.tenantId],
    [ENV_FEDERATED_TOKEN_FILE, config.tokenPath],
    [ENV_AUTHORITY_HOST, config.authorityHost],
  ] as const;
  const skipped = skippedContainers(pod.annotations);
  const patch: AddOperation[] = [];
  let mutatedContainers = 0;
  for (const kind of ['initContainers', 'containers'] as ContainerKind[]) {
    const containers = (pod.spec[kind] ?? []) as JsonObject[];
    containers.forEach((container, index) => {
      if (skipped.has(container['name'] as string)) return;
      mutatedContainers++;
      const path = `/spec/${kind}/${index}`;
      patch.push(
        ...envPatches(container, path, env),
        ...volumeMountPatches(container, path, config.mountPath),
      );
    });
  }
  // Every container skipped: the pod keeps no token, so it needs no volume either.
  if (mutatedContainers > 0) patch.push(...tokenVolumePatches(pod.spec, config, expiration));
  return { patch, warnings };
}
