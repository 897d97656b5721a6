/**
 * Server configuration: parsed once, from the environment plus explicit overrides (CLI flags), and
 * validated before anything starts. Every setting has a documented default.
 * @module
 */
import { resolve } from 'node:path';
import { isLogLevel, LOG_LEVELS, type LogLevel } from '@credless/common';
import {
  DEFAULT_CLOCK_SKEW_SECONDS,
  DEFAULT_FIC_LIMIT_PER_APP,
  DEFAULT_MAX_ASSERTION_LENGTH,
} from '@credless/core';

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
  /** Serve plain HTTP (only behind a TLS-terminating proxy). `CREDLESS_INSECURE_HTTP=true`. */
  insecureHttp: boolean;
  /** Key-encryption key (base64, 32 bytes). `CREDLESS_KEK`; default: `<dataDir>/kek` (0600). */
  kek: string | undefined;
  /** Default tenant created on first start. */
  defaultTenant: { domain: string; displayName: string };
  /** Randomized access-token lifetime. `CREDLESS_TOKEN_LIFETIME_MIN/MAX` seconds, default 3600–5400. */
  tokenLifetimeSeconds: { min: number; max: number };
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
  logLevel: LogLevel;
  /**
   * Public base URL of the Graph-compatible API (served under /v1.0), as printed and used in
   * `@odata.context`. `CREDLESS_GRAPH_BASE_URL`, default `<public URL>/v1.0`.
   */
  graphBaseUrl?: string | undefined;
}

export type ConfigOverrides = Partial<ServerConfig>;

const DAY_MS = 24 * 60 * 60 * 1000;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max} (got '${raw}')`);
  }
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(`${name} must be true or false (got '${env[name]}')`);
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: ConfigOverrides = {},
): ServerConfig {
  const logLevel = env['CREDLESS_LOG_LEVEL'] ?? 'info';
  if (!isLogLevel(logLevel))
    throw new ConfigError(`CREDLESS_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const ficLimitRaw = env['CREDLESS_FIC_LIMIT'];
  const ficLimitPerApp =
    ficLimitRaw === 'none'
      ? null
      : integer(env, 'CREDLESS_FIC_LIMIT', DEFAULT_FIC_LIMIT_PER_APP, 1, 10_000_000);

  const config: ServerConfig = {
    dataDir: resolve(env['CREDLESS_DATA_DIR'] || '.credless'),
    databaseUrl: env['CREDLESS_DATABASE_URL'] || undefined,
    host: env['CREDLESS_HOST'] || 'localhost',
    port: integer(env, 'CREDLESS_PORT', 8443, 0, 65535),
    publicUrl: env['CREDLESS_PUBLIC_URL'] || undefined,
    hostnames: (env['CREDLESS_HOSTNAMES'] ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
    insecureHttp: flag(env, 'CREDLESS_INSECURE_HTTP'),
    kek: env['CREDLESS_KEK'] || undefined,
    defaultTenant: {
      domain: env['CREDLESS_TENANT_DOMAIN'] || 'credless.local',
      displayName: env['CREDLESS_ORGANIZATION_NAME'] || 'Credless Local',
    },
    tokenLifetimeSeconds: {
      min: integer(env, 'CREDLESS_TOKEN_LIFETIME_MIN', 3600, 300, 86400),
      max: integer(env, 'CREDLESS_TOKEN_LIFETIME_MAX', 5400, 300, 86400),
    },
    ficLimitPerApp,
    maxAssertionLength: integer(
      env,
      'CREDLESS_MAX_ASSERTION_LENGTH',
      DEFAULT_MAX_ASSERTION_LENGTH,
      1024,
      1024 * 1024,
    ),
    clockSkewSeconds: integer(env, 'CREDLESS_CLOCK_SKEW_SECONDS', DEFAULT_CLOCK_SKEW_SECONDS, 0, 600),
    issuerFetch: {
      timeoutMs: integer(env, 'CREDLESS_ISSUER_FETCH_TIMEOUT_MS', 5000, 100, 60_000),
      maxBytes: integer(env, 'CREDLESS_ISSUER_FETCH_MAX_BYTES', 256 * 1024, 1024, 16 * 1024 * 1024),
      refetchCooldownMs: integer(env, 'CREDLESS_ISSUER_REFETCH_COOLDOWN_MS', 30_000, 0, 3_600_000),
      maxAgeMs: integer(env, 'CREDLESS_ISSUER_KEYS_MAX_AGE_MS', 10 * 60_000, 1000, DAY_MS),
      allowPrivateNetworks: flag(env, 'CREDLESS_ISSUER_ALLOW_PRIVATE_NETWORKS'),
      caFile: env['CREDLESS_ISSUER_CA_FILE'] || undefined,
    },
    signingKeys: {
      rotationPeriodMs: integer(env, 'CREDLESS_KEY_ROTATION_DAYS', 30, 1, 3650) * DAY_MS,
      prepublishPeriodMs: integer(env, 'CREDLESS_KEY_PREPUBLISH_DAYS', 2, 1, 365) * DAY_MS,
      retentionAfterRetireMs: integer(env, 'CREDLESS_KEY_RETENTION_DAYS', 2, 1, 365) * DAY_MS,
    },
    directoryPollMs: integer(env, 'CREDLESS_DIRECTORY_POLL_MS', 500, 50, 60_000),
    directoryMaxStalenessMs: integer(env, 'CREDLESS_DIRECTORY_MAX_STALENESS_S', 900, 1, DAY_MS / 1000) * 1000,
    signInLog: {
      // On unless explicitly turned off.
      enabled: (env['CREDLESS_SIGNIN_LOG'] ?? '') === '' || flag(env, 'CREDLESS_SIGNIN_LOG'),
      retentionDays: integer(env, 'CREDLESS_SIGNIN_RETENTION_DAYS', 30, 1, 3650),
    },
    adminBootstrap: (env['CREDLESS_ADMIN_BOOTSTRAP'] ?? '') === '' || flag(env, 'CREDLESS_ADMIN_BOOTSTRAP'),
    logLevel,
    graphBaseUrl: env['CREDLESS_GRAPH_BASE_URL'] || undefined,
    ...overrides,
  };
  if (config.graphBaseUrl !== undefined) {
    if (!URL.canParse(config.graphBaseUrl)) {
      throw new ConfigError(`CREDLESS_GRAPH_BASE_URL '${config.graphBaseUrl}' is not a URL`);
    }
    config.graphBaseUrl = config.graphBaseUrl.replace(/\/+$/, '');
  }
  if (config.tokenLifetimeSeconds.min > config.tokenLifetimeSeconds.max) {
    throw new ConfigError('CREDLESS_TOKEN_LIFETIME_MIN must not exceed CREDLESS_TOKEN_LIFETIME_MAX');
  }
  // Verifiers cache a JWKS for up to a day: a new key must be published that long before it signs, and
  // an old one kept that long after its last token expires.
  const keys = config.signingKeys;
  if (keys.prepublishPeriodMs >= keys.rotationPeriodMs) {
    throw new ConfigError('CREDLESS_KEY_PREPUBLISH_DAYS must be shorter than CREDLESS_KEY_ROTATION_DAYS');
  }
  if (keys.retentionAfterRetireMs < config.tokenLifetimeSeconds.max * 1000 + DAY_MS) {
    throw new ConfigError(
      'CREDLESS_KEY_RETENTION_DAYS must cover the longest token lifetime plus one day of verifier JWKS caching (use 2 or more)',
    );
  }
  if (config.publicUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(config.publicUrl);
    } catch {
      throw new ConfigError(`CREDLESS_PUBLIC_URL '${config.publicUrl}' is not a URL`);
    }
    if (url.pathname !== '/' || url.search || url.hash) {
      throw new ConfigError(
        'CREDLESS_PUBLIC_URL must be an origin such as https://sts.example.com:8443 (no path)',
      );
    }
    config.publicUrl = url.origin;
  }
  return config;
}
