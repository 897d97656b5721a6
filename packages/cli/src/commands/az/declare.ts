/**
 * The az-shaped commands: `login`, `logout`, `account`, `rest` and `ad app|sp|group …`, with az's
 * `--query` (JMESPath) and `-o json|tsv|table|none` on each.
 *
 * Where `ad …` commands act — one rule:
 * - `--data-dir` or `--database-url` given: directly on that store (offline, no server needed);
 * - otherwise, after `credless login`: through the Graph-compatible API of the session;
 * - otherwise: directly on the local store ($CREDLESS_DATA_DIR or ./.credless), as before login existed.
 * `rest` always needs a session. Results carry az's `objectId` next to `id` (the seed queries it).
 * @module
 */
import type { AppRole } from '@credless/core';
import type { Command } from 'commander';
import { createApplication, deleteApplication, listApplications, showApplication } from '../ad/app.ts';
import {
  createFederatedCredential,
  deleteFederatedCredential,
  listFederatedCredentials,
  showFederatedCredential,
} from '../ad/federated-credential.ts';
import { addPermission, adminConsent } from '../ad/permission.ts';
import { createServicePrincipal, showServicePrincipal } from '../ad/sp.ts';
import { readJsonArray, readJsonParameter } from '../parameters.ts';
import { adCommand, str } from './az-command.ts';
import { declareSessionCommands } from './declare-session.ts';
import {
  checkCredentialParameters,
  graphAddPermission,
  graphCreateFederatedCredential,
  graphDeleteFederatedCredential,
  graphGrantPermissions,
  graphListFederatedCredentials,
  graphListPermissions,
  graphShowFederatedCredential,
} from './graph-credentials.ts';
import * as g from './graph-objects.ts';
import * as s from './store-objects.ts';

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
    {
      graph: async (api, o) =>
        g.graphCreateApplication(api, {
          displayName: str(o, 'displayName'),
          ...(o['identifierUris'] ? { identifierUris: o['identifierUris'] as string[] } : {}),
          ...(o['appRoles'] ? { appRoles: await readJsonArray(str(o, 'appRoles'), '--app-roles') } : {}),
        }),
      store: async (ctx, o) =>
        createApplication(ctx, {
          displayName: str(o, 'displayName'),
          ...(o['identifierUris'] ? { identifierUris: o['identifierUris'] as string[] } : {}),
          ...(o['appRoles']
            ? { appRoles: (await readJsonArray(str(o, 'appRoles'), '--app-roles')) as AppRole[] }
            : {}),
        }),
    },
  );
  adCommand(
    app.command('show').description('show an application').requiredOption('--id <id>', 'appId or object id'),
    {
      graph: (api, o) => g.resolveGraphApplication(api, str(o, 'id')),
      store: (ctx, o) => showApplication(ctx, str(o, 'id')),
    },
  );
  adCommand(
    app
      .command('list')
      .description('list applications')
      .option('--display-name <name>', 'only this display name')
      .option('--app-id <appId>', 'only this appId')
      .option('--filter <odata>', 'OData $filter, e.g. "displayName eq \'x\'"'),
    {
      graph: (api, o) => g.graphListApplications(api, o as g.ListOptions),
      store: async (ctx, o) =>
        (await listApplications(ctx)).filter(
          (a) =>
            (!o['displayName'] || a.displayName === o['displayName']) &&
            (!o['appId'] || a.appId === o['appId']),
        ),
    },
  );
  adCommand(
    app
      .command('delete')
      .description('delete an application')
      .requiredOption('--id <id>', 'appId or object id'),
    {
      graph: (api, o) => g.graphDeleteApplication(api, str(o, 'id')),
      store: (ctx, o) => deleteApplication(ctx, str(o, 'id')),
    },
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
    {
      graph: async (api, o) =>
        graphCreateFederatedCredential(api, str(o, 'id'), await readJsonParameter(str(o, 'parameters'))),
      store: async (ctx, o) => {
        const parameters = await readJsonParameter(str(o, 'parameters'));
        checkCredentialParameters(parameters);
        return createFederatedCredential(ctx, str(o, 'id'), parameters);
      },
    },
  );
  adCommand(
    fic.command('list').description('list federated credentials').requiredOption('--id <id>', 'application'),
    {
      graph: (api, o) => graphListFederatedCredentials(api, str(o, 'id')),
      store: (ctx, o) => listFederatedCredentials(ctx, str(o, 'id')),
    },
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
      {
        graph: (api, o) =>
          (verb === 'show' ? graphShowFederatedCredential : graphDeleteFederatedCredential)(
            api,
            str(o, 'id'),
            str(o, 'federatedCredentialId'),
          ),
        store: (ctx, o) =>
          (verb === 'show' ? showFederatedCredential : deleteFederatedCredential)(
            ctx,
            str(o, 'id'),
            str(o, 'federatedCredentialId'),
          ),
      },
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
    {
      graph: (api, o) =>
        graphAddPermission(api, {
          id: str(o, 'id'),
          api: str(o, 'api'),
          apiPermissions: o['apiPermissions'] as string[],
        }),
      store: async (ctx, o) =>
        (
          await addPermission(ctx, {
            id: str(o, 'id'),
            api: str(o, 'api'),
            apiPermissions: (o['apiPermissions'] as string[]).flatMap((e) => e.split(/\s+/).filter(Boolean)),
          })
        ).requiredResourceAccess,
    },
  );
  adCommand(
    permission
      .command('list')
      .description('list requested permissions')
      .requiredOption('--id <id>', 'client application'),
    {
      graph: (api, o) => graphListPermissions(api, str(o, 'id')),
      store: async (ctx, o) => (await showApplication(ctx, str(o, 'id'))).requiredResourceAccess,
    },
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
    {
      graph: (api, o) => graphGrantPermissions(api, { id: str(o, 'id'), api: str(o, 'api') }),
      store: (ctx, o) => adminConsent(ctx, str(o, 'id'), str(o, 'api')),
    },
  );
  adCommand(
    permission
      .command('admin-consent')
      .description('grant every requested application permission')
      .requiredOption('--id <id>', 'client application'),
    {
      graph: (api, o) => graphGrantPermissions(api, { id: str(o, 'id') }),
      store: (ctx, o) => adminConsent(ctx, str(o, 'id')),
    },
  );
}

function declareServicePrincipalCommands(ad: Command): void {
  const sp = ad.command('sp').description('service principals');
  adCommand(
    sp
      .command('create')
      .description('create the service principal of an application (again: returns it)')
      .requiredOption('--id <id>', 'application appId or object id'),
    {
      graph: (api, o) => g.graphCreateServicePrincipal(api, str(o, 'id')),
      store: (ctx, o) => createServicePrincipal(ctx, str(o, 'id')),
    },
  );
  adCommand(
    sp
      .command('create-for-rbac')
      .description('create (or reuse) the application named --name and its service principal; never a secret')
      .requiredOption('-n, --name <name>', 'display name of the application'),
    {
      graph: (api, o) => g.graphCreateForRbac(api, str(o, 'name')),
      store: (ctx, o) => s.storeCreateForRbac(ctx, str(o, 'name')),
    },
  );
  adCommand(
    sp
      .command('show')
      .description('show a service principal')
      .requiredOption('--id <id>', 'appId or object id'),
    {
      graph: (api, o) => g.resolveGraphServicePrincipal(api, str(o, 'id')),
      store: (ctx, o) => showServicePrincipal(ctx, str(o, 'id')),
    },
  );
  adCommand(
    sp
      .command('list')
      .description('list service principals')
      .option('--display-name <name>', 'only this name'),
    {
      graph: (api, o) => g.graphListServicePrincipals(api, o as g.ListOptions),
      store: async (ctx, o) =>
        (await s.storeListServicePrincipals(ctx)).filter(
          (p) => !o['displayName'] || p.displayName === o['displayName'],
        ),
    },
  );
  adCommand(
    sp
      .command('delete')
      .description('delete a service principal')
      .requiredOption('--id <id>', 'appId or object id'),
    {
      graph: (api, o) => g.graphDeleteServicePrincipal(api, str(o, 'id')),
      store: (ctx, o) => s.storeDeleteServicePrincipal(ctx, str(o, 'id')),
    },
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
    {
      graph: (api, o) => g.graphCreateGroup(api, o as unknown as g.GroupCreateOptions),
      store: (ctx, o) => s.storeCreateGroup(ctx, o as unknown as g.GroupCreateOptions),
    },
  );
  adCommand(
    group
      .command('show')
      .description('show a group')
      .requiredOption('-g, --group <id-or-name>', 'object id or display name'),
    {
      graph: (api, o) => g.graphShowGroup(api, str(o, 'group')),
      store: (ctx, o) => s.storeShowGroup(ctx, str(o, 'group')),
    },
  );
  adCommand(
    group.command('list').description('list groups').option('--display-name <name>', 'only this name'),
    {
      graph: (api, o) => g.graphListGroups(api, o as { displayName?: string }),
      store: async (ctx, o) =>
        (await ctx.store.listGroups(ctx.tenantId)).filter(
          (x) => !o['displayName'] || x.displayName === o['displayName'],
        ),
    },
  );
  adCommand(
    group
      .command('delete')
      .description('delete a group')
      .requiredOption('-g, --group <id-or-name>', 'object id or display name'),
    {
      graph: (api, o) => g.graphDeleteGroup(api, str(o, 'group')),
      store: (ctx, o) => s.storeDeleteGroup(ctx, str(o, 'group')),
    },
  );
}
