/**
 * Declarations of the local-platform commands: `cluster create|show|list|get-credentials` (added to the
 * `cluster` group that declareKubeCommands creates, next to `cluster jwks`; through the Resource Manager,
 * where every API command acts) and `ci env`. `cluster delete` is declared by runtime/declare.ts.
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { StoreOptions } from '../../context.ts';
import { UsageError } from '../../exit-codes.ts';
import { apiCommand } from '../az/az-command.ts';

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

/** `-o table` columns, as az aks list's (the ARM id and nested profiles need --query or -o json). */
const CLUSTER_TABLE = ['name', 'location', 'resourceGroup', 'provisioningState'] as const;
const text = (options: Options, name: string) => options[name] as string | undefined;
const namesOf = (o: Options) => ({
  name: text(o, 'name') as string,
  resourceGroup: text(o, 'resourceGroup') as string,
});

const names = (command: Command) =>
  command
    .requiredOption('-n, --name <name>', 'cluster name')
    .requiredOption('-g, --resource-group <group>', 'resource group');

/** Offline only: the public URL the in-process API answers under (logged in, the server's own). */
const urlOption = (command: Command, what: string) =>
  command.option(
    '--url <url>',
    `offline: credless public URL ${what} (default: $CREDLESS_PUBLIC_URL or the config); logged in, the server's`,
  );

export function declareLocalPlatformCommands(program: Command): void {
  const cluster =
    program.commands.find((command) => command.name() === 'cluster') ?? program.command('cluster');
  cluster.description('local clusters (mirrors az aks) and self-managed Kubernetes clusters (kind, k3s)');

  apiCommand(
    urlOption(
      names(cluster.command('create'))
        .description(
          'create a local cluster with its own service-account OIDC issuer, through the Resource Manager ' +
            '(az aks create; again: returns the existing one); a missing resource group is created',
        )
        .option('-l, --location <location>', "Azure region (default: the group's, else eastus)")
        .option(
          '--enable-oidc-issuer',
          'serve the OIDC issuer (always on for local clusters; accepted as az)',
        )
        .option('--enable-workload-identity', 'enable workload identity (securityProfile.workloadIdentity)')
        .option('--no-wait', 'do not wait until credless serves the cluster (prints nothing, as az)'),
      'the issuer lives under',
    ),
    async (api, o) =>
      (await clusters()).createCluster(api, {
        ...namesOf(o),
        ...(text(o, 'location') ? { location: text(o, 'location') as string } : {}),
        enableOidcIssuer: true,
        enableWorkloadIdentity: o['enableWorkloadIdentity'] === true,
        noWait: o['wait'] === false,
      }),
  );
  apiCommand(
    names(cluster.command('show')).description('show a local cluster (az aks show shape)'),
    async (api, o) => (await clusters()).showCluster(api, namesOf(o)),
    { readOnly: true, tableColumns: CLUSTER_TABLE },
  );
  apiCommand(
    cluster
      .command('list')
      .description('list local clusters')
      .option('-g, --resource-group <group>', 'only this resource group'),
    async (api, o) =>
      (await clusters()).listClusters(
        api,
        o['resourceGroup'] ? { resourceGroup: text(o, 'resourceGroup') as string } : {},
      ),
    { readOnly: true, tableColumns: CLUSTER_TABLE },
  );
  declareGetCredentials(cluster);

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

/** `cluster get-credentials` (az aks get-credentials): listClusterUserCredential, merged into a kubeconfig. */
function declareGetCredentials(cluster: Command): void {
  apiCommand(
    urlOption(
      names(cluster.command('get-credentials'))
        .description(
          'write the cluster to a kubeconfig and make it the current context (mirrors az aks get-credentials)',
        )
        .option(
          '-f, --file <path>',
          "kubeconfig to merge into (default: $KUBECONFIG or ~/.kube/config); '-' prints it",
        )
        .option('--overwrite-existing', 'replace entries of the same name that differ')
        .option('--context <name>', 'context name (default: the cluster name)')
        .option('-a, --admin', 'the clusterAdmin user (listClusterAdminCredential)')
        .option('--ca-file <file>', "trust this CA instead of credless's (the API's kubeconfig carries it)"),
      'the cluster API lives under',
    ),
    async (api, o) => {
      const { getCredentials } = await import('./get-credentials.ts');
      const caFile = text(o, 'caFile');
      const caCertPem = caFile
        ? await readFile(caFile, 'utf8').catch(() => {
            throw new UsageError(`--ca-file: cannot read '${caFile}'`);
          })
        : undefined;
      const result = await getCredentials(
        api,
        {
          ...namesOf(o),
          ...(text(o, 'file') ? { file: text(o, 'file') as string } : {}),
          ...(text(o, 'context') ? { context: text(o, 'context') as string } : {}),
          overwriteExisting: o['overwriteExisting'] === true,
          admin: o['admin'] === true,
        },
        { caCertPem },
      );
      if (result.kubeconfig !== '-')
        process.stderr.write(`Merged "${result.context}" as current context in ${result.kubeconfig}\n`);
      return undefined;
    },
  );
}
