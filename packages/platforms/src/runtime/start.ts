/**
 * The local cluster runtime inside `credless up`: the clusters of this credless and the control
 * socket the CLI talks to. Started after the server listens (it needs the server's URL and CA).
 * @module
 */

import type { RunningCredless } from '@credless/server';
import type { LocalPlatforms } from '../local-platforms.ts';
import { runtimeSocketPath } from './control/control-client.ts';
import { listenControl } from './control/control-server.ts';
import { LocalClusters, type LocalClustersOptions } from './host.ts';

export interface RunningLocalRuntime {
  clusters: LocalClusters;
  socketPath: string;
  close(): Promise<void>;
}

export interface StartLocalRuntimeOptions
  extends Partial<Omit<LocalClustersOptions, 'credless' | 'dataDir'>> {
  dataDir: string;
  /** Default `<data>/runtime.sock`. */
  socketPath?: string;
  onRestoreError?: (cluster: string, error: unknown) => void;
}

export async function startLocalRuntime(
  running: Pick<RunningCredless, 'url' | 'caPath' | 'caCertPem' | 'store' | 'defaultTenantId'> &
    Pick<LocalPlatforms, 'issueServiceAccountToken'>,
  options: StartLocalRuntimeOptions,
): Promise<RunningLocalRuntime> {
  const clusters = new LocalClusters({
    ...options,
    credless: {
      url: running.url,
      caPath: running.caPath,
      caCertPem: running.caCertPem,
      store: running.store,
      defaultTenantId: running.defaultTenantId,
      issueServiceAccountToken: (id, request) => running.issueServiceAccountToken(id, request),
    },
  });
  const socketPath = options.socketPath ?? runtimeSocketPath(options.dataDir);
  const server = await listenControl(clusters, socketPath);
  await clusters.restoreAll(options.onRestoreError);
  return {
    clusters,
    socketPath,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await clusters.close();
    },
  };
}
