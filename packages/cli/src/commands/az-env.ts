/**
 * `credless az-env`: what a shell or a GitHub Actions job needs to point the real Azure CLI at
 * credless. az (2.45) only talks to Microsoft's host names, so credless serves them on :443 with its
 * local CA: the hosts entries, the `credless up` line, `REQUESTS_CA_BUNDLE`, and the
 * `az login --federated-token` line. Prints no credential.
 * @module
 */
import { join, resolve } from 'node:path';
import { DEFAULT_FEDERATION_AUDIENCE } from '@credless/core';
import { UsageError } from '../exit-codes.ts';

/** The hosts az 2.45 calls: sign-in, Graph, Resource Manager (both names) and the portal's consent API. */
export const AZ_HOSTNAMES: readonly string[] = Object.freeze([
  'login.microsoftonline.com',
  'graph.microsoft.com',
  'management.azure.com',
  'management.core.windows.net',
  'main.iam.ad.ext.azure.com',
]);

export const AZ_ENV_FORMATS = ['shell', 'github', 'json'] as const;

export interface AzEnvOptions {
  /** credless's data directory: its `tls/ca.crt` is the CA az must trust. */
  dataDir: string;
  port?: number;
  address?: string;
  tenant?: string;
  clientId?: string;
}

export interface AzEnvironment {
  hosts: string[];
  hostsLine: string;
  environment: Record<string, string>;
  serve: string;
  login: string;
  /** The shell expression that fetches a GitHub Actions ID token for Entra's federation audience. */
  federatedToken: string;
}

const shellQuote = (value: string) =>
  /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;

export function azEnvironment(options: AzEnvOptions): AzEnvironment {
  const port = options.port ?? 443;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(`--port: '${port}' is not a port`);
  const address = options.address ?? '127.0.0.1';
  const authority = `https://${AZ_HOSTNAMES[0]}${port === 443 ? '' : `:${port}`}`;
  // Clients follow the endpoints in credless's discovery documents, so its public URL is the authority.
  const serve = [
    'credless up',
    `--port ${port}`,
    '--host 0.0.0.0',
    `--public-url ${authority}`,
    ...AZ_HOSTNAMES.map((name) => `--hostname ${name}`),
  ].join(' ');
  const federatedToken =
    '"$(curl -sSf -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" ' +
    `"$ACTIONS_ID_TOKEN_REQUEST_URL&audience=${DEFAULT_FEDERATION_AUDIENCE}" | jq -r .value)"`;
  const login = [
    'az login --service-principal',
    `-u ${shellQuote(options.clientId ?? '<client-id>')}`,
    `--tenant ${shellQuote(options.tenant ?? '<tenant-id>')}`,
    `--federated-token ${federatedToken}`,
  ].join(' ');
  return {
    hosts: [...AZ_HOSTNAMES],
    hostsLine: `${address} ${AZ_HOSTNAMES.join(' ')}`,
    environment: {
      REQUESTS_CA_BUNDLE: resolve(join(options.dataDir, 'tls', 'ca.crt')),
      // az's telemetry goes to a host credless does not serve.
      AZURE_CORE_COLLECT_TELEMETRY: 'false',
    },
    serve,
    login,
    federatedToken,
  };
}

export function formatAzEnv(env: AzEnvironment, format = 'shell'): string {
  const exports = Object.entries(env.environment);
  if (format === 'json') return `${JSON.stringify(env, null, 2)}\n`;
  if (format === 'shell') {
    return [
      "# 1. Serve the Microsoft host names on :443 with credless's local CA (root or CAP_NET_BIND_SERVICE):",
      `#    ${env.serve}`,
      "# 2. Point the names at credless: a line in /etc/hosts, or in a private mount namespace's hosts file:",
      `#    ${env.hostsLine}`,
      '# 3. Trust the CA (eval "$(credless az-env)" runs these):',
      ...exports.map(([name, value]) => `export ${name}=${shellQuote(value)}`),
      '# 4. Sign in with a federated token (here: a GitHub Actions ID token; `credless ci env` emulates a job):',
      `#    ${env.login}`,
      '',
    ].join('\n');
  }
  if (format === 'github') {
    // A workflow step: run: credless az-env -o github | bash
    return [
      `echo ${shellQuote(env.hostsLine)} | sudo tee -a /etc/hosts >/dev/null`,
      ...exports.map(([name, value]) => `echo ${shellQuote(`${name}=${value}`)} >> "$GITHUB_ENV"`),
      '',
    ].join('\n');
  }
  throw new UsageError(`--output: '${format}' is not one of ${AZ_ENV_FORMATS.join(', ')}`);
}
