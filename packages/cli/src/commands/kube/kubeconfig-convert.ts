/**
 * `credless kubeconfig convert --login workloadidentity --server-id …`: kubelogin's convert-kubeconfig.
 * Rewrites a kubeconfig's users (all, or the one of --context) to the client-go exec plugin
 * `credless get-token …`, so kubectl runs non-interactively with a federated token. The document is
 * edited in place (the `yaml` Document API), so comments, other entries and unknown fields survive.
 * @module
 */
import { chmod, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { isMap, isSeq, parseDocument, type YAMLMap } from 'yaml';
import { UsageError } from '../../exit-codes.ts';
import { checkLogin, EXEC_API_VERSIONS } from './exec-plugin.ts';

export interface ConvertKubeconfigOptions {
  login: string;
  /** The cluster's server application (the token audience); default: the one each user already names. */
  serverId?: string;
  /** Only the user of this context (default: every user). */
  context?: string;
  tenantId?: string;
  clientId?: string;
  authorityHost?: string;
  /** Exec plugin command (default `credless`). */
  command?: string;
  /** 'v1beta1' (default, like kubelogin) or 'v1'. */
  execApiVersion?: string;
}

export interface ConvertResult {
  text: string;
  /** Names of the users rewritten. */
  converted: string[];
}

/** Credentials the exec plugin replaces; a user keeping them would send two identities. */
const REPLACED_CREDENTIALS = [
  'auth-provider',
  'token',
  'tokenFile',
  'username',
  'password',
  'client-certificate',
  'client-certificate-data',
  'client-key',
  'client-key-data',
];

function execApiVersion(value: string | undefined): string {
  if (value === undefined || value === 'v1beta1' || value === EXEC_API_VERSIONS.v1beta1) {
    return EXEC_API_VERSIONS.v1beta1;
  }
  if (value === 'v1' || value === EXEC_API_VERSIONS.v1) return EXEC_API_VERSIONS.v1;
  throw new UsageError(`--exec-api-version: '${value}' is not v1 or v1beta1`);
}

/** The server id a user already names: azure auth-provider's apiserver-id or an exec --server-id. */
function existingServerId(user: YAMLMap | undefined): string | undefined {
  const fromProvider = user?.getIn(['auth-provider', 'config', 'apiserver-id']);
  if (typeof fromProvider === 'string' && fromProvider) return fromProvider;
  const args = user?.getIn(['exec', 'args']);
  if (isSeq(args)) {
    const values = args.items.map((item) => String((item as { value?: unknown }).value ?? item));
    const index = values.indexOf('--server-id');
    if (index >= 0 && values[index + 1]) return values[index + 1];
  }
  return undefined;
}

/** Pure transformation of kubeconfig text; throws UsageError for YAML errors or a missing context. */
export function convertKubeconfigText(text: string, options: ConvertKubeconfigOptions): ConvertResult {
  checkLogin(options.login);
  const apiVersion = execApiVersion(options.execApiVersion);
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new UsageError(`kubeconfig is not valid YAML: ${doc.errors[0]?.message}`);
  if (!isMap(doc.contents)) throw new UsageError('kubeconfig is not a YAML mapping');

  let only: string | undefined;
  if (options.context !== undefined) {
    const contexts = doc.get('contexts');
    const entry = isSeq(contexts)
      ? contexts.items.find((item) => isMap(item) && item.get('name') === options.context)
      : undefined;
    const userName = isMap(entry) ? entry.getIn(['context', 'user']) : undefined;
    if (typeof userName !== 'string') {
      throw new UsageError(`--context: no context '${options.context}' with a user in the kubeconfig`);
    }
    only = userName;
  }

  const users = doc.get('users');
  const converted: string[] = [];
  for (const item of isSeq(users) ? users.items : []) {
    if (!isMap(item)) continue;
    const name = item.get('name');
    if (typeof name !== 'string' || (only !== undefined && name !== only)) continue;
    const current = item.get('user');
    const user = isMap(current) ? current : undefined;
    const serverId = options.serverId ?? existingServerId(user);
    if (!serverId) {
      throw new UsageError(`--server-id: user '${name}' names no server id (apiserver-id); pass --server-id`);
    }
    const args = ['get-token', '--login', 'workloadidentity', '--server-id', serverId];
    if (options.tenantId) args.push('--tenant-id', options.tenantId);
    if (options.clientId) args.push('--client-id', options.clientId);
    if (options.authorityHost) args.push('--authority-host', options.authorityHost);
    const exec = doc.createNode({
      apiVersion,
      command: options.command ?? 'credless',
      args,
      env: null,
      installHint: 'credless is required: install @credless/cli and put `credless` on the PATH.',
      interactiveMode: 'Never',
      provideClusterInfo: false,
    });
    if (user) {
      for (const key of REPLACED_CREDENTIALS) user.delete(key);
      user.set('exec', exec);
    } else {
      item.set('user', doc.createNode({ exec }));
    }
    converted.push(name);
  }
  if (only !== undefined && converted.length === 0) {
    throw new UsageError(
      `--context: user '${only}' of context '${options.context}' is not in the kubeconfig`,
    );
  }
  return { text: doc.toString({ lineWidth: 0 }), converted };
}

/** kubectl's default: the first $KUBECONFIG entry would be ambiguous, so only a single path is taken. */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['KUBECONFIG'];
  if (fromEnv) {
    const paths = fromEnv.split(delimiter).filter(Boolean);
    if (paths.length > 1) throw new UsageError('$KUBECONFIG lists several files; pass --kubeconfig <file>');
    if (paths[0]) return paths[0];
  }
  return join(homedir(), '.kube', 'config');
}

export interface ConvertKubeconfigFileOptions extends ConvertKubeconfigOptions {
  kubeconfig?: string;
  /** Write here instead of in place; '-' = standard output. */
  output?: string;
  stdout?: NodeJS.WritableStream;
}

/** Reads, converts and writes (atomic rename, keeping the file mode; 0600 for a new file). */
export async function convertKubeconfig(
  options: ConvertKubeconfigFileOptions,
): Promise<{ kubeconfig: string; output: string; converted: string[] }> {
  const source = options.kubeconfig ?? defaultKubeconfigPath();
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (error) {
    throw new UsageError(`--kubeconfig: cannot read '${source}' (${(error as NodeJS.ErrnoException).code})`);
  }
  const result = convertKubeconfigText(text, options);
  const target = options.output ?? source;
  if (target === '-') {
    (options.stdout ?? process.stdout).write(result.text);
    return { kubeconfig: source, output: '-', converted: result.converted };
  }
  const mode = await stat(target).then(
    (found) => found.mode & 0o777,
    () => 0o600,
  );
  const temp = `${target}.${process.pid}.credless.tmp`;
  try {
    await writeFile(temp, result.text, { mode });
    await chmod(temp, mode);
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  return { kubeconfig: source, output: target, converted: result.converted };
}
