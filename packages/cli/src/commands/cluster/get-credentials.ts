/**
 * `credless cluster get-credentials --name … --resource-group …`: `az aks get-credentials` for a local
 * cluster. Writes (or merges into) a kubeconfig the cluster `<name>` (server =
 * `https://<credless host>:<the cluster's port>`, since the running credless serves each cluster's
 * API on its own port; certificate-authority-data = credless's local CA), the user
 * `clusterUser_<group>_<name>` and the context `<name>`, made current. The user is AKS's devicecode
 * exec user; as in the seed, `credless kubeconfig convert --login workloadidentity` then rewrites it.
 * Merging is az's: an entry of the same name that differs is an error unless --overwrite-existing.
 * @module
 */
import { chmod, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { AKS_SERVER_APP_ID, CredlessError } from '@credless/core';
import { ensureAksServerApplication } from '@credless/platforms';
import { Document, isMap, isSeq, parseDocument, type YAMLSeq } from 'yaml';
import type { DirectoryContext } from '../../context.ts';
import { UsageError } from '../../exit-codes.ts';
import { EXEC_API_VERSIONS } from '../kube/exec-plugin.ts';
import { defaultKubeconfigPath } from '../kube/kubeconfig-convert.ts';

/** The Azure CLI's public client id that az writes into AKS kubeconfigs (kubelogin's default). */
const AZURE_CLI_CLIENT_ID = '80faf920-1908-4b52-b5ef-a8e7bedfc67a';

export interface GetCredentialsOptions {
  name: string;
  resourceGroup: string;
  /** Kubeconfig to write (default $KUBECONFIG or ~/.kube/config); '-' prints it. */
  file?: string;
  overwriteExisting?: boolean;
  /** Name of the context (default: the cluster name). */
  context?: string;
}

export interface GetCredentialsDeps {
  /** credless's public base URL (the cluster API lives under it). */
  baseUrl: string;
  /** PEM of the CA that signs credless's HTTPS certificate; absent with plain HTTP. */
  caCertPem: string | undefined;
  stdout?: NodeJS.WritableStream;
  /** How long to wait for the running credless to open the cluster's API listener (default 15 s). */
  waitMs?: number;
}

/**
 * The cluster API's URL: credless's host, the cluster's own port. The running server records the port
 * when it opens the listener (at start, or within its directory poll after `cluster create`).
 */
export async function clusterApiServer(
  store: DirectoryContext['store'],
  clusterId: string,
  baseUrl: string,
  waitMs: number,
): Promise<string> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const port = await store.getClusterApiPort(clusterId);
    if (port !== undefined) {
      const url = new URL(baseUrl);
      return `${url.protocol}//${url.hostname.includes(':') ? `[${url.hostname}]` : url.hostname}:${port}`;
    }
    if (Date.now() >= deadline) {
      throw new UsageError(
        "the cluster's API is not being served: start credless (`credless up`) with this data directory, then run get-credentials again",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

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
): KubeconfigEntry {
  const userName = `clusterUser_${cluster.resourceGroup}_${cluster.name}`;
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
          apiVersion: EXEC_API_VERSIONS.v1beta1,
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

const SECTIONS = [
  ['clusters', 'cluster'],
  ['users', 'user'],
  ['contexts', 'context'],
] as const;

/** Merges the entries into kubeconfig text (empty or absent: a new kubeconfig); the context becomes current. */
export function mergeKubeconfigText(
  existing: string | undefined,
  entry: KubeconfigEntry,
  overwriteExisting: boolean,
): string {
  const doc =
    existing === undefined || existing.trim() === ''
      ? new Document({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [],
          contexts: [],
          'current-context': '',
          preferences: {},
          users: [],
        })
      : parseDocument(existing);
  if (doc.errors.length > 0) throw new UsageError(`kubeconfig is not valid YAML: ${doc.errors[0]?.message}`);
  if (!isMap(doc.contents)) throw new UsageError('kubeconfig is not a YAML mapping');
  for (const [section, key] of SECTIONS) {
    const wanted = entry[key];
    let list = doc.get(section);
    if (!isSeq(list)) {
      list = doc.createNode([]) as YAMLSeq;
      doc.set(section, list);
    }
    const items = (list as YAMLSeq).items;
    const index = items.findIndex((item) => isMap(item) && item.get('name') === wanted.name);
    const node = doc.createNode(wanted);
    if (index < 0) {
      (list as YAMLSeq).add(node);
      continue;
    }
    const current = (items[index] as { toJSON(): unknown }).toJSON();
    if (isDeepStrictEqual(current, JSON.parse(JSON.stringify(wanted)))) continue;
    if (!overwriteExisting) {
      throw new UsageError(
        `A different object named ${wanted.name} already exists in your kubeconfig file's ${section}: pass --overwrite-existing to replace it`,
      );
    }
    items[index] = node;
  }
  doc.set('current-context', entry.context.name);
  return doc.toString({ lineWidth: 0 });
}

/** Writes atomically, keeping the file's mode (0600 for a new file, as az does). */
async function writeKubeconfig(path: string, text: string): Promise<void> {
  const mode = await stat(path).then(
    (found) => found.mode & 0o777,
    () => 0o600,
  );
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.credless.tmp`;
  try {
    await writeFile(temp, text, { mode });
    await chmod(temp, mode);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** Looks the cluster up, makes sure the AKS server application exists, and writes the kubeconfig. */
export async function getCredentials(
  ctx: DirectoryContext,
  options: GetCredentialsOptions,
  deps: GetCredentialsDeps,
): Promise<{ kubeconfig: string; context: string; server: string }> {
  const cluster = await ctx.store.getCluster(ctx.tenantId, options.resourceGroup, options.name);
  if (!cluster) throw new CredlessError('not_found', { id: `${options.resourceGroup}/${options.name}` });
  // The exec plugin asks the STS for the AKS server app's tokens: the tenant must have it.
  await ensureAksServerApplication(ctx.store, ctx.tenantId);
  const server = await clusterApiServer(ctx.store, cluster.id, deps.baseUrl, deps.waitMs ?? 15_000);
  const entry = kubeconfigEntry(
    cluster,
    { server, caCertPem: deps.caCertPem },
    options.context ?? cluster.name,
  );
  if (options.file === '-') {
    (deps.stdout ?? process.stdout).write(mergeKubeconfigText(undefined, entry, true));
    return { kubeconfig: '-', context: entry.context.name, server };
  }
  const path = options.file ?? defaultKubeconfigPath();
  let existing: string | undefined;
  try {
    existing = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new UsageError(`--file: cannot read '${path}' (${(error as NodeJS.ErrnoException).code})`);
    }
  }
  await writeKubeconfig(path, mergeKubeconfigText(existing, entry, options.overwriteExisting === true));
  return { kubeconfig: path, context: entry.context.name, server };
}
