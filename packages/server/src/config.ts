/**
 * Server configuration: parsed once, from the environment (schema in config/server-environment.ts)
 * plus explicit overrides (CLI flags), and validated before anything starts.
 * @module
 */
import { resolve } from 'node:path';
import { ConfigError, type LogLevel, parseEnvironment } from '@credless/common';
import { z } from 'zod';
import {
  addressVariables,
  type ServerEnvironment,
  serverEnvironment,
  storageVariables,
} from './config/server-environment.ts';

export { ConfigError };

export interface ServerConfig {
  /** Data directory: SQLite file, TLS material, key-encryption key. `CREDLESS_DATA_DIR`, default `./.credless`. */
  dataDir: string;
  /** PostgreSQL URL; unset = embedded SQLite. `CREDLESS_DATABASE_URL`. */
  databaseUrl: string | undefined;
  /** Listen address. `CREDLESS_HOST`, default `localhost` (both 127.0.0.1 and ::1). */
  host: string;
  /** Listen port. `CREDLESS_PORT`, default 8443; 0 picks a free port. */
  port: number;
  /** Public base URL (authority host) without trailing slash. `CREDLESS_PUBLIC_URL`, default `https://localhost:<port>`. */
  publicUrl: string | undefined;
  /** Extra DNS names for the generated server certificate. `CREDLESS_HOSTNAMES` (comma-separated). */
  hostnames: string[];
  /** Host names served as Azure Resource Manager besides `management.azure.com`. `CREDLESS_ARM_HOSTNAMES` (comma-separated). */
  armHostnames: string[];
  /** Serve plain HTTP (only behind a TLS-terminating proxy). `CREDLESS_INSECURE_HTTP=true`. */
  insecureHttp: boolean;
  /** Key-encryption key (base64, 32 bytes). `CREDLESS_KEK`; default: `<dataDir>/kek` (0600). */
  kek: string | undefined;
  /** Default tenant created on first start. */
  defaultTenant: { domain: string; displayName: string };
  /** Randomized access-token lifetime. `CREDLESS_TOKEN_LIFETIME_MIN/MAX` seconds, default 3600–5400. */
  tokenLifetimeSeconds: { min: number; max: number };
  /** Reuse window for identical federated exchanges, seconds; 0 = off. `CREDLESS_TOKEN_REUSE_WINDOW_SECONDS`. */
  tokenReuseWindowSeconds: number;
  /** Per-application federated credential limit; `CREDLESS_FIC_LIMIT` (number or `none`), default 20. */
  ficLimitPerApp: number | null;
  maxAssertionLength: number;
  clockSkewSeconds: number;
  /** Fetching external issuers' discovery and JWKS. */
  issuerFetch: {
    timeoutMs: number;
    maxBytes: number;
    refetchCooldownMs: number;
    maxAgeMs: number;
    /** Allow issuers on loopback and private networks (self-managed clusters, local development). */
    allowPrivateNetworks: boolean;
    /** Extra CA certificates (PEM file) trusted for issuers, besides the system roots. */
    caFile: string | undefined;
  };
  /** Signing-key lifecycle. */
  signingKeys: { rotationPeriodMs: number; prepublishPeriodMs: number; retentionAfterRetireMs: number };
  /** How often to look for directory changes made by other processes. */
  directoryPollMs: number;
  /** How long the token path may answer from memory while the database is unreachable. */
  directoryMaxStalenessMs: number;
  /**
   * Sign-in logs: one record per token exchange. `CREDLESS_SIGNIN_LOG` (default true) and
   * `CREDLESS_SIGNIN_RETENTION_DAYS` (default 30).
   */
  signInLog: { enabled: boolean; retentionDays: number };
  /**
   * Create the local administrator identity (a key pair in the data directory) on start.
   * `CREDLESS_ADMIN_BOOTSTRAP` (default true); turn it off for replicas with throw-away data directories.
   */
  adminBootstrap: boolean;
  /** How long a web console session lasts. `CREDLESS_CONSOLE_SESSION_HOURS` (default 8). */
  consoleSessionHours: number;
  /** Request throttling per client and per source address; off (undefined) unless `CREDLESS_THROTTLE`. */
  throttle?: { windowMs: number; token: ThrottleCounts; graph: ThrottleCounts } | undefined;
  logLevel: LogLevel;
  /** `credless up`'s worker processes (start/workers.ts); 0 = automatic. `CREDLESS_WORKERS` or `--workers`. */
  workers: number;
  /**
   * Public base URL of the Graph-compatible API (served under /v1.0), as printed and used in
   * `@odata.context`. `CREDLESS_GRAPH_BASE_URL`, default `<public URL>/v1.0`.
   */
  graphBaseUrl?: string | undefined;
}

/** Requests allowed per throttling window. */
export interface ThrottleCounts {
  perClient: number;
  perSource: number;
}

export type ConfigOverrides = Partial<ServerConfig>;

/** What opening the directory store needs, and no more (the CLI's offline commands). */
export type StorageConfig = Pick<
  ServerConfig,
  'dataDir' | 'databaseUrl' | 'kek' | 'ficLimitPerApp' | 'defaultTenant'
>;

/** Where the local server answers (`credless login`, a local cluster's kubeconfig). */
export type AddressConfig = Pick<
  ServerConfig,
  'dataDir' | 'host' | 'port' | 'publicUrl' | 'insecureHttp' | 'graphBaseUrl'
>;

const DAY_MS = 24 * 60 * 60 * 1000;

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: ConfigOverrides = {},
): ServerConfig {
  const config: ServerConfig = { ...fromEnvironment(parseEnvironment(serverEnvironment, env)), ...overrides };
  // Flags stand in for their variables, so the variables' format rules apply to them as well.
  const urls = parseEnvironment(
    serverEnvironment.pick({ CREDLESS_PUBLIC_URL: true, CREDLESS_GRAPH_BASE_URL: true }),
    { CREDLESS_PUBLIC_URL: config.publicUrl, CREDLESS_GRAPH_BASE_URL: config.graphBaseUrl },
  );
  config.publicUrl = urls.CREDLESS_PUBLIC_URL;
  config.graphBaseUrl = urls.CREDLESS_GRAPH_BASE_URL;
  checkConsistency(config);
  return config;
}

// The CLI reads only the variables it uses: a bad token lifetime must not stop `credless ad app list`.
const storageEnvironment = z.object(storageVariables);
const addressEnvironment = z.object({
  CREDLESS_DATA_DIR: storageVariables.CREDLESS_DATA_DIR,
  ...addressVariables,
});

/** The storage settings alone; `dataDir`/`databaseUrl` given by flags win. */
export function loadStorageConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Pick<StorageConfig, 'dataDir' | 'databaseUrl'>> = {},
): StorageConfig {
  return { ...storageFromEnvironment(parseEnvironment(storageEnvironment, env)), ...overrides };
}

/** The local server's address settings alone; a `dataDir` given by a flag wins. */
export function loadAddressConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Pick<AddressConfig, 'dataDir'>> = {},
): AddressConfig {
  const vars = parseEnvironment(addressEnvironment, env);
  return { ...addressFromEnvironment(vars), dataDir: resolve(vars.CREDLESS_DATA_DIR), ...overrides };
}

/** What a CLI command serving the API in-process reads: where the directory is, and its keys' lifecycle. */
const IN_PROCESS_VARIABLES = [
  ...Object.keys(storageVariables),
  ...Object.keys(addressVariables),
  'CREDLESS_KEY_ROTATION_DAYS',
  'CREDLESS_KEY_PREPUBLISH_DAYS',
  'CREDLESS_KEY_RETENTION_DAYS',
] as const;

/**
 * The server configuration for the API served in-process by a CLI command: the variables above from
 * `env`, every other setting (token lifetimes, throttling, …) at its default.
 */
export function loadInProcessConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: ConfigOverrides = {},
): ServerConfig {
  return loadConfig(Object.fromEntries(IN_PROCESS_VARIABLES.map((name) => [name, env[name]])), overrides);
}

/** The data directory: the given one (a `--data-dir` flag), else `CREDLESS_DATA_DIR`, else `./.credless`. */
export function resolveDataDir(env: NodeJS.ProcessEnv = process.env, dataDir?: string): string {
  return dataDir || loadStorageConfig(env).dataDir;
}

function storageFromEnvironment(vars: z.output<typeof storageEnvironment>): StorageConfig {
  return {
    dataDir: resolve(vars.CREDLESS_DATA_DIR),
    databaseUrl: vars.CREDLESS_DATABASE_URL,
    kek: vars.CREDLESS_KEK,
    ficLimitPerApp: vars.CREDLESS_FIC_LIMIT,
    defaultTenant: { domain: vars.CREDLESS_TENANT_DOMAIN, displayName: vars.CREDLESS_ORGANIZATION_NAME },
  };
}

function addressFromEnvironment(vars: z.output<typeof addressEnvironment>): Omit<AddressConfig, 'dataDir'> {
  return {
    host: vars.CREDLESS_HOST,
    port: vars.CREDLESS_PORT,
    publicUrl: vars.CREDLESS_PUBLIC_URL,
    insecureHttp: vars.CREDLESS_INSECURE_HTTP,
    graphBaseUrl: vars.CREDLESS_GRAPH_BASE_URL,
  };
}

function fromEnvironment(vars: ServerEnvironment): ServerConfig {
  return {
    ...storageFromEnvironment(vars),
    ...addressFromEnvironment(vars),
    hostnames: vars.CREDLESS_HOSTNAMES,
    armHostnames: vars.CREDLESS_ARM_HOSTNAMES,
    tokenLifetimeSeconds: { min: vars.CREDLESS_TOKEN_LIFETIME_MIN, max: vars.CREDLESS_TOKEN_LIFETIME_MAX },
    tokenReuseWindowSeconds: vars.CREDLESS_TOKEN_REUSE_WINDOW_SECONDS,
    maxAssertionLength: vars.CREDLESS_MAX_ASSERTION_LENGTH,
    clockSkewSeconds: vars.CREDLESS_CLOCK_SKEW_SECONDS,
    issuerFetch: {
      timeoutMs: vars.CREDLESS_ISSUER_FETCH_TIMEOUT_MS,
      maxBytes: vars.CREDLESS_ISSUER_FETCH_MAX_BYTES,
      refetchCooldownMs: vars.CREDLESS_ISSUER_REFETCH_COOLDOWN_MS,
      maxAgeMs: vars.CREDLESS_ISSUER_KEYS_MAX_AGE_MS,
      allowPrivateNetworks: vars.CREDLESS_ISSUER_ALLOW_PRIVATE_NETWORKS,
      caFile: vars.CREDLESS_ISSUER_CA_FILE,
    },
    signingKeys: {
      rotationPeriodMs: vars.CREDLESS_KEY_ROTATION_DAYS * DAY_MS,
      prepublishPeriodMs: vars.CREDLESS_KEY_PREPUBLISH_DAYS * DAY_MS,
      retentionAfterRetireMs: vars.CREDLESS_KEY_RETENTION_DAYS * DAY_MS,
    },
    directoryPollMs: vars.CREDLESS_DIRECTORY_POLL_MS,
    directoryMaxStalenessMs: vars.CREDLESS_DIRECTORY_MAX_STALENESS_S * 1000,
    signInLog: { enabled: vars.CREDLESS_SIGNIN_LOG, retentionDays: vars.CREDLESS_SIGNIN_RETENTION_DAYS },
    adminBootstrap: vars.CREDLESS_ADMIN_BOOTSTRAP,
    consoleSessionHours: vars.CREDLESS_CONSOLE_SESSION_HOURS,
    throttle: vars.CREDLESS_THROTTLE
      ? {
          windowMs: vars.CREDLESS_THROTTLE_WINDOW_S * 1000,
          token: {
            perClient: vars.CREDLESS_THROTTLE_TOKEN_PER_CLIENT,
            perSource: vars.CREDLESS_THROTTLE_TOKEN_PER_SOURCE,
          },
          graph: {
            perClient: vars.CREDLESS_THROTTLE_GRAPH_PER_CLIENT,
            perSource: vars.CREDLESS_THROTTLE_GRAPH_PER_SOURCE,
          },
        }
      : undefined,
    logLevel: vars.CREDLESS_LOG_LEVEL,
    workers: vars.CREDLESS_WORKERS,
  };
}

/** Rules between settings, checked after overrides: [variable, what is wrong, holds]. */
const CONSISTENCY: Array<[string, string, (config: ServerConfig) => boolean]> = [
  [
    'CREDLESS_TOKEN_LIFETIME_MIN',
    'must not exceed CREDLESS_TOKEN_LIFETIME_MAX',
    ({ tokenLifetimeSeconds: lifetime }) => lifetime.min <= lifetime.max,
  ],
  // Verifiers cache a JWKS for up to a day: a new key must be published that long before it signs, and
  // an old one kept that long after its last token expires.
  [
    'CREDLESS_KEY_PREPUBLISH_DAYS',
    'must be shorter than CREDLESS_KEY_ROTATION_DAYS',
    ({ signingKeys: keys }) => keys.prepublishPeriodMs < keys.rotationPeriodMs,
  ],
  [
    'CREDLESS_KEY_RETENTION_DAYS',
    'must cover the longest token lifetime plus one day of verifier JWKS caching (use 2 or more)',
    (config) => config.signingKeys.retentionAfterRetireMs >= config.tokenLifetimeSeconds.max * 1000 + DAY_MS,
  ],
];

function checkConsistency(config: ServerConfig): void {
  const broken = CONSISTENCY.filter(([, , holds]) => !holds(config));
  if (broken.length > 0)
    throw new ConfigError(broken.map(([variable, problem]) => `${variable} ${problem}`).join('; '));
}
