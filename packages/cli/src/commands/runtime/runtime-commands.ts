/**
 * `credless cluster apply|get|logs|delete` (objects of a local cluster, kubectl-like), `credless acr
 * create|build` and `credless cluster update --attach-acr` (az-like). Object commands talk to the
 * runtime inside `credless up` over `<data>/runtime.sock`; registry commands act on the directory.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { CredlessError } from '@credless/core';
import {
  type ApplyResult,
  attachRegistry,
  buildImage,
  type ClusterSelector,
  callRuntime,
  createRegistry,
  detachRegistry,
  findRegistry,
  type KubeObject,
  loadManifests,
  parseKind,
  registryView,
  runtimeSocketPath,
} from '@credless/runtime';
import { resolveDataDir } from '@credless/server';
import type { DirectoryContext } from '../../context.ts';
import { UsageError } from '../../exit-codes.ts';

export interface RuntimeTarget extends ClusterSelector {
  dataDir?: string | undefined;
}

const socketFor = (target: RuntimeTarget, env: NodeJS.ProcessEnv) =>
  runtimeSocketPath(resolveDataDir(env, target.dataDir));

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
  const results = await callRuntime<ApplyResult[]>(socketFor(target, env), {
    op: 'apply',
    cluster: selector(target),
    source: target.files.join(','),
    objects,
  });
  return results.map(line);
}

/** `cluster delete -f …` or `cluster delete <kind> <name>`. */
export async function clusterDeleteObjects(
  target: RuntimeTarget & { files?: string[]; kind?: string; object?: string; namespace?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  let refs: Array<{ kind: KubeObject['kind']; namespace: string; name: string }>;
  if (target.files?.length) {
    refs = (await readManifests(target.files, env, target.namespace, true)).map((o) => ({
      kind: o.kind,
      namespace: o.metadata.namespace,
      name: o.metadata.name,
    }));
  } else {
    const kind = target.kind ? parseKind(target.kind) : undefined;
    if (!kind || !target.object)
      throw new UsageError(
        'name what to delete: -f <file>, or <kind> <name> (pod, deployment, service, configmap, serviceaccount)',
      );
    refs = [{ kind, namespace: target.namespace ?? 'default', name: target.object }];
  }
  const results = await callRuntime<ApplyResult[]>(socketFor(target, env), {
    op: 'delete',
    cluster: selector(target),
    refs,
  });
  return results.map(line);
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
export type ServiceRow = {
  name: string;
  namespace: string;
  type: string;
  ports: Array<{ port: number; hostPort: number; url: string }>;
  url?: string;
};

/** `cluster get pods|services`: the rows (JSON), or kubectl's table with `-o table`. */
export async function clusterGet(
  target: RuntimeTarget & { what: string; namespace?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<PodRow[] | ServiceRow[]> {
  const what = parseKind(target.what);
  if (what !== 'Pod' && what !== 'Service')
    throw new UsageError(`get: '${target.what}' — use pods or services`);
  return callRuntime(socketFor(target, env), {
    op: 'get',
    cluster: selector(target),
    what: what === 'Pod' ? 'pods' : 'services',
    ...(target.namespace ? { namespace: target.namespace } : {}),
  });
}

export function podTable(rows: PodRow[], now = Date.now()): string {
  return table(
    ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
    rows.map((r) => [r.name, r.ready, r.status, String(r.restarts), age(r.createdAt, now)]),
  );
}

export function serviceTable(rows: ServiceRow[]): string {
  return table(
    ['NAME', 'TYPE', 'PORT(S)', 'URL'],
    rows.map((r) => [
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
  const { text } = await callRuntime<{ text: string }>(socketFor(target, env), {
    op: 'logs',
    cluster: selector(target),
    namespace: target.namespace ?? 'default',
    pod: target.pod,
    ...(target.container ? { container: target.container } : {}),
  });
  return text;
}

export function acrCreate(ctx: DirectoryContext, name: string) {
  return createRegistry(ctx, name);
}

export async function acrShow(ctx: DirectoryContext, name: string) {
  const app = await findRegistry(ctx, name);
  if (!app) throw new CredlessError('registry_not_found', { registry: name });
  return registryView(app);
}

export function acrBuild(
  ctx: DirectoryContext & { dataDir: string },
  options: { registry: string; image: string; source: string },
) {
  return buildImage(ctx, options);
}

/** `cluster update -n -g --attach-acr <r> | --detach-acr <r>` (az aks update). */
export async function clusterUpdate(
  ctx: DirectoryContext,
  options: { name: string; resourceGroup: string; attachAcr?: string; detachAcr?: string },
) {
  const cluster = await ctx.store.getCluster(ctx.tenantId, options.resourceGroup, options.name);
  if (!cluster) throw new CredlessError('not_found', { id: `${options.resourceGroup}/${options.name}` });
  if (options.attachAcr) return attachRegistry(ctx, cluster, options.attachAcr);
  if (options.detachAcr) return detachRegistry(ctx, cluster, options.detachAcr);
  throw new UsageError('cluster update: pass --attach-acr <registry> or --detach-acr <registry>');
}
