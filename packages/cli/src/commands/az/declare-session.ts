/** `credless login|logout|account …|rest`: the session and raw calls to the Graph-compatible API. */
import type { Command } from 'commander';
import { UsageError } from '../../exit-codes.ts';
import { login, logout, showAccount } from '../../session/login.ts';
import { type Options, outputOptions, print, requireSession, str } from './az-command.ts';
import { rest } from './rest.ts';

export function declareSessionCommands(program: Command): void {
  outputOptions(
    program
      .command('login')
      .description(
        'log in: as a workload with a federated token (--service-principal -u <appId> --tenant <id> --federated-token <jwt|@file>), or as the local administrator of a data directory (no arguments, or --local)',
      )
      .option('--service-principal', 'log in as an application with --federated-token')
      .option('-u, --username <appId>', 'the application (client) id')
      .option('--tenant <id-or-domain>', 'tenant of the application')
      .option('--federated-token <jwt|@file>', 'OIDC token of the platform (GitHub Actions, Kubernetes, …)')
      .option('-p, --password <secret>', 'not supported: credless never uses client secrets')
      .option('--local', 'the local administrator (key in <data-dir>/admin/)')
      .option('--authority <url>', 'credless base URL (default: $CREDLESS_AUTHORITY, else the local server)')
      .option('--graph-url <url>', 'Graph-compatible API base (default: <authority>/v1.0)')
      .option('--ca-file <pem>', "CA to trust (default: the data directory's local CA)")
      .option('--data-dir <dir>', 'data directory (default: $CREDLESS_DATA_DIR or ./.credless)'),
  ).action(async (options: Options) =>
    print(options, async () => {
      if (options['password'] !== undefined) {
        throw new UsageError('--password: credless never uses client secrets; log in with --federated-token');
      }
      return login(options as Parameters<typeof login>[0]);
    }),
  );

  program
    .command('logout')
    .description('forget the session (its access token)')
    .action(async () => logout({}));

  const account = program.command('account').description('the logged-in session');
  outputOptions(account.command('show').description('show the session (tenant, identity, expiry)')).action(
    async (options: Options) => print(options, () => showAccount({})),
  );
  outputOptions(
    account
      .command('get-access-token')
      .description("print the session's Graph access token (as az account get-access-token)"),
  ).action(async (options: Options) =>
    print(options, async () => {
      const api = await requireSession();
      // A request refreshes an expiring local-administrator token first.
      await api.call('GET', '/organization?$select=id');
      const { accessToken, expiresOn, tenantId } = api.session;
      return { accessToken, expiresOn, tenant: tenantId, tokenType: 'Bearer' };
    }),
  );

  outputOptions(
    program
      .command('rest')
      .description('call the credless Graph-compatible API with the session token (as az rest)')
      .option('-m, --method <method>', 'get (default), post, put, patch, delete', 'get')
      .requiredOption(
        '-u, --uri <uri>',
        'https://graph.microsoft.com/v1.0/… (rewritten to credless), a credless URL, /v1.0/… or <object id>/…',
      )
      .option('-b, --body <json|@file>', 'request body: inline JSON or @file')
      .option('--headers <header...>', 'extra headers: Name=value … or a JSON object'),
  ).action(async (options: Options) =>
    print(options, async () =>
      rest(await requireSession(), {
        method: str(options, 'method'),
        uri: str(options, 'uri'),
        ...(options['body'] !== undefined ? { body: str(options, 'body') } : {}),
        ...(options['headers'] !== undefined ? { headers: options['headers'] as string[] } : {}),
      }),
    ),
  );
}
