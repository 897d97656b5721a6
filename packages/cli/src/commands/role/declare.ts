/**
 * Declarations of the cluster-access commands: `role assignment create|list|delete` (az-shaped, with
 * `--query` and `-o`, through the API: Resource Manager and Graph, where every command acts).
 * `cluster get-credentials` is declared with the other cluster commands (cluster/declare.ts).
 * @module
 */
import type { Command } from 'commander';
import type { StoreOptions } from '../../context.ts';
import { apiCommand } from '../az/az-command.ts';

// Imported when a command runs, not at start-up (lazy CLI: see cli.ts).
const assignments = () => import('./role-assignment.ts');

type Options = StoreOptions & { query?: string; output?: string } & Record<string, unknown>;

const text = (options: Options, name: string) => options[name] as string | undefined;

/** The filters list and delete share. */
const filters = (o: Options) => ({
  ...(text(o, 'assignee') ? { assignee: text(o, 'assignee') } : {}),
  ...(text(o, 'role') ? { role: text(o, 'role') } : {}),
  ...(text(o, 'scope') ? { scope: text(o, 'scope') } : {}),
});

export function declareClusterAccessCommands(program: Command): void {
  const role =
    program.commands.find((command) => command.name() === 'role') ??
    program.command('role').description('Azure RBAC (mirrors az role)');
  const assignment = role.command('assignment').description('role assignments (mirrors az role assignment)');
  apiCommand(
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
    async (api, o) =>
      (await assignments()).createRoleAssignment(api, {
        role: text(o, 'role') as string,
        assignee: text(o, 'assignee') as string,
        scope: text(o, 'scope') as string,
      }),
  );
  apiCommand(
    assignment
      .command('list')
      .description('list role assignments')
      .option('--assignee <id>', 'only this service principal or group')
      .option('--role <name-or-id>', 'only this role')
      .option('--scope <id>', 'only assignments at this scope')
      .option('--include-inherited', 'with --scope: also assignments at the scopes above it')
      .option('--all', 'accepted as az does (every scope is listed without --scope)'),
    async (api, o) =>
      (await assignments()).listRoleAssignments(api, {
        ...filters(o),
        includeInherited: o['includeInherited'] === true,
      }),
    { readOnly: true },
  );
  apiCommand(
    assignment
      .command('delete')
      .description('delete role assignments by --ids, or all matching --assignee/--role/--scope')
      .option('--ids <id...>', 'role assignment ids')
      .option('--assignee <id>', 'service principal or group')
      .option('--role <name-or-id>', 'role')
      .option('--scope <id>', 'scope')
      .option('-y, --yes', 'accepted as az does (no prompt)'),
    async (api, o) => {
      await (await assignments()).deleteRoleAssignment(api, {
        ...(Array.isArray(o['ids']) ? { ids: o['ids'] as string[] } : {}),
        ...filters(o),
      });
      return undefined;
    },
  );
}
