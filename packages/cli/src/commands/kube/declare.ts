/**
 * Declarations of the Kubernetes commands (`cluster jwks`, `kubeconfig convert`, `get-token`), kept
 * here so cli.ts only calls declareKubeCommands. The commands themselves are the exported functions,
 * imported when their command runs (kubectl runs get-token on every call).
 * @module
 */
import type { Command } from 'commander';
import { UsageError } from '../../exit-codes.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];
const writeJson = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

export function declareKubeCommands(program: Command): void {
  const cluster = program.command('cluster').description('self-managed Kubernetes clusters (kind, k3s)');
  cluster
    .command('jwks')
    .description(
      'JWKS (and OpenID discovery document) of a service-account issuer, as kube-apiserver serves them; ' +
        'kid = base64url(SHA-256(SPKI DER))',
    )
    .requiredOption(
      '--public-key <file>',
      'PEM public key (or private key / certificate: the public half is used); repeatable',
      collect,
    )
    .option(
      '--issuer <url>',
      'service-account issuer URL (--service-account-issuer), for the discovery document',
    )
    .option('--jwks-uri <url>', 'where the JWKS is served (default <issuer>/openid/v1/jwks)')
    .option(
      '--out-dir <dir>',
      'write openid/v1/jwks and .well-known/openid-configuration here (needs --issuer)',
    )
    .option('--output <document>', 'what to print without --out-dir: jwks (default) or discovery', 'jwks')
    .action(
      async (options: {
        publicKey: string[];
        issuer?: string;
        jwksUri?: string;
        outDir?: string;
        output: string;
      }) => {
        if (options.output !== 'jwks' && options.output !== 'discovery') {
          throw new UsageError(`--output: '${options.output}' is not jwks or discovery`);
        }
        if (options.output === 'discovery' && !options.issuer) {
          throw new UsageError('--output discovery needs --issuer');
        }
        const { clusterJwks } = await import('./cluster-jwks.ts');
        const result = await clusterJwks(options);
        if (result.files)
          writeJson({ issuer: result.discovery?.issuer, files: result.files, jwks: result.jwks });
        else writeJson(options.output === 'discovery' ? result.discovery : result.jwks);
      },
    );

  program
    .command('kubeconfig')
    .description('kubeconfig files (mirrors kubelogin convert-kubeconfig)')
    .command('convert')
    .description("rewrite the kubeconfig's users to the `credless get-token` exec plugin")
    .requiredOption('-l, --login <mode>', 'login mode: workloadidentity')
    .option('--server-id <id>', "the cluster's server application id (default: the one each user names)")
    .option('--kubeconfig <file>', 'kubeconfig to convert (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'only the user of this context (default: every user)')
    .option('--tenant-id <id>', 'pass --tenant-id to get-token (default there: $AZURE_TENANT_ID)')
    .option('--client-id <id>', 'pass --client-id to get-token (default there: $AZURE_CLIENT_ID)')
    .option(
      '--authority-host <url>',
      'pass --authority-host to get-token (default there: $AZURE_AUTHORITY_HOST)',
    )
    .option('--command <path>', 'exec plugin command (default: credless)')
    .option('--exec-api-version <version>', 'client.authentication.k8s.io version: v1beta1 (default) or v1')
    .option('-o, --output <file>', 'write here instead of in place; - for standard output')
    .action(async (options) => {
      const { convertKubeconfig } = await import('./kubeconfig-convert.ts');
      const result = await convertKubeconfig(options);
      if (result.output !== '-') writeJson(result);
    });

  program
    .command('get-token')
    .description(
      'kubectl exec credential plugin: exchange the federated token and print an ExecCredential ' +
        '(mirrors kubelogin get-token)',
    )
    .requiredOption('-l, --login <mode>', 'login mode: workloadidentity')
    .requiredOption('--server-id <id>', "the cluster's server application id (scope <id>/.default)")
    .option('--tenant-id <id>', 'tenant (default: $AZURE_TENANT_ID)')
    .option('--client-id <id>', 'workload application client id (default: $AZURE_CLIENT_ID)')
    .option(
      '--authority-host <url>',
      'token service (default: $AZURE_AUTHORITY_HOST or login.microsoftonline.com)',
    )
    .option('--federated-token-file <file>', 'federated token (default: $AZURE_FEDERATED_TOKEN_FILE)')
    .option('--token-cache-dir <dir>', 'token cache (default: $XDG_CACHE_HOME/credless/kube or ~/.cache/…)')
    .option('--no-cache', 'always exchange; neither read nor write the token cache')
    .action(async (options) => {
      const { getToken } = await import('./get-token.ts');
      process.stdout.write(`${JSON.stringify(await getToken(options))}\n`);
    });
}
