/**
 * Pod volumes on the local disk. Every volume of a pod is a directory
 * `<cluster dir>/pods/<namespace>/<pod>/volumes/<volume>/`: projected volumes get their
 * serviceAccountToken and configMap files, configMap volumes one file per key, emptyDir stays empty.
 *
 * The mapping rule for containers (processes see host paths, not a mount namespace): every env value,
 * command word and argument that is a container path inside a volumeMount — equal to its mountPath or
 * below it — is rewritten to the same place under the volume's directory (+ subPath); the longest
 * mountPath wins. So AZURE_FEDERATED_TOKEN_FILE=/var/run/secrets/azure/tokens/azure-identity-token
 * becomes `<pod dir>/volumes/azure-identity-token/azure-identity-token`.
 * @module
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, posix, relative, resolve } from 'node:path';
import type { V1Container, V1KeyToPath, V1Volume } from '@kubernetes/client-node';
import type { ConfigMapObject, PodObject } from '../manifests/objects.ts';

export interface VolumeContext {
  podDir: string;
  configMap(namespace: string, name: string): ConfigMapObject | undefined;
  /** Writes a projected token (and keeps it fresh); `path` is the file inside the volume. */
  projectToken(
    file: string,
    source: { audience?: string | undefined; expirationSeconds?: number | undefined },
  ): Promise<void>;
}

export interface Mount {
  mountPath: string;
  hostPath: string;
}

/** A volume the local cluster cannot provide (secret, hostPath, PVC…) or a missing ConfigMap. */
export class VolumeError extends Error {}

export const volumeDir = (podDir: string, volume: string) => join(podDir, 'volumes', volume);

export async function prepareVolumes(pod: PodObject, ctx: VolumeContext): Promise<void> {
  for (const volume of pod.spec?.volumes ?? []) {
    const dir = volumeDir(ctx.podDir, volume.name);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await fillVolume(volume, dir, pod, ctx);
  }
}

async function fillVolume(volume: V1Volume, dir: string, pod: PodObject, ctx: VolumeContext): Promise<void> {
  const namespace = pod.metadata.namespace;
  if (volume.emptyDir) return;
  if (volume.configMap) return writeConfigMap(dir, namespace, volume.configMap, ctx);
  if (volume.projected) {
    for (const source of volume.projected.sources ?? []) {
      if (source.serviceAccountToken) {
        const file = inside(dir, source.serviceAccountToken.path);
        await mkdir(dirname(file), { recursive: true, mode: 0o700 });
        await ctx.projectToken(file, {
          audience: source.serviceAccountToken.audience,
          expirationSeconds: source.serviceAccountToken.expirationSeconds,
        });
      } else if (source.configMap) await writeConfigMap(dir, namespace, source.configMap, ctx);
      else
        throw new VolumeError(
          `volume "${volume.name}": only serviceAccountToken and configMap projections are supported locally`,
        );
    }
    return;
  }
  const type = Object.keys(volume).find((key) => key !== 'name') ?? 'unknown';
  throw new VolumeError(
    `volume "${volume.name}": ${type} volumes are not supported locally (use emptyDir, configMap or projected)`,
  );
}

async function writeConfigMap(
  dir: string,
  namespace: string,
  ref: { name?: string | undefined; items?: V1KeyToPath[] | undefined; optional?: boolean | undefined },
  ctx: VolumeContext,
): Promise<void> {
  const configMap = ref.name ? ctx.configMap(namespace, ref.name) : undefined;
  if (!configMap) {
    if (ref.optional) return;
    throw new VolumeError(`configmap "${ref.name}" not found`);
  }
  const data = configMap.data ?? {};
  const items = ref.items ?? Object.keys(data).map((key) => ({ key, path: key }));
  for (const item of items) {
    const value = data[item.key];
    if (value === undefined) throw new VolumeError(`configmap "${ref.name}" has no key "${item.key}"`);
    const file = inside(dir, item.path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, value, { mode: 0o644 });
  }
}

/** A relative path inside a volume; `..` or an absolute path would escape it. */
function inside(dir: string, path: string): string {
  const file = resolve(dir, path);
  const rel = relative(dir, file);
  if (path === '' || posix.isAbsolute(path) || rel.startsWith('..') || rel === '')
    throw new VolumeError(`path '${path}' must be a relative path inside the volume`);
  return file;
}

export function containerMounts(container: V1Container, podDir: string): Mount[] {
  return (container.volumeMounts ?? [])
    .map((m) => ({
      mountPath: posix.normalize(m.mountPath).replace(/\/+$/, '') || '/',
      hostPath: m.subPath ? inside(volumeDir(podDir, m.name), m.subPath) : volumeDir(podDir, m.name),
    }))
    .sort((a, b) => b.mountPath.length - a.mountPath.length);
}

/** The rule in the module comment: a container path inside a mount → its host path; anything else as is. */
export function mapPath(value: string, mounts: readonly Mount[]): string {
  if (!value.startsWith('/')) return value;
  for (const mount of mounts) {
    if (value === mount.mountPath) return mount.hostPath;
    if (value.startsWith(`${mount.mountPath}/`))
      return join(mount.hostPath, value.slice(mount.mountPath.length + 1));
  }
  return value;
}
