/**
 * The kubeconfig `az aks get-credentials` writes for an AKS cluster with Entra ID, pointing at a local
 * cluster's Kubernetes API: the cluster (server, credless's CA), the user `clusterUser_<group>_<name>`
 * (AKS's kubelogin exec user, devicecode; `credless kubeconfig convert --login workloadidentity` then
 * rewrites it for non-interactive use) and a context. Shared by `credless cluster get-credentials` and
 * the Resource Manager's listClusterUserCredential.
 * @module
 */
import { AKS_SERVER_APP_ID } from '@credless/core';
import { stringify } from 'yaml';

/** The Azure CLI's public client id that az writes into AKS kubeconfigs (kubelogin's default). */
const AZURE_CLI_CLIENT_ID = '80faf920-1908-4b52-b5ef-a8e7bedfc67a';
/** The ExecCredential version AKS kubeconfigs name. */
const EXEC_API_VERSION = 'client.authentication.k8s.io/v1beta1';

export interface KubeconfigEntry {
  cluster: { name: string; cluster: Record<string, unknown> };
  user: { name: string; user: Record<string, unknown> };
  context: { name: string; context: Record<string, unknown> };
}

/** The kubeconfig entries az writes for an AAD cluster, pointing at the cluster's API endpoint `server`. */
export function kubeconfigEntry(
  cluster: { name: string; resourceGroup: string; tenantId: string },
  deps: { server: string; caCertPem: string | undefined },
  contextName = cluster.name,
  kind: 'user' | 'admin' = 'user',
): KubeconfigEntry {
  const userName = `${kind === 'admin' ? 'clusterAdmin' : 'clusterUser'}_${cluster.resourceGroup}_${cluster.name}`;
  return {
    cluster: {
      name: cluster.name,
      cluster: {
        ...(deps.caCertPem
          ? { 'certificate-authority-data': Buffer.from(deps.caCertPem).toString('base64') }
          : {}),
        server: deps.server,
      },
    },
    user: {
      name: userName,
      user: {
        exec: {
          apiVersion: EXEC_API_VERSION,
          args: [
            'get-token',
            '--environment',
            'AzurePublicCloud',
            '--server-id',
            AKS_SERVER_APP_ID,
            '--client-id',
            AZURE_CLI_CLIENT_ID,
            '--tenant-id',
            cluster.tenantId,
            '--login',
            'devicecode',
          ],
          command: 'credless',
          env: null,
          installHint:
            'Run `credless kubeconfig convert --login workloadidentity` to use a federated token (credless has no device-code login).',
          provideClusterInfo: false,
        },
      },
    },
    context: { name: contextName, context: { cluster: cluster.name, user: userName } },
  };
}

/** A whole kubeconfig holding only `entry`, its context current (what AKS returns base64-encoded). */
export function kubeconfigText(entry: KubeconfigEntry): string {
  return stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [entry.cluster],
      contexts: [entry.context],
      'current-context': entry.context.name,
      preferences: {},
      users: [entry.user],
    },
    { lineWidth: 0 },
  );
}
