/**
 * Declarations of the cluster-access commands: `role assignment create|list|delete` (az-shaped, with
 * `--query` and `-o`) and `cluster get-credentials` (added to the existing `cluster` group).
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { StoreOptions } from '../../context.ts';
import { UsageError } from '../../exit-codes.ts';
import { storeCommand, storeOptions } from '../az/az-command.ts';

// Imported when a command runs, not at start-up (lazy CLI: see cli.ts).
const assignments = () => import('./role-assignment.ts');

type Options = StoreOptions & { query?: string; output?: string } & Record<string, unknown>;

const azCommand = storeCommand<Options>;

const text = (options: Options, name: string) => options[name] as string | undefined;

/** credless's local CA (what the kubeconfig trusts): `--ca-file`, else `<data dir>/tls/ca.crt`; none with http. */
async function readCa(options: Options, serverUrl: string): Promise<string | undefined> {
  if (serverUrl.startsWith('http:')) return undefined;
  const { resolveDataDir } = await import('@credless/server');
  const file = text(options, 'caFile') ?? join(resolveDataDir(process.env, options.dataDir), 'tls', 'ca.crt');
  try {
    return await readFile(file, 'utf8');
  } catch {
    throw new UsageError(
      `no credless CA certificate at '${file}': start credless once (\`credless up\`) with this data directory, or pass --ca-file`,
    );
  }
}

export function declareClusterAccessCommands(program: Command): void {
  const role =
    program.commands.find((command) => command.name() === 'role') ??
    program.command('role').description('Azure RBAC (mirrors az role)');
  const assignment = role.command('assignment').description('role assignments (mirrors az role assignment)');
  azCommand(
    assignment
      .command('create')
      .description(
        'assign a built-in role to a service principal or group at a scope (again: returns the existing one)',
      )
      .requiredOption(
        '--role <name-or-id>',
        'role name (e.g. "Azure Kubernetes Service RBAC Cluster Admin") or id',
      )
      .requiredOption('--assignee <id>', 'appId or object id of a service principal, or a group object id')
      .requiredOption('--scope <id>', 'subscription, resource group or resource id (e.g. a cluster id)'),
    async (ctx, o) =>
      (await assignments()).createRoleAssignment(ctx, {
        role: text(o, 'role') as string,
        assignee: text(o, 'assignee') as string,
        scope: text(o, 'scope') as string,
      }),
  );
  azCommand(
    assignment
      .command('list')
      .description('list role assignments')
      .option('--assignee <id>', 'only this service principal or group')
      .option('--role <name-or-id>', 'only this role')
      .option('--scope <id>', 'only assignments at this scope')
      .option('--include-inherited', 'with --scope: also assignments at the scopes above it')
      .option('--all', 'accepted as az does (every scope is listed without --scope)'),
    async (ctx, o) =>
      (await assignments()).listRoleAssignments(ctx, {
        ...(text(o, 'assignee') ? { assignee: text(o, 'assignee') } : {}),
        ...(text(o, 'role') ? { role: text(o, 'role') } : {}),
        ...(text(o, 'scope') ? { scope: text(o, 'scope') } : {}),
        includeInherited: o['includeInherited'] === true,
      }),
  );
  azCommand(
    assignment
      .command('delete')
      .description('delete role assignments by --ids, or all matching --assignee/--role/--scope')
      .option('--ids <id...>', 'role assignment ids')
      .option('--assignee <id>', 'service principal or group')
      .option('--role <name-or-id>', 'role')
      .option('--scope <id>', 'scope')
      .option('-y, --yes', 'accepted as az does (no prompt)'),
    async (ctx, o) => {
      await (await assignments()).deleteRoleAssignment(ctx, {
        ...(Array.isArray(o['ids']) ? { ids: o['ids'] as string[] } : {}),
        ...(text(o, 'assignee') ? { assignee: text(o, 'assignee') } : {}),
        ...(text(o, 'role') ? { role: text(o, 'role') } : {}),
        ...(text(o, 'scope') ? { scope: text(o, 'scope') } : {}),
      });
      return undefined;
    },
  );

  const cluster =
    program.commands.find((command) => command.name() === 'cluster') ?? program.command('cluster');
  storeOptions(
    cluster
      .command('get-credentials')
      .description(
        'write the cluster to a kubeconfig and make it the current context (mirrors az aks get-credentials)',
      )
      .requiredOption('-n, --name <name>', 'cluster name')
      .requiredOption('-g, --resource-group <group>', 'resource group')
      .option(
        '-f, --file <path>',
        "kubeconfig to merge into (default: $KUBECONFIG or ~/.kube/config); '-' prints it",
      )
      .option('--overwrite-existing', 'replace entries of the same name that differ')
      .option('--context <name>', 'context name (default: the cluster name)')
      .option(
        '--url <url>',
        'credless public URL the cluster API lives under (default: $CREDLESS_URL or the config)',
      )
      .option('--ca-file <file>', "CA certificate of credless's HTTPS (default: <data dir>/tls/ca.crt)"),
  ).action(async (options: Options) => {
    const { resolveServerUrl } = await import('../cluster/server-url.ts');
    const { getCredentials } = await import('../cluster/get-credentials.ts');
    const { openDirectoryContext } = await import('../../context.ts');
    const baseUrl = resolveServerUrl({
      ...(text(options, 'url') ? { url: text(options, 'url') as string } : {}),
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    });
    const caCertPem = await readCa(options, baseUrl);
    const ctx = await openDirectoryContext(options);
    try {
      const result = await getCredentials(
        ctx,
        {
          name: text(options, 'name') as string,
          resourceGroup: text(options, 'resourceGroup') as string,
          ...(text(options, 'file') ? { file: text(options, 'file') as string } : {}),
          ...(text(options, 'context') ? { context: text(options, 'context') as string } : {}),
          overwriteExisting: options['overwriteExisting'] === true,
        },
        { baseUrl, caCertPem },
      );
      if (result.kubeconfig !== '-')
        process.stderr.write(`Merged "${result.context}" as current context in ${result.kubeconfig}\n`);
    } finally {
      await ctx.close();
    }
  });
}
