/**
 * The credless command line. This file only declares commands; each command is an exported function
 * in ./commands that tests call directly. Declaring is all a start does: a command's modules are
 * imported (`await import`) only when it runs, so `--help` and `get-token` load next to nothing.
 * @module
 */
import { Command, CommanderError, Option } from 'commander';
import {
  type Options as AzOptions,
  apiCommand,
  outputOptions,
  print,
  storeOptions,
} from './commands/az/az-command.ts';
import { declareAzCommands } from './commands/az/declare.ts';
import { declareBackupCommands } from './commands/backup-declare.ts';
import { declareLocalPlatformCommands } from './commands/cluster/declare.ts';
import { declareConsoleCommand } from './commands/console-declare.ts';
import type { DeclarativeOptions, planCommand } from './commands/declarative.ts';
import { declareKubeCommands } from './commands/kube/declare.ts';
import { declareClusterAccessCommands } from './commands/role/declare.ts';
import { declareRuntimeCommands } from './commands/runtime/declare.ts';
import type { DirectoryContext, StoreOptions } from './context.ts';
import { EXIT, exitCodeFor, UsageError } from './exit-codes.ts';
import { cliVersion } from './version.ts';

type DryRunReport = import('@credless/server').DryRunReport;
/** `signins list -o table`: the columns that fit a terminal. */
const SIGN_IN_COLUMNS = ['createdDateTime', 'appId', 'result', 'errorCode', 'credentialName'] as const;

const withDirectoryContext = async <T>(
  options: StoreOptions,
  readOnly: boolean,
  run: (ctx: DirectoryContext) => Promise<T>,
) => (await import('./context.ts')).withDirectoryContext(options, readOnly, run);
const tenants = () => import('./commands/tenant.ts');
const issuerPolicies = () => import('./commands/issuer-policy.ts');
const declarativeCommands = () => import('./commands/declarative.ts');
type DeclarativeModule = Awaited<ReturnType<typeof declarativeCommands>>;

/**
 * A command acting on the data directory itself, not through the API (admin rotate-key: the key lives
 * there), with the store options and az's `-o`/`--query`. It acts on what is there, so a missing data
 * directory is an error (as for a read-only command), never a new one.
 */
function directoryCommand(
  command: Command,
  action: (ctx: DirectoryContext, ...args: never[]) => Promise<unknown>,
) {
  return outputOptions(storeOptions(command)).action(async (...args: unknown[]) => {
    const options = (args[args.length - 1] as Command).opts() as AzOptions;
    await print(options, () =>
      withDirectoryContext(options, true, (ctx) => action(ctx, ...(args.slice(0, -1) as never[]))),
    );
  });
}

const parsePort = (value: string) => {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port: '${value}' is not a port`);
  return port;
};
const collect = (value: string, previous: string[] = []) => [...previous, value];
const parseWorkers = (value: string) => {
  const workers = Number(value);
  if (!Number.isInteger(workers) || workers < 1 || workers > 256)
    throw new UsageError(`--workers: '${value}' is not a number of processes (1–256)`);
  return workers;
};

export function buildProgram(): Command {
  const program = new Command('credless')
    .description('Secretless workload identity: an Entra-compatible token service for workload tokens.')
    .version(cliVersion(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride();
  // The order here is the order of `credless --help`.
  declareServerCommands(program);
  declareTenantCommands(program);
  declareIssuerPolicyCommands(program);
  declareSignInCommands(program);
  declareDeclarativeCommands(program);
  // az-shaped: login, logout, account, rest, ad app|sp|group … (Graph API of the session, or a store offline).
  declareAzCommands(program);
  // The web console of the running server: a fresh sign-in link.
  declareConsoleCommand(program);
  declareAdminCommands(program);
  // Kubernetes: cluster jwks, kubeconfig convert, get-token (kubelogin equivalent).
  declareKubeCommands(program);
  // Local platforms: cluster create|show|list|delete (same `cluster` group as jwks) and ci env.
  declareLocalPlatformCommands(program);
  // Cluster access as AKS with Azure RBAC: role assignment create|list|delete, cluster get-credentials.
  declareClusterAccessCommands(program);
  // Local cluster runtime: cluster apply|get|logs|update, object form of cluster delete, acr create|show|build.
  declareRuntimeCommands(program);
  // Embedded store: backup <file>, restore <file>.
  declareBackupCommands(program);
  declareWebhookCommands(program);
  return program;
}

/** `up` (the server) and `az-env` (what points the real az at it). */
function declareServerCommands(program: Command): void {
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
    .option(
      '--workers <n>',
      'processes serving on one port (default: $CREDLESS_WORKERS, else one per CPU with PostgreSQL, 1 with SQLite)',
      parseWorkers,
    )
    .action(async (options) => {
      const { closeOnSignals, up } = await import('./commands/up.ts');
      const running = await up(options);
      await closeOnSignals(running);
    });

  program
    .command('az-env')
    .description(
      'print what points the real az at credless: hosts entries, CA bundle, `up` and `az login` lines',
    )
    .option(
      '--data-dir <dir>',
      'data directory holding tls/ca.crt (default: $CREDLESS_DATA_DIR or ./.credless)',
    )
    .option('--port <port>', 'port credless serves the Microsoft host names on (default 443)', parsePort)
    .option('--tenant <id>', 'tenant id for the az login line')
    .option('--client-id <appId>', 'application (client) id for the az login line')
    .option(
      '-o, --output <format>',
      'shell (default: export lines and comments), github (a workflow step) or json',
    )
    .action(
      async (options: {
        dataDir?: string;
        port?: number;
        tenant?: string;
        clientId?: string;
        output?: string;
      }) => {
        const [{ azEnvironment, formatAzEnv }, { resolveDataDir }] = await Promise.all([
          import('./commands/az-env.ts'),
          import('@credless/server'),
        ]);
        const dataDir = resolveDataDir(process.env, options.dataDir);
        process.stdout.write(formatAzEnv(azEnvironment({ ...options, dataDir }), options.output));
      },
    );
}

/** `tenant create|list|show|secret-policy`. */
function declareTenantCommands(program: Command): void {
  // Tenants, issuer policy, sign-in logs, explain: through the API, where `ad …` acts (one rule).
  const tenant = program.command('tenant').description('tenants (organizations)');
  apiCommand(
    tenant
      .command('create')
      .description("create a tenant (operator: the first tenant's administrator)")
      .requiredOption('--domain <domain>', 'default domain, e.g. contoso.credless.local')
      .requiredOption('--display-name <name>', 'organization display name'),
    async (api, options) => (await tenants()).createTenant(api, options as never),
  );
  apiCommand(
    tenant.command('list').description('list tenants (operator)'),
    async (api) => (await tenants()).listTenants(api),
    { readOnly: true },
  );
  apiCommand(
    tenant
      .command('show')
      .description('show a tenant')
      .requiredOption('--id <id-or-domain>', 'tenant id or domain'),
    async (api, options) => (await tenants()).showTenant(api, options['id'] as string),
    { readOnly: true },
  );
  apiCommand(
    tenant
      .command('secret-policy')
      .description('show or set the client secret policy: deny | audit (default) | allow, maximum lifetime')
      .requiredOption('--id <id-or-domain>', 'tenant id or domain')
      .option('--mode <mode>', 'deny, audit or allow')
      .option('--max-lifetime <seconds>', 'longest lifetime of a new secret (default 86400)')
      .option('--reset', 'back to the default (audit, one day)'),
    async (api, options) => (await tenants()).secretPolicy(api, options as never),
  );
}

/** `issuer-policy show|set|trust|untrust`. */
function declareIssuerPolicyCommands(program: Command): void {
  const issuerPolicy = program
    .command('issuer-policy')
    .description('trusted issuers of the tenant, their limits and pinned keys, the shared-issuer guard');
  apiCommand(
    issuerPolicy.command('show').description('show the issuer policy'),
    async (api) => (await issuerPolicies()).showIssuerPolicy(api),
    { readOnly: true },
  );
  apiCommand(
    issuerPolicy
      .command('set')
      .description('set the mode for issuers not on the list, or switch the shared-issuer guard')
      .option('--mode <mode>', 'enforce (refuse), audit (allow and flag) or off')
      .option(
        '--shared-issuer-guard <on|off>',
        'require an owner pin for GitHub/gitlab.com/HCP Terraform (default on)',
      ),
    async (api, options) => (await issuerPolicies()).setIssuerPolicy(api, options as never),
  );
  apiCommand(
    issuerPolicy
      .command('trust')
      .description('trust an issuer or change its settings (a new --jwks-file replaces the pinned keys)')
      .requiredOption('--issuer <url>', 'issuer URL, exactly as in its tokens')
      .option('--max-assertion-lifetime <seconds>', 'refuse assertions living longer (exp - iat)')
      .option('--clock-skew <seconds>', 'clock skew for this issuer (default: the server setting)')
      .option('--jwks-file <file>', 'pin these public keys; the issuer is then never contacted')
      .option('--unpin-jwks', 'drop the pinned keys and fetch the issuer metadata again'),
    async (api, options) => (await issuerPolicies()).trustIssuer(api, options as never),
  );
  apiCommand(
    issuerPolicy
      .command('untrust')
      .description('remove an issuer from the trusted list (and its limits and pinned keys)')
      .requiredOption('--issuer <url>', 'issuer URL'),
    async (api, options) => (await issuerPolicies()).untrustIssuer(api, options as never),
  );
}

/** `signins list` and `explain` (a dry run of a token against the credentials). */
function declareSignInCommands(program: Command): void {
  const signins = program.command('signins').description('sign-in logs (token exchanges)');
  apiCommand(
    signins
      .command('list')
      .description('list sign-in records, newest first')
      .option('--app <appId>', 'only this client id')
      .option('--failed', 'only failed exchanges')
      .option('--since <when>', 'ISO 8601 timestamp or a duration back from now (30m, 1h, 7d)')
      .option('--limit <n>', 'at most this many records (1-1000, default 100)'),
    async (api, options) => (await import('./commands/signins.ts')).listSignIns(api, options as never),
    { readOnly: true, tableColumns: SIGN_IN_COLUMNS },
  );

  apiCommand(
    program
      .command('explain')
      .description(
        "dry-run a token against an application's federated credentials: which one matches, or why none " +
          'does (issues nothing; exit code 0 = accepted, 5 = no match)',
      )
      .requiredOption('--app <appId>', "the application's client id (or object id)")
      .requiredOption('--token <file|->', 'file holding the token (JWT), or - for standard input')
      .option('--no-verify-signature', "do not fetch the issuer's keys to check the signature"),
    async (api, options) => (await import('./commands/explain.ts')).explainCommand(api, options as never),
    {
      readOnly: true,
      text: async (report: DryRunReport) =>
        (await import('./commands/explain.ts')).formatExplainReport(report),
      after: async (report: DryRunReport) =>
        (await import('./commands/explain.ts')).settleExplanation(report),
    },
  );
}

/** `plan` and `apply` of an identity file. */
function declareDeclarativeCommands(program: Command): void {
  // Declarative identity: plan/apply converge the directory to a file (applications, credentials, consent,
  // groups); where they act follows the ad commands' rule (a store given, else the login session, else local).
  const declarative = (command: Command, pick: (commands: DeclarativeModule) => typeof planCommand) =>
    command
      .requiredOption('-f, --file <file>', 'identity file (YAML or JSON, apiVersion credless.dev/v1)')
      .option('--prune', 'also delete what the file does not name (applications, groups, credentials, …)')
      .option('--tenant <id-or-domain>', 'offline: tenant to act on (default: the default tenant)')
      .option('--data-dir <dir>', 'act on this data directory directly (offline)')
      .option('--database-url <url>', 'act on this PostgreSQL store directly (offline)')
      .action(async (options: DeclarativeOptions & StoreOptions) => {
        const commands = await declarativeCommands();
        await commands.runDeclarative(options, pick(commands));
      });
  declarative(
    program
      .command('plan')
      .description('show what apply would change to make the directory match the file (changes nothing)')
      .option('--detailed-exitcode', 'exit 6 when there are changes (0 = none)')
      .option('--output <format>', 'text (default) or json'),
    (commands) => commands.planCommand,
  );
  declarative(
    program
      .command('apply')
      .description('make the directory match the file: prints the plan, asks, applies (idempotent)')
      .option('--yes', 'apply without asking (needed when not run from a terminal)'),
    (commands) => commands.applyCommand,
  );
}

/** `admin rotate-key|show`: the local tenant administrator identity. */
function declareAdminCommands(program: Command): void {
  const admin = program
    .command('admin')
    .description('the local tenant administrator identity (Graph-compatible API access)');
  directoryCommand(
    admin.command('rotate-key').description('replace the administrator key pair and certificate'),
    async (ctx, options: StoreOptions) =>
      (await import('./commands/admin.ts')).rotateAdminKeyCommand(ctx, { dataDir: options.dataDir }),
  );
  outputOptions(
    admin
      .command('show')
      .description('show the administrator client id, tenant and key file')
      .option('--data-dir <dir>', 'data directory (default: $CREDLESS_DATA_DIR or ./.credless)'),
  ).action(async (options: AzOptions) =>
    print(options, async () => (await import('./commands/admin.ts')).showAdminIdentity(options)),
  );
}

/** `webhook serve|certs`: the Kubernetes mutating admission webhook. */
function declareWebhookCommands(program: Command): void {
  const webhook = program
    .command('webhook')
    .description('Kubernetes mutating admission webhook (azure-workload-identity compatible)');
  webhook
    .command('serve')
    .description('serve POST /mutate-v1-pod over HTTPS (certificate files reloaded when they change)')
    .option('--port <port>', 'listen port (default: $CREDLESS_WEBHOOK_PORT or 9443)', parsePort)
    .option('--host <host>', 'listen address (default: 0.0.0.0)')
    .option('--tls-cert-file <file>', 'serving certificate (default: /etc/credless-webhook/certs/tls.crt)')
    .option('--tls-key-file <file>', 'its private key (default: /etc/credless-webhook/certs/tls.key)')
    .option('--authority-host <url>', 'credless authority injected as AZURE_AUTHORITY_HOST')
    .option('--tenant-id <id>', 'tenant when the ServiceAccount has none (default: $AZURE_TENANT_ID)')
    .option('--audience <aud>', 'projected token audience (default: api://AzureADTokenExchange)')
    .option(
      '--token-path <path>',
      'token file in containers (default: /var/run/secrets/azure/tokens/azure-identity-token)',
    )
    .option('--identity-bindings <file>', 'YAML policy: which ServiceAccounts may use which client ids')
    .option('--kubeconfig <file>', 'kubeconfig (default: in-cluster, then $KUBECONFIG / ~/.kube/config)')
    .action(async (options) => {
      const { closeWebhookOnSignals, webhookServe } = await import('@credless/webhook');
      await closeWebhookOnSignals(await webhookServe(options));
    });
  webhook
    .command('certs')
    .description('create a CA and a serving certificate for the webhook Service; prints the caBundle')
    .requiredOption('--service <name>', 'webhook Service name')
    .requiredOption('--namespace <ns>', 'its namespace')
    .requiredOption('--out <dir>', 'directory for ca.crt, ca.key, tls.crt, tls.key')
    .action(async (options: { service: string; namespace: string; out: string }) => {
      const { createWebhookCerts } = await import('@credless/webhook');
      const result = await createWebhookCerts(options);
      console.error(`wrote ${Object.values(result.files).join(', ')} for ${result.dnsNames.join(', ')}`);
      console.error('caBundle (base64 PEM) for the MutatingWebhookConfiguration:');
      process.stdout.write(`${result.caBundle}\n`);
    });
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
