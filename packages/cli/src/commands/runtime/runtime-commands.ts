/**
 * `credless cluster apply|get|logs|delete` (objects of a local cluster, kubectl-like) and `credless acr
 * build`. Object commands talk to the runtime inside `credless up` over `<data>/runtime.sock`; acr build
 * stores image bytes in the data directory (registry commands go through the API: registries.ts).
 * @module
 */
import { readFile } from 'node:fs/promises';
import { isCredlessError } from '@credless/core';
import type { ApplyResult, ClusterSelector, ControlRequest, KubeObject } from '@credless/platforms';
import { resolveDataDir } from '@credless/server';
import type { DirectoryContext } from '../../context.ts';
import { CommandError, EXIT, UsageError } from '../../exit-codes.ts';
import { localPlatforms } from '../../platforms.ts';

export interface RuntimeTarget extends ClusterSelector {
  dataDir?: string | undefined;
}

/** Sends one request to the runtime inside `credless up` for the target's data directory. */
async function callRuntime<T>(
  target: RuntimeTarget,
  env: NodeJS.ProcessEnv,
  request: ControlRequest,
): Promise<T> {
  const platforms = await localPlatforms();
  return platforms.callRuntime<T>(platforms.runtimeSocketPath(resolveDataDir(env, target.dataDir)), request);
}

const selector = (t: RuntimeTarget): ClusterSelector => ({
  name: t.name,
  ...(t.resourceGroup ? { resourceGroup: t.resourceGroup } : {}),
  ...(t.tenant ? { tenant: t.tenant } : {}),
});

async function readManifests(
  files: string[],
  env: NodeJS.ProcessEnv,
  namespace?: string,
  lenient = false,
): Promise<KubeObject[]> {
  if (files.length === 0)
    throw new UsageError('-f/--filename: name at least one manifest file (or - for stdin)');
  const { loadManifests } = await localPlatforms();
  const objects: KubeObject[] = [];
  for (const file of files) {
    const text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
    objects.push(
      ...loadManifests(text, {
        source: file === '-' ? 'stdin' : file,
        env,
        lenient,
        ...(namespace ? { defaultNamespace: namespace } : {}),
      }),
    );
  }
  return objects;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const line = (r: ApplyResult) => `${r.kind.toLowerCase()}/${r.name} ${r.action}`;

/** `cluster apply -f …`: kubectl's result lines (`pod/web created`). */
export async function clusterApply(
  target: RuntimeTarget & { files: string[]; namespace?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  const objects = await readManifests(target.files, env, target.namespace);
  const results = await callRuntime<ApplyResult[]>(target, env, {
    op: 'apply',
    cluster: selector(target),
    source: target.files.join(','),
    objects,
  });
  return results.map(line);
}

/** kubectl's resource names in its messages (`pods "web" not found`). */
const RESOURCE: Record<KubeObject['kind'], string> = {
  Pod: 'pods',
  Deployment: 'deployments.apps',
  Service: 'services',
  ConfigMap: 'configmaps',
  ServiceAccount: 'serviceaccounts',
  Namespace: 'namespaces',
  Secret: 'secrets',
};

export interface DeleteReport {
  deleted(line: string): void;
  notFound(line: string): void;
}

const printReport: DeleteReport = {
  deleted: (l) => process.stdout.write(`${l}\n`),
  notFound: (l) => console.error(l),
};

/**
 * `cluster delete -f …` or `cluster delete <kind> <name>`, as kubectl: every object is tried; each
 * one missing is reported (`Error from server (NotFound): …`) and the command fails at the end
 * (exit 3), unless `--ignore-not-found`.
 */
export async function clusterDeleteObjects(
  target: RuntimeTarget & {
    files?: string[];
    kind?: string;
    object?: string;
    namespace?: string;
    ignoreNotFound?: boolean;
  },
  env: NodeJS.ProcessEnv = process.env,
  report: DeleteReport = printReport,
): Promise<void> {
  let refs: Array<{ kind: KubeObject['kind']; namespace: string; name: string; source?: string }>;
  if (target.files?.length) {
    refs = [];
    for (const file of target.files)
      for (const o of await readManifests([file], env, target.namespace, true))
        refs.push({
          kind: o.kind,
          namespace: o.metadata.namespace,
          name: o.metadata.name,
          source: file === '-' ? 'STDIN' : file,
        });
  } else {
    const { parseKind } = await localPlatforms();
    const kind = target.kind ? parseKind(target.kind) : undefined;
    if (!kind || !target.object)
      throw new UsageError(
        'name what to delete: -f <file>, or <kind> <name> (pod, deployment, service, configmap, serviceaccount)',
      );
    refs = [{ kind, namespace: target.namespace ?? 'default', name: target.object }];
  }
  let missing = 0;
  // One request per object, so one missing object stops nothing else.
  for (const { source, ...ref } of refs) {
    try {
      const results = await callRuntime<ApplyResult[]>(target, env, {
        op: 'delete',
        cluster: selector(target),
        refs: [ref],
      });
      for (const r of results) report.deleted(line(r));
    } catch (error) {
      if (!isCredlessError(error) || error.code !== 'runtime_object_not_found') throw error;
      if (target.ignoreNotFound) continue;
      missing++;
      const where = source ? `error when deleting "${source}": ` : '';
      report.notFound(`Error from server (NotFound): ${where}${RESOURCE[ref.kind]} "${ref.name}" not found`);
    }
  }
  if (missing > 0)
    throw new CommandError(
      `${missing} of ${refs.length} object${refs.length === 1 ? '' : 's'} not found (--ignore-not-found to accept that)`,
      EXIT.notFound,
    );
}

export type PodRow = {
  name: string;
  namespace: string;
  ready: string;
  status: string;
  restarts: number;
  createdAt?: string;
  containers: Array<Record<string, unknown>>;
};
export type DeploymentRow = {
  name: string;
  namespace: string;
  ready: string;
  upToDate: number;
  available: number;
  status: string;
  replacements: number;
  reason?: string;
  message?: string;
  createdAt?: string;
};
export type ServiceRow = {
  name: string;
  namespace: string;
  type: string;
  ports: Array<{ port: number; hostPort: number; url: string }>;
  url?: string;
};

const GET_WHAT = { Pod: 'pods', Deployment: 'deployments', Service: 'services' } as const;

/**
 * `cluster get pods|deployments|services`: the rows (JSON) of one namespace (`--namespace`, default
 * `default`), or of every namespace with `-A/--all-namespaces`, as kubectl.
 */
export async function clusterGet(
  target: RuntimeTarget & { what: string; namespace?: string; allNamespaces?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): Promise<PodRow[] | DeploymentRow[] | ServiceRow[]> {
  const what = (await localPlatforms()).parseKind(target.what);
  if (what !== 'Pod' && what !== 'Deployment' && what !== 'Service')
    throw new UsageError(`get: '${target.what}' — use pods, deployments or services`);
  if (target.allNamespaces && target.namespace)
    throw new UsageError('get: --namespace and -A/--all-namespaces exclude each other');
  return callRuntime(target, env, {
    op: 'get',
    cluster: selector(target),
    what: GET_WHAT[what],
    ...(target.allNamespaces ? {} : { namespace: target.namespace ?? 'default' }),
  });
}

/** kubectl's pod table; the namespace column with -A; why a pod is not running under it (with its fix). */
export function podTable(rows: PodRow[], now = Date.now(), allNamespaces = false): string {
  const text = table(
    [...(allNamespaces ? ['NAMESPACE'] : []), 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
    rows.map((r) => [
      ...(allNamespaces ? [r.namespace] : []),
      r.name,
      r.ready,
      r.status,
      String(r.restarts),
      age(r.createdAt, now),
    ]),
  );
  const notes = rows.flatMap((r) =>
    r.containers
      .filter((c) => typeof c['message'] === 'string' && c['state'] !== 'running')
      .map(
        (c) =>
          `${r.name} (${String(c['name'])}): ${String(c['reason'] ?? c['state'])}: ${String(c['message'])}`,
      ),
  );
  return notes.length ? `${text}\n${notes.join('\n')}\n` : text;
}

export function deploymentTable(rows: DeploymentRow[], now = Date.now(), allNamespaces = false): string {
  const text = table(
    [...(allNamespaces ? ['NAMESPACE'] : []), 'NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'STATUS', 'AGE'],
    rows.map((r) => [
      ...(allNamespaces ? [r.namespace] : []),
      r.name,
      r.ready,
      String(r.upToDate),
      String(r.available),
      r.status,
      age(r.createdAt, now),
    ]),
  );
  const notes = rows
    .filter((r) => r.message)
    .map((r) => `${r.name}: ${r.reason ?? r.status}: ${r.message} (${r.replacements} replacements)`);
  return notes.length ? `${text}\n${notes.join('\n')}\n` : text;
}

export function serviceTable(rows: ServiceRow[], allNamespaces = false): string {
  return table(
    [...(allNamespaces ? ['NAMESPACE'] : []), 'NAME', 'TYPE', 'PORT(S)', 'URL'],
    rows.map((r) => [
      ...(allNamespaces ? [r.namespace] : []),
      r.name,
      r.type,
      r.ports.map((p) => `${p.port}:${p.hostPort}/TCP`).join(','),
      r.url ?? '<none>',
    ]),
  );
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return `${[head, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('   ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

function age(createdAt: string | undefined, now: number): string {
  if (!createdAt) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(createdAt)) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h`;
}

/** `cluster logs <pod> [-c container]`. */
export async function clusterLogs(
  target: RuntimeTarget & { pod: string; container?: string; namespace?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const { text } = await callRuntime<{ text: string }>(target, env, {
    op: 'logs',
    cluster: selector(target),
    namespace: target.namespace ?? 'default',
    pod: target.pod,
    ...(target.container ? { container: target.container } : {}),
  });
  return text;
}

export async function acrBuild(
  ctx: DirectoryContext & { dataDir: string },
  options: { registry: string; image: string; source: string },
) {
  return (await localPlatforms()).buildImage(ctx, options);
}
