/**
 * Rule: the read-only mount of the token volume in one container. Already mounted (reinvocation, or the
 * user did it) means nothing to add; another volume at the same path would hide the token, so the pod
 * is refused with a message saying which mount is in the way.
 * @module
 */
import { CredlessError } from '@credless/core';
import { TOKEN_VOLUME_NAME } from './constants.ts';
import { type AddOperation, isObject, type JsonObject } from './types.ts';

export function volumeMountPatches(
  container: JsonObject,
  containerPath: string,
  mountPath: string,
): AddOperation[] {
  const mounts = container['volumeMounts'];
  if (mounts !== undefined && mounts !== null && !Array.isArray(mounts))
    throw new CredlessError('webhook_pod_invalid', { reason: `${containerPath}/volumeMounts is not a list` });
  for (const mount of mounts ?? []) {
    if (!isObject(mount)) continue;
    if (mount['name'] === TOKEN_VOLUME_NAME) return [];
    if (typeof mount['mountPath'] === 'string' && trimSlash(mount['mountPath']) === mountPath)
      throw new CredlessError('webhook_mount_conflict', {
        container: String(container['name']),
        volume: String(mount['name']),
        mountPath,
      });
  }
  const mount = { name: TOKEN_VOLUME_NAME, mountPath, readOnly: true };
  if (!Array.isArray(mounts)) return [{ op: 'add', path: `${containerPath}/volumeMounts`, value: [mount] }];
  return [{ op: 'add', path: `${containerPath}/volumeMounts/-`, value: mount }];
}

const trimSlash = (path: string) => (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);
