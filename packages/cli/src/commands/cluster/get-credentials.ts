/**
 * `credless cluster get-credentials --name … --resource-group …`: `az aks get-credentials` for a local
 * cluster, through the Resource Manager as az (listClusterUserCredential). Merges into a kubeconfig the
 * cluster `<name>` (server = `https://<credless host>:<the cluster's port>`, since the running credless
 * serves each cluster's API on its own port; certificate-authority-data = credless's local CA), the user
 * `clusterUser_<group>_<name>` and the context `<name>`, made current. The user is AKS's devicecode
 * exec user; as in the seed, `credless kubeconfig convert --login workloadidentity` then rewrites it.
 * Merging is az's: an entry of the same name that differs is an error unless --overwrite-existing.
 * @module
 */
import { chmod, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { CredlessError } from '@credless/core';
import type { KubeconfigEntry } from '@credless/platforms';
import { Document, isMap, isSeq, parse, parseDocument, type YAMLSeq } from 'yaml';
import { UsageError } from '../../exit-codes.ts';
import type { GraphApi } from '../../session/graph-api.ts';
import { armError } from '../../session/management-api.ts';
import { defaultKubeconfigPath } from '../kube/kubeconfig-convert.ts';

/** The shape the Resource Manager's listClusterUserCredential writes (@credless/platforms, a type only). */
export type { KubeconfigEntry };

export interface GetCredentialsOptions {
  name: string;
  resourceGroup: string;
  /** Kubeconfig to write (default $KUBECONFIG or ~/.kube/config); '-' prints it. */
  file?: string;
  overwriteExisting?: boolean;
  /** Name of the context (default: the cluster name). */
  context?: string;
  /** az's --admin: the clusterAdmin user (listClusterAdminCredential). */
  admin?: boolean;
}

export interface GetCredentialsDeps {
  /** PEM of a CA to trust instead of the one the API put in the kubeconfig (`--ca-file`). */
  caCertPem?: string | undefined;
  stdout?: NodeJS.WritableStream;
  /** How long to wait for the running credless to open the cluster's API listener (default 15 s). */
  waitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const API = 'api-version=2023-08-01';

/**
 * listClusterUserCredential (or Admin) as az calls it; while no replica serves the cluster's API yet
 * (409 OperationNotAllowed), asked again until `waitMs` passes.
 */
async function listCredential(
  api: GraphApi,
  options: GetCredentialsOptions,
  deps: GetCredentialsDeps,
): Promise<string> {
  const arm = await api.management();
  const action = options.admin ? 'listClusterAdminCredential' : 'listClusterUserCredential';
  const path = `/subscriptions/${arm.subscriptionId}/resourceGroups/${encodeURIComponent(options.resourceGroup)}/providers/Microsoft.ContainerService/managedClusters/${encodeURIComponent(options.name)}/${action}?${API}`;
  const deadline = Date.now() + (deps.waitMs ?? 15_000);
  const sleep = deps.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  for (;;) {
    const answer = await arm.send('POST', path);
    if (answer.status === 200) {
      const value = (answer.body as { kubeconfigs?: Array<{ value?: string }> }).kubeconfigs?.[0]?.value;
      if (typeof value !== 'string') throw armError(answer, `POST ${action}`);
      return Buffer.from(value, 'base64').toString('utf8');
    }
    if (answer.status === 404) {
      throw new CredlessError('not_found', { id: `${options.resourceGroup}/${options.name}` });
    }
    if (answer.status !== 409 || Date.now() >= deadline) throw armError(answer, `POST ${action}`);
    await sleep(250);
  }
}

/** The one cluster, user and context of the kubeconfig AKS returns, the context renamed as asked. */
function entryOf(
  text: string,
  contextName: string | undefined,
  caCertPem: string | undefined,
): KubeconfigEntry {
  const config = parse(text) as {
    clusters?: KubeconfigEntry['cluster'][];
    users?: KubeconfigEntry['user'][];
    contexts?: KubeconfigEntry['context'][];
  };
  const [cluster, user, context] = [config.clusters?.[0], config.users?.[0], config.contexts?.[0]];
  if (!cluster || !user || !context)
    throw new UsageError('the API answered a kubeconfig without a cluster, user or context');
  const { 'certificate-authority-data': _ca, ...rest } = cluster.cluster;
  return {
    cluster: caCertPem
      ? {
          name: cluster.name,
          cluster: { 'certificate-authority-data': Buffer.from(caCertPem).toString('base64'), ...rest },
        }
      : cluster,
    user,
    context: { ...context, name: contextName ?? context.name },
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

/** Asks the API for the cluster's kubeconfig (az's listClusterUserCredential) and merges it in. */
export async function getCredentials(
  api: GraphApi,
  options: GetCredentialsOptions,
  deps: GetCredentialsDeps = {},
): Promise<{ kubeconfig: string; context: string; server: string }> {
  const entry = entryOf(await listCredential(api, options, deps), options.context, deps.caCertPem);
  const server = String(entry.cluster.cluster['server']);
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
