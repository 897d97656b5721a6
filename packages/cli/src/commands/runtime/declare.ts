/**
 * Declarations of the local-runtime commands: `cluster apply|get|logs|update` and the object form of
 * `cluster delete` (added to the `cluster` group), and `acr create|show|list|build`. `cluster update`,
 * `cluster delete -n -g` and `acr create|show|list` go through the Resource Manager (where every API
 * command acts); `acr build` stays local: it moves image bytes into the data directory. `cluster delete` keeps
 * its az form (`-n -g`: delete the cluster record) and gains kubectl's (`-f <file>` or `<kind> <name>`),
 * so the command declared by cluster/declare.ts is replaced by one that does both.
 * @module
 */
import type { Command } from 'commander';
import type { StoreOptions } from '../../context.ts';
import { UsageError } from '../../exit-codes.ts';
import { apiCommand } from '../az/az-command.ts';
import type { DeploymentRow, PodRow, RuntimeTarget, ServiceRow } from './runtime-commands.ts';

// Imported when a command runs, not at start-up (lazy CLI: see cli.ts): the runtime package is heavy.
const runtime = () => import('./runtime-commands.ts');
const registries = () => import('./registries.ts');
const openDirectoryContext = async (options: StoreOptions) =>
  (await import('../../context.ts')).openDirectoryContext(options);

type Options = StoreOptions & { query?: string; output?: string } & Record<string, unknown>;
/** `-o table` columns, as az acr list's. */
const REGISTRY_TABLE = ['name', 'resourceGroup', 'location', 'loginServer'] as const;
const collect = (value: string, previous: string[] = []) => [...previous, value];

const dataOption = (command: Command) =>
  command.option(
    '--data-dir <dir>',
    'data directory of the running credless (default: $CREDLESS_DATA_DIR or ./.credless)',
  );

/** Object commands: which cluster (-n, optional -g and --tenant) and namespace. */
const target = (command: Command) =>
  dataOption(command)
    .requiredOption('-n, --name <cluster>', 'local cluster name')
    .option('-g, --resource-group <group>', 'resource group (when two clusters share the name)')
    .option('--tenant <id-or-domain>', 'tenant of the cluster (default: the default tenant)')
    .option(
      '--namespace <namespace>',
      'namespace (default: default; apply/delete -f: for objects without one)',
    );

const targetOf = (o: Options): RuntimeTarget & { namespace?: string } => ({
  name: o['name'] as string,
  resourceGroup: o['resourceGroup'] as string | undefined,
  tenant: o.tenant,
  dataDir: o.dataDir,
  ...(o['namespace'] ? { namespace: o['namespace'] as string } : {}),
});

const print = (lines: string[]) => {
  for (const l of lines) process.stdout.write(`${l}\n`);
};

export function declareRuntimeCommands(program: Command): void {
  const cluster = program.commands.find((c) => c.name() === 'cluster') ?? program.command('cluster');

  target(cluster.command('apply'))
    .description(
      'create or update objects of a local cluster from manifests (ServiceAccount, ConfigMap, Pod, Deployment, Service); $' +
        '{VAR} placeholders come from the environment (unset: an error)',
    )
    .requiredOption('-f, --filename <file>', 'manifest file, - for stdin (repeatable)', collect)
    .action(async (o: Options) =>
      print(await (await runtime()).clusterApply({ ...targetOf(o), files: o['filename'] as string[] })),
    );

  target(cluster.command('get'))
    .description(
      'list pods, deployments or services of a local cluster (services show their localhost URLs; ' +
        'the table says under it why a pod or deployment is not running)',
    )
    .argument('<what>', 'pods, deployments or services')
    .option('-A, --all-namespaces', 'list every namespace (default: --namespace, or default)')
    .option('-o, --output <format>', 'table (default) or json')
    .action(async (what: string, o: Options) => {
      if (o.output !== undefined && o.output !== 'table' && o.output !== 'json')
        throw new UsageError(`-o: '${o.output}' — use table or json`);
      const all = o['allNamespaces'] === true;
      const commands = await runtime();
      const rows = await commands.clusterGet({ ...targetOf(o), what, allNamespaces: all });
      if (o.output === 'json') process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else if (/^(po|pods?)$/i.test(what))
        process.stdout.write(commands.podTable(rows as PodRow[], Date.now(), all));
      else if (/^(deploy|deployments?)$/i.test(what))
        process.stdout.write(commands.deploymentTable(rows as DeploymentRow[], Date.now(), all));
      else process.stdout.write(commands.serviceTable(rows as ServiceRow[], all));
    });

  target(cluster.command('logs'))
    .description("print a pod container's log")
    .argument('<pod>', 'pod name')
    .option('-c, --container <name>', 'container (needed when the pod has several)')
    .action(async (pod: string, o: Options) => {
      const text = await (await runtime()).clusterLogs({
        ...targetOf(o),
        pod,
        ...(o['container'] ? { container: o['container'] as string } : {}),
      });
      process.stdout.write(text);
    });

  apiCommand(
    cluster
      .command('update')
      .description(
        "give the cluster's kubelet identity AcrPull on a registry (az aks update --attach-acr: a role " +
          "assignment on the registry's scope), or take it away; prints the cluster",
      )
      .requiredOption('-n, --name <name>', 'cluster name')
      .requiredOption('-g, --resource-group <group>', 'resource group')
      .option('--attach-acr <registry>', 'registry name the cluster may pull from')
      .option('--detach-acr <registry>', 'registry name to stop pulling from'),
    async (api, o) =>
      (await registries()).clusterUpdate(api, {
        name: o['name'] as string,
        resourceGroup: o['resourceGroup'] as string,
        ...(o['attachAcr'] ? { attachAcr: o['attachAcr'] as string } : {}),
        ...(o['detachAcr'] ? { detachAcr: o['detachAcr'] as string } : {}),
      }),
  );

  // One `delete` for both forms (see the module comment).
  const commands = cluster.commands as Command[];
  const index = commands.findIndex((c) => c.name() === 'delete');
  if (index >= 0) commands.splice(index, 1);
  dataOption(cluster.command('delete'))
    .description(
      'delete a local cluster (-n -g, as az aks delete) or objects in it (-n with -f <file>, or <kind> <name>)',
    )
    .argument('[kind]', 'pod, deployment, service, configmap or serviceaccount')
    .argument('[object]', 'object name')
    .requiredOption('-n, --name <cluster>', 'cluster name')
    .option('-g, --resource-group <group>', 'resource group (required to delete the cluster itself)')
    .option('-f, --filename <file>', 'delete the objects of this manifest (repeatable)', collect)
    .option('--namespace <namespace>', 'namespace of <kind> <name> (default: default)')
    .option('--ignore-not-found', 'an object that does not exist is not an error')
    .option('--tenant <id-or-domain>', 'tenant (default: the default tenant)')
    .option('--database-url <url>', 'PostgreSQL URL (default: $CREDLESS_DATABASE_URL; unset = SQLite)')
    .option('-y, --yes', 'accepted as az does (no prompt)')
    .option('--no-wait', 'the cluster itself: do not wait until it is gone (as az)')
    .action(async (kind: string | undefined, object: string | undefined, o: Options) => {
      const files = (o['filename'] as string[] | undefined) ?? [];
      if (files.length > 0 || kind !== undefined) {
        await (await runtime()).clusterDeleteObjects({
          ...targetOf(o),
          files,
          ...(kind ? { kind } : {}),
          ...(object ? { object } : {}),
          ignoreNotFound: o['ignoreNotFound'] === true,
        });
        return;
      }
      if (!o['resourceGroup'])
        throw new UsageError(
          'cluster delete: pass -g to delete the cluster, or -f / <kind> <name> to delete objects in it',
        );
      const { withGraphApi } = await import('../az/az-command.ts');
      await withGraphApi(o, false, async (api) =>
        (await import('../cluster/cluster.ts')).deleteCluster(api, {
          name: o['name'] as string,
          resourceGroup: o['resourceGroup'] as string,
          noWait: o['wait'] === false,
        }),
      );
    });

  const acr = program
    .command('acr')
    .description('registries the local clusters pull images from (mirrors az acr)');
  apiCommand(
    acr
      .command('create')
      .description(
        'create a registry <name>.azurecr.io through the Resource Manager (az acr create; again: returns ' +
          'the existing one); a missing resource group is created',
      )
      .requiredOption('-n, --name <name>', 'registry name, 5-50 letters and digits')
      .option('-g, --resource-group <group>', 'resource group (default for a new one: credless-registries)')
      .option('-l, --location <location>', "Azure region (default: the group's, else eastus)")
      .option('--sku <sku>', 'Basic (default), Standard or Premium'),
    async (api, o) =>
      (await registries()).acrCreate(api, {
        name: o['name'] as string,
        ...(o['resourceGroup'] ? { resourceGroup: o['resourceGroup'] as string } : {}),
        ...(o['location'] ? { location: o['location'] as string } : {}),
        ...(o['sku'] ? { sku: o['sku'] as string } : {}),
      }),
  );
  apiCommand(
    acr.command('show').description('show a registry').requiredOption('-n, --name <name>', 'registry name'),
    async (api, o) => (await registries()).acrShow(api, o['name'] as string),
    { readOnly: true, tableColumns: REGISTRY_TABLE },
  );
  apiCommand(
    acr
      .command('list')
      .description('list registries')
      .option('-g, --resource-group <group>', 'only this resource group'),
    async (api, o) =>
      (await registries()).acrList(
        api,
        o['resourceGroup'] ? { resourceGroup: o['resourceGroup'] as string } : {},
      ),
    { readOnly: true, tableColumns: REGISTRY_TABLE },
  );
  dataOption(acr.command('build'))
    .description(
      'store a directory as an image: it must hold the app, with credless-image.json or a package.json ' +
        'start script saying what to run. Local: the image bytes go into the data directory (not through the API)',
    )
    .argument('<dir>', 'build context: the image content')
    .requiredOption('-r, --registry <name>', 'registry name')
    .requiredOption('-t, --image <name:tag>', 'image name and tag')
    .option('--tenant <id-or-domain>', 'tenant to act on (default: the default tenant)')
    .option('--database-url <url>', 'PostgreSQL URL (default: $CREDLESS_DATABASE_URL; unset = SQLite)')
    .action(async (dir: string, o: Options) => {
      const dataDir = (await import('@credless/server')).resolveDataDir(process.env, o.dataDir);
      const ctx = await openDirectoryContext(o);
      try {
        const built = await (await runtime()).acrBuild(
          { ...ctx, dataDir },
          { registry: o['registry'] as string, image: o['image'] as string, source: dir },
        );
        process.stdout.write((await import('../../output/format.ts')).formatOutput(built, 'json'));
      } finally {
        await ctx.close();
      }
    });
}
