/**
 * The credless command line. This file only declares commands; each command is an exported function
 * in ./commands that tests call directly.
 * @module
 */
import type { AppRole } from '@credless/core';
import { Command, CommanderError, Option } from 'commander';
import {
  createApplication,
  deleteApplication,
  listApplications,
  showApplication,
} from './commands/ad/app.ts';
import {
  createFederatedCredential,
  deleteFederatedCredential,
  listFederatedCredentials,
  showFederatedCredential,
} from './commands/ad/federated-credential.ts';
import { addPermission, adminConsent } from './commands/ad/permission.ts';
import { createServicePrincipal, showServicePrincipal } from './commands/ad/sp.ts';
import { readJsonArray, readJsonParameter } from './commands/parameters.ts';
import { listSignIns } from './commands/signins.ts';
import { createTenant, listTenants, showTenant } from './commands/tenant.ts';
import { closeOnSignals, up } from './commands/up.ts';
import { type DirectoryContext, openDirectoryContext, type StoreOptions } from './context.ts';
import { EXIT, exitCodeFor, UsageError } from './exit-codes.ts';

const printJson = (value: unknown) => {
  if (value !== undefined) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

/** Adds the options every directory command shares and runs `action` against an open directory. */
function directoryCommand(
  command: Command,
  action: (ctx: DirectoryContext, ...args: never[]) => Promise<unknown>,
) {
  return command
    .option('--tenant <id-or-domain>', 'tenant to act on (default: the default tenant)')
    .option('--data-dir <dir>', 'data directory (default: $CREDLESS_DATA_DIR or ./.credless)')
    .option('--database-url <url>', 'PostgreSQL URL (default: $CREDLESS_DATABASE_URL; unset = SQLite)')
    .action(async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const storeOptions = cmd.opts() as StoreOptions;
      const ctx = await openDirectoryContext(storeOptions);
      try {
        printJson(await action(ctx, ...(args.slice(0, -1) as never[])));
      } finally {
        await ctx.close();
      }
    });
}

/** Like directoryCommand, for commands that act on the store itself rather than one tenant. */
function storeCommand(
  command: Command,
  action: (store: DirectoryContext['store'], options: never) => Promise<unknown>,
) {
  return command
    .option('--data-dir <dir>', 'data directory (default: $CREDLESS_DATA_DIR or ./.credless)')
    .option('--database-url <url>', 'PostgreSQL URL (default: $CREDLESS_DATABASE_URL; unset = SQLite)')
    .action(async (options: StoreOptions & Record<string, unknown>) => {
      const ctx = await openDirectoryContext(options);
      try {
        printJson(await action(ctx.store, options as never));
      } finally {
        await ctx.close();
      }
    });
}

const parsePort = (value: string) => {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port: '${value}' is not a port`);
  return port;
};
const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(): Command {
  const program = new Command('credless')
    .description('Secretless workload identity: an Entra-compatible token service for workload tokens.')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('up')
    .description('start the credless server (HTTPS with a local CA on first start)')
    .option('--port <port>', 'listen port (default: $CREDLESS_PORT or 8443)', parsePort)
    .option('--host <host>', 'listen address (default: localhost)')
    .option('--data-dir <dir>', 'data directory (default: $CREDLESS_DATA_DIR or ./.credless)')
    .option(
      '--database-url <url>',
      'PostgreSQL URL (default: $CREDLESS_DATABASE_URL; unset = embedded SQLite)',
    )
    .option('--public-url <url>', 'public base URL clients use as authority host')
    .option('--hostname <name>', 'extra DNS name for the server certificate (repeatable)', collect)
    .addOption(new Option('--insecure-http', 'serve plain HTTP, only behind a TLS-terminating proxy'))
    .action(async (options) => {
      const running = await up(options);
      await closeOnSignals(running);
    });

  const tenant = program.command('tenant').description('tenants (organizations)');
  storeCommand(
    tenant
      .command('create')
      .description('create a tenant')
      .requiredOption('--domain <domain>', 'default domain, e.g. contoso.credless.local')
      .requiredOption('--display-name <name>', 'organization display name'),
    (store, options: { domain: string; displayName: string }) => createTenant(store, options),
  );
  storeCommand(tenant.command('list').description('list tenants'), (store) => listTenants(store));
  storeCommand(
    tenant
      .command('show')
      .description('show a tenant')
      .requiredOption('--id <id-or-domain>', 'tenant id or domain'),
    (store, options: { id: string }) => showTenant(store, options.id),
  );

  const signins = program.command('signins').description('sign-in logs (token exchanges)');
  directoryCommand(
    signins
      .command('list')
      .description('list sign-in records, newest first')
      .option('--app <appId>', 'only this client id')
      .option('--failed', 'only failed exchanges')
      .option('--since <when>', 'ISO 8601 timestamp or a duration back from now (30m, 1h, 7d)')
      .option('--limit <n>', 'at most this many records (1-1000, default 100)'),
    (ctx, options: { app?: string; failed?: boolean; since?: string; limit?: string }) =>
      listSignIns(ctx, options),
  );

  const ad = program.command('ad').description('directory objects (mirrors az ad)');
  const app = ad.command('app').description('applications');
  directoryCommand(
    app
      .command('create')
      .description('create an application')
      .requiredOption('--display-name <name>', 'display name')
      .option('--identifier-uris <uri...>', 'application ID URIs')
      .option('--app-roles <json>', 'app roles: @file.json or inline JSON array'),
    async (ctx, options: { displayName: string; identifierUris?: string[]; appRoles?: string }) =>
      createApplication(ctx, {
        displayName: options.displayName,
        ...(options.identifierUris ? { identifierUris: options.identifierUris } : {}),
        ...(options.appRoles
          ? { appRoles: (await readJsonArray(options.appRoles, '--app-roles')) as AppRole[] }
          : {}),
      }),
  );
  directoryCommand(
    app.command('show').description('show an application').requiredOption('--id <id>', 'appId or object id'),
    (ctx, options: { id: string }) => showApplication(ctx, options.id),
  );
  directoryCommand(app.command('list').description('list applications'), (ctx) => listApplications(ctx));
  directoryCommand(
    app
      .command('delete')
      .description('delete an application')
      .requiredOption('--id <id>', 'appId or object id'),
    (ctx, options: { id: string }) => deleteApplication(ctx, options.id),
  );

  const fic = app.command('federated-credential').description('federated identity credentials');
  directoryCommand(
    fic
      .command('create')
      .description('create a federated credential (same content again succeeds)')
      .requiredOption('--id <id>', 'application appId or object id')
      .requiredOption(
        '--parameters <json>',
        '@file.json or inline JSON: {name, issuer, subject | claimsMatchingExpression, audiences?, description?}',
      ),
    async (ctx, options: { id: string; parameters: string }) =>
      createFederatedCredential(ctx, options.id, await readJsonParameter(options.parameters)),
  );
  directoryCommand(
    fic.command('list').description('list federated credentials').requiredOption('--id <id>', 'application'),
    (ctx, options: { id: string }) => listFederatedCredentials(ctx, options.id),
  );
  directoryCommand(
    fic
      .command('show')
      .description('show a federated credential')
      .requiredOption('--id <id>', 'application')
      .requiredOption('--federated-credential-id <idOrName>', 'credential id or name'),
    (ctx, options: { id: string; federatedCredentialId: string }) =>
      showFederatedCredential(ctx, options.id, options.federatedCredentialId),
  );
  directoryCommand(
    fic
      .command('delete')
      .description('delete a federated credential')
      .requiredOption('--id <id>', 'application')
      .requiredOption('--federated-credential-id <idOrName>', 'credential id or name'),
    (ctx, options: { id: string; federatedCredentialId: string }) =>
      deleteFederatedCredential(ctx, options.id, options.federatedCredentialId),
  );

  const permission = app.command('permission').description('API permissions');
  directoryCommand(
    permission
      .command('add')
      .description('request application permissions (grants nothing until admin-consent)')
      .requiredOption('--id <id>', 'client application')
      .requiredOption('--api <appId>', 'resource application appId')
      .requiredOption('--api-permissions <id=Role...>', 'app role ids with =Role'),
    (ctx, options: { id: string; api: string; apiPermissions: string[] }) => addPermission(ctx, options),
  );
  directoryCommand(
    permission
      .command('admin-consent')
      .description('grant every requested application permission')
      .requiredOption('--id <id>', 'client application'),
    (ctx, options: { id: string }) => adminConsent(ctx, options.id),
  );

  const sp = ad.command('sp').description('service principals');
  directoryCommand(
    sp
      .command('create')
      .description('create the service principal of an application')
      .requiredOption('--id <id>', 'application appId or object id'),
    (ctx, options: { id: string }) => createServicePrincipal(ctx, options.id),
  );
  directoryCommand(
    sp
      .command('show')
      .description('show a service principal')
      .requiredOption('--id <id>', 'appId or object id'),
    (ctx, options: { id: string }) => showServicePrincipal(ctx, options.id),
  );
  return program;
}

/** Runs the command line; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.invalidInput;
    }
    console.error(`credless: ${error instanceof Error ? error.message : String(error)}`);
    return exitCodeFor(error);
  }
}
