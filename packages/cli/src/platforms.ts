/**
 * The local platforms package (@credless/platforms: emulated issuers, local clusters and registries, the
 * cluster runtime), imported on first use. Its modules are a large part of a start-up and most commands
 * never touch a local cluster or registry: only `up`, the runtime commands, `ci env` and an offline
 * Resource Manager request for a cluster or registry load it. Elsewhere in the CLI, `import type` only.
 * @module
 */
import { CredlessError } from '@credless/core';
import type { ArmProviderPlatform, ManagedClusterPlatform, RegistryPlatform } from '@credless/server';

export type LocalPlatformsModule = typeof import('@credless/platforms');

/** The one place the CLI imports the local platforms' code (Node's module cache makes it once). */
export const localPlatforms = (): Promise<LocalPlatformsModule> => import('@credless/platforms');

/**
 * Resource Manager providers for managed clusters and registries that load the real ones (`load`) on
 * their first call: the in-process API registers its routes at open, so a command that sends no cluster
 * or registry request (ad, role on a group, …) never loads the local platforms.
 */
export function lazyArmProviders(load: () => Promise<ArmProviderPlatform>): {
  managedClusters: ManagedClusterPlatform;
  registries: RegistryPlatform;
} {
  let loaded: ArmProviderPlatform | undefined;
  let loading: Promise<ArmProviderPlatform> | undefined;
  const platform = () => {
    // A failed load is not kept: the next request tries again, as a fresh command would.
    loading ??= load().then(
      (found) => {
        loaded = found;
        return found;
      },
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
  const part = async <K extends keyof ArmProviderPlatform>(key: K) => {
    const found = (await platform())[key];
    if (!found) throw new CredlessError('command_failed', { reason: `the local platforms serve no ${key}` });
    return found as NonNullable<ArmProviderPlatform[K]>;
  };
  const clusters = () => part('managedClusters');
  const registries = () => part('registries');
  return {
    managedClusters: {
      create: async (input) => (await clusters()).create(input),
      kubeletIdentity: async (cluster) => (await clusters()).kubeletIdentity(cluster),
      apiServer: async (cluster) => (await clusters()).apiServer(cluster),
      kubeconfig: async (cluster, kind) => (await clusters()).kubeconfig(cluster, kind),
      delete: async (cluster) => (await clusters()).delete(cluster),
      // Read only in a cluster's view, after its awaited kubeletIdentity call has loaded the platforms.
      get kubernetesVersion(): string {
        const version = loaded?.managedClusters?.kubernetesVersion;
        if (version === undefined)
          throw new CredlessError('command_failed', {
            reason: 'the Kubernetes version was read before the local platforms were loaded',
          });
        return version;
      },
    },
    registries: {
      create: async (tenantId, input) => (await registries()).create(tenantId, input),
      list: async (tenantId) => (await registries()).list(tenantId),
      delete: async (tenantId, name) => (await registries()).delete(tenantId, name),
      pullAccessChanged: async (tenantId, registry, principalId, granted) =>
        (await registries()).pullAccessChanged?.(tenantId, registry, principalId, granted),
    },
  };
}
