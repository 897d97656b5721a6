/**
 * The az-shaped commands: `login`, `logout`, `account`, `rest` and `ad app|sp|group …`, with az's
 * `--query` (JMESPath) and `-o json|tsv|table|none` on each.
 *
 * Where `ad …` commands act — one rule:
 * - `--data-dir` or `--database-url` given: that store, its Graph API served in-process (offline);
 * - otherwise, after `credless login`: the Graph-compatible API of the session, over HTTPS;
 * - otherwise: the local store ($CREDLESS_DATA_DIR or ./.credless), in-process.
 * Every command is the same Graph requests either way (one client, two transports), so output,
 * idempotency and exit codes do not depend on the transport.
 * `rest` always needs a session. Results carry az's `objectId` next to `id` (the seed queries it).
 * @module
 */
import type { Command } from 'commander';
import { readJsonArray, readJsonParameter } from '../parameters.ts';
import { adCommand, str } from './az-command.ts';
import { declareSessionCommands } from './declare-session.ts';
import {
  graphAddPermission,
  graphCreateFederatedCredential,
  graphDeleteFederatedCredential,
  graphGrantPermissions,
  graphListFederatedCredentials,
  graphListPermissions,
  graphShowFederatedCredential,
} from './graph-credentials.ts';
import * as g from './graph-objects.ts';

export function declareAzCommands(program: Command): void {
  declareSessionCommands(program);
  const ad = program.command('ad').description('directory objects (mirrors az ad)');
  declareAppCommands(ad);
  declareServicePrincipalCommands(ad);
  declareGroupCommands(ad);
}

function declareAppCommands(ad: Command): void {
  const app = ad.command('app').description('applications');
  adCommand(
    app
      .command('create')
      .description(
        'create an application (each call a new one, as az; see sp create-for-rbac --name for idempotent)',
      )
      .requiredOption('--display-name <name>', 'display name')
      .option('--identifier-uris <uri...>', 'application ID URIs')
      .option('--app-roles <json>', 'app roles: @file.json or inline JSON array'),
    async (api, o) =>
      g.graphCreateApplication(api, {
        displayName: str(o, 'displayName'),
        ...(o['identifierUris'] ? { identifierUris: o['identifierUris'] as string[] } : {}),
        ...(o['appRoles'] ? { appRoles: await readJsonArray(str(o, 'appRoles'), '--app-roles') } : {}),
      }),
  );
  adCommand(
    app.command('show').description('show an application').requiredOption('--id <id>', 'appId or object id'),
    (api, o) => g.resolveGraphApplication(api, str(o, 'id')),
    { readOnly: true },
  );
  adCommand(
    app
      .command('list')
      .description('list applications')
      .option('--display-name <name>', 'only this display name')
      .option('--app-id <appId>', 'only this appId')
      .option('--filter <odata>', 'OData $filter, e.g. "displayName eq \'x\'"'),
    (api, o) => g.graphListApplications(api, o as g.ListOptions),
    { readOnly: true },
  );
  adCommand(
    app
      .command('delete')
      .description('delete an application')
      .requiredOption('--id <id>', 'appId or object id'),
    (api, o) => g.graphDeleteApplication(api, str(o, 'id')),
  );

  const fic = app.command('federated-credential').description('federated identity credentials');
  adCommand(
    fic
      .command('create')
      .description(
        'create a federated credential (the same content again succeeds; different content under the name exits 4)',
      )
      .requiredOption('--id <id>', 'application appId or object id')
      .requiredOption(
        '--parameters <json>',
        '@file.json or inline JSON: {name, issuer, subject | claimsMatchingExpression, audiences?, description?}',
      ),
    async (api, o) =>
      graphCreateFederatedCredential(api, str(o, 'id'), await readJsonParameter(str(o, 'parameters'))),
  );
  adCommand(
    fic.command('list').description('list federated credentials').requiredOption('--id <id>', 'application'),
    (api, o) => graphListFederatedCredentials(api, str(o, 'id')),
    { readOnly: true },
  );
  for (const [verb, what] of [
    ['show', 'show'],
    ['delete', 'delete'],
  ] as const) {
    adCommand(
      fic
        .command(verb)
        .description(`${what} a federated credential`)
        .requiredOption('--id <id>', 'application')
        .requiredOption('--federated-credential-id <idOrName>', 'credential id or name'),
      (api, o) =>
        (verb === 'show' ? graphShowFederatedCredential : graphDeleteFederatedCredential)(
          api,
          str(o, 'id'),
          str(o, 'federatedCredentialId'),
        ),
      { readOnly: verb === 'show' },
    );
  }

  const permission = app.command('permission').description('API permissions');
  adCommand(
    permission
      .command('add')
      .description('request application permissions (grants nothing until grant/admin-consent)')
      .requiredOption('--id <id>', 'client application')
      .requiredOption(
        '--api <appId>',
        'resource application appId (Graph: 00000003-0000-0000-c000-000000000000)',
      )
      .requiredOption('--api-permissions <id=Role...>', 'app role ids with =Role'),
    (api, o) =>
      graphAddPermission(api, {
        id: str(o, 'id'),
        api: str(o, 'api'),
        apiPermissions: o['apiPermissions'] as string[],
      }),
  );
  adCommand(
    permission
      .command('list')
      .description('list requested permissions')
      .requiredOption('--id <id>', 'client application'),
    (api, o) => graphListPermissions(api, str(o, 'id')),
    { readOnly: true },
  );
  adCommand(
    permission
      .command('grant')
      .description(
        "grant the app's requested application permissions of one API (admin consent; no portal click)",
      )
      .requiredOption('--id <id>', 'client application')
      .requiredOption('--api <appId>', 'resource application appId')
      .option('--scope <scopes>', "delegated scopes (az's; application permissions are granted instead)"),
    (api, o) => graphGrantPermissions(api, { id: str(o, 'id'), api: str(o, 'api') }),
  );
  adCommand(
    permission
      .command('admin-consent')
      .description('grant every requested application permission')
      .requiredOption('--id <id>', 'client application'),
    (api, o) => graphGrantPermissions(api, { id: str(o, 'id') }),
  );
}

function declareServicePrincipalCommands(ad: Command): void {
  const sp = ad.command('sp').description('service principals');
  adCommand(
    sp
      .command('create')
      .description('create the service principal of an application (again: returns it)')
      .requiredOption('--id <id>', 'application appId or object id'),
    (api, o) => g.graphCreateServicePrincipal(api, str(o, 'id')),
  );
  adCommand(
    sp
      .command('create-for-rbac')
      .description('create (or reuse) the application named --name and its service principal; never a secret')
      .requiredOption('-n, --name <name>', 'display name of the application'),
    (api, o) => g.graphCreateForRbac(api, str(o, 'name')),
  );
  adCommand(
    sp
      .command('show')
      .description('show a service principal')
      .requiredOption('--id <id>', 'appId or object id'),
    (api, o) => g.resolveGraphServicePrincipal(api, str(o, 'id')),
    { readOnly: true },
  );
  adCommand(
    sp
      .command('list')
      .description('list service principals')
      .option('--display-name <name>', 'only this name'),
    (api, o) => g.graphListServicePrincipals(api, o as g.ListOptions),
    { readOnly: true },
  );
  adCommand(
    sp
      .command('delete')
      .description('delete a service principal')
      .requiredOption('--id <id>', 'appId or object id'),
    (api, o) => g.graphDeleteServicePrincipal(api, str(o, 'id')),
  );
}

function declareGroupCommands(ad: Command): void {
  const group = ad.command('group').description('groups');
  adCommand(
    group
      .command('create')
      .description('create a security group (each call a new one, as az)')
      .requiredOption('--display-name <name>', 'display name')
      .requiredOption('--mail-nickname <name>', 'mail nickname')
      .option('--description <text>', 'description'),
    (api, o) => g.graphCreateGroup(api, o as unknown as g.GroupCreateOptions),
  );
  adCommand(
    group
      .command('show')
      .description('show a group')
      .requiredOption('-g, --group <id-or-name>', 'object id or display name'),
    (api, o) => g.graphShowGroup(api, str(o, 'group')),
    { readOnly: true },
  );
  adCommand(
    group.command('list').description('list groups').option('--display-name <name>', 'only this name'),
    (api, o) => g.graphListGroups(api, o as { displayName?: string }),
    { readOnly: true },
  );
  adCommand(
    group
      .command('delete')
      .description('delete a group')
      .requiredOption('-g, --group <id-or-name>', 'object id or display name'),
    (api, o) => g.graphDeleteGroup(api, str(o, 'group')),
  );
}
