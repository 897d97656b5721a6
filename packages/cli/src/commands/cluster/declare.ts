/**
 * Declarations of the local-platform commands: `cluster create|show|list|delete` (added to the
 * `cluster` group that declareKubeCommands creates, next to `cluster jwks`) and `ci env`.
 * @module
 */
import type { Command } from 'commander';
import type { StoreOptions } from '../../context.ts';
import { storeCommand } from '../az/az-command.ts';

// Imported when a command runs, not at start-up (lazy CLI: see cli.ts).
const clusters = () => import('./cluster.ts');
const serverUrl = async (options: Parameters<typeof import('./server-url.ts').resolveServerUrl>[0]) =>
  (await import('./server-url.ts')).resolveServerUrl(options);

type Options = StoreOptions & { query?: string; output?: string; url?: string } & Record<string, unknown>;

/** The KEK protecting issuer keys at rest, as the server loads it (data directory or CREDLESS_KEK). */
async function loadKek(options: StoreOptions): Promise<Uint8Array> {
  const { loadKeyEncryptionKey, loadStorageConfig } = await import('@credless/server');
  const config = loadStorageConfig(process.env, options.dataDir ? { dataDir: options.dataDir } : {});
  return loadKeyEncryptionKey({ dataDir: config.dataDir, env: config.kek });
}

const clusterCommand = storeCommand<Options>;
/** `-o table` columns, as az aks list's (the ARM id and nested profiles need --query or -o json). */
const CLUSTER_TABLE = ['name', 'location', 'resourceGroup', 'provisioningState'] as const;

const names = (command: Command) =>
  command
    .requiredOption('-n, --name <name>', 'cluster name')
    .requiredOption('-g, --resource-group <group>', 'resource group');

export function declareLocalPlatformCommands(program: Command): void {
  const cluster =
    program.commands.find((command) => command.name() === 'cluster') ?? program.command('cluster');
  cluster.description('local clusters (mirrors az aks) and self-managed Kubernetes clusters (kind, k3s)');

  clusterCommand(
    names(cluster.command('create'))
      .description(
        'create a local cluster with its own service-account OIDC issuer (again: returns the existing one)',
      )
      .option('--enable-oidc-issuer', 'serve the OIDC issuer (always on for local clusters; accepted as az)')
      .option('--enable-workload-identity', 'enable workload identity (securityProfile.workloadIdentity)')
      .option(
        '--url <url>',
        'credless public URL the issuer lives under (default: $CREDLESS_URL or the config)',
      ),
    async (ctx, options) =>
      (await clusters()).createCluster(
        { ...ctx, kek: await loadKek(options), baseUrl: await serverUrl(options) },
        {
          name: options['name'] as string,
          resourceGroup: options['resourceGroup'] as string,
          enableOidcIssuer: true,
          enableWorkloadIdentity: options['enableWorkloadIdentity'] === true,
        },
      ),
  );
  clusterCommand(
    names(cluster.command('show')).description('show a local cluster (az aks show shape)'),
    async (ctx, o) =>
      (await clusters()).showCluster(ctx, {
        name: o['name'] as string,
        resourceGroup: o['resourceGroup'] as string,
      }),
    { readOnly: true, tableColumns: CLUSTER_TABLE },
  );
  clusterCommand(
    cluster
      .command('list')
      .description('list local clusters')
      .option('-g, --resource-group <group>', 'only this resource group'),
    async (ctx, o) =>
      (await clusters()).listClusters(
        ctx,
        o['resourceGroup'] ? { resourceGroup: o['resourceGroup'] as string } : {},
      ),
    { readOnly: true, tableColumns: CLUSTER_TABLE },
  );
  clusterCommand(
    names(cluster.command('delete'))
      .description('delete a local cluster and its issuer key')
      .option('-y, --yes', 'accepted as az does (no prompt)'),
    async (ctx, o) =>
      (await clusters()).deleteCluster(ctx, {
        name: o['name'] as string,
        resourceGroup: o['resourceGroup'] as string,
      }),
  );

  const ci = program.command('ci').description('emulated CI platforms (GitHub Actions OIDC)');
  ci.command('env')
    .description(
      'print the variables of a GitHub Actions job, ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN included ' +
        '(eval "$(credless ci env …)"; the request token is a credential)',
    )
    .requiredOption('--repo <owner/name>', 'repository')
    .requiredOption(
      '--ref <ref>',
      'refs/heads/<branch>, refs/tags/<tag>, refs/pull/<n>/merge, or a branch name',
    )
    .option('--environment <name>', 'deployment environment (then sub = repo:<repo>:environment:<name>)')
    .option('--event <name>', 'event_name (default push; pull_request gives sub repo:<repo>:pull_request)')
    .option('--sha <sha>', 'commit (default: derived from repo and ref)')
    .option('--actor <login>', 'actor (default: the owner)')
    .option('--workflow <name>', 'workflow name (default CI)')
    .option('--run-id <id>', 'run id (default: the current time in seconds)')
    .option('--head-ref <branch>', 'pull requests: source branch')
    .option('--base-ref <branch>', 'pull requests: target branch')
    .option('--subject-format <format>', 'classic (default) or immutable (repo:<owner>@<id>/<name>@<id>:…)')
    .option('--lifetime <seconds>', 'request token lifetime (default 3600, at most 21600)')
    .option('--format <format>', 'shell (default, export lines), github-env (NAME=value) or json')
    .option('--url <url>', 'credless public URL (default: $CREDLESS_URL or the config)')
    .option(
      '--data-dir <dir>',
      'data directory holding the key-encryption key (default: $CREDLESS_DATA_DIR or ./.credless)',
    )
    .action(async (options: Options & { repo: string; ref: string }) => {
      const { ciEnv } = await import('../ci/ci-env.ts');
      const text = await ciEnv(
        { kek: await loadKek(options), baseUrl: await serverUrl(options) },
        options as Parameters<typeof ciEnv>[1],
      );
      process.stdout.write(text);
    });
}
