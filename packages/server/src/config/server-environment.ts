/**
 * The server's environment variables: name, format, range, default and documentation, in the order
 * of the README's table. config.ts turns the parsed values into a ServerConfig.
 * @module
 */
import {
  choiceVariable,
  flagVariable,
  integerVariable,
  LOG_LEVELS,
  limitVariable,
  listVariable,
  stringVariable,
  stringVariableWithDefault,
  urlVariable,
} from '@credless/common';
import {
  DEFAULT_CLOCK_SKEW_SECONDS,
  DEFAULT_FIC_LIMIT_PER_APP,
  DEFAULT_MAX_ASSERTION_LENGTH,
} from '@credless/core';
import { z } from 'zod';

const DAY_SECONDS = 24 * 60 * 60;

const throttleLimit = (fallback: number, counted: string) =>
  integerVariable({
    default: fallback,
    min: 1,
    max: 1_000_000,
    description: `with CREDLESS_THROTTLE: ${counted}`,
  });

/** Where the CLI's offline commands find the directory: the server's storage variables, nothing else. */
export const storageVariables = {
  CREDLESS_DATA_DIR: stringVariableWithDefault({
    default: './.credless',
    flags: ['--data-dir'],
    description: 'SQLite file, TLS material, key-encryption key, the local administrator key',
  }),
  CREDLESS_DATABASE_URL: stringVariable({
    flags: ['--database-url'],
    secret: true,
    description: 'PostgreSQL URL, instead of SQLite in the data directory',
  }),
  CREDLESS_KEK: stringVariable({
    shown: '<data dir>/kek',
    secret: true,
    description: 'key-encryption key for signing keys at rest (base64, 32 bytes); the default file is 0600',
  }),
  CREDLESS_TENANT_DOMAIN: stringVariableWithDefault({
    default: 'credless.local',
    description: 'domain of the default tenant created on first start',
  }),
  CREDLESS_ORGANIZATION_NAME: stringVariableWithDefault({
    default: 'Credless Local',
    description: 'display name of the default tenant',
  }),
  CREDLESS_FIC_LIMIT: limitVariable({
    default: DEFAULT_FIC_LIMIT_PER_APP,
    min: 1,
    max: 10_000_000,
    description: 'federated credentials per application',
  }),
};

/** Where the local server answers: what `credless login` and the kubeconfig of a local cluster need. */
export const addressVariables = {
  CREDLESS_HOST: stringVariableWithDefault({
    default: 'localhost',
    flags: ['--host'],
    description: 'listen address; `localhost` listens on both 127.0.0.1 and ::1',
  }),
  CREDLESS_PORT: integerVariable({
    default: 8443,
    min: 0,
    max: 65535,
    flags: ['--port'],
    description: 'listen port; 0 picks a free one',
  }),
  CREDLESS_PUBLIC_URL: urlVariable({
    origin: true,
    shown: 'https://localhost:<port>',
    flags: ['--public-url'],
    description: 'authority host clients use, an origin without path (issuer URLs derive from it)',
  }),
  CREDLESS_INSECURE_HTTP: flagVariable({
    default: false,
    flags: ['--insecure-http'],
    description: 'plain HTTP, only behind a TLS-terminating proxy',
  }),
  CREDLESS_GRAPH_BASE_URL: urlVariable({
    origin: false,
    shown: '<public URL>/v1.0',
    description: 'base URL of the Graph-compatible API as printed and used in `@odata.context`',
  }),
};

export const serverEnvironment = z.object({
  ...storageVariables,
  ...addressVariables,
  CREDLESS_HOSTNAMES: listVariable({
    flags: ['--hostname'],
    description: 'extra DNS names in the server certificate, comma-separated',
  }),
  CREDLESS_ARM_HOSTNAMES: listVariable({
    description:
      'host names served as Azure Resource Manager besides `management.azure.com`, comma-separated',
  }),
  CREDLESS_TOKEN_LIFETIME_MIN: integerVariable({
    default: 3600,
    min: 300,
    max: DAY_SECONDS,
    description: 'shortest access-token lifetime in seconds; each token gets a random one up to the maximum',
  }),
  CREDLESS_TOKEN_LIFETIME_MAX: integerVariable({
    default: 5400,
    min: 300,
    max: DAY_SECONDS,
    description: 'longest access-token lifetime in seconds',
  }),
  CREDLESS_TOKEN_REUSE_WINDOW_SECONDS: integerVariable({
    default: 0,
    min: 0,
    max: 60,
    description:
      'opt-in: identical federated exchanges (same client, resource, credential, subject, roles) within this many seconds get the same access token, each still verified and logged; any directory change ends it; 0 = off',
  }),
  CREDLESS_MAX_ASSERTION_LENGTH: integerVariable({
    default: DEFAULT_MAX_ASSERTION_LENGTH,
    min: 1024,
    max: 1024 * 1024,
    description: 'longest client assertion accepted, in characters',
  }),
  CREDLESS_CLOCK_SKEW_SECONDS: integerVariable({
    default: DEFAULT_CLOCK_SKEW_SECONDS,
    min: 0,
    max: 600,
    description: 'tolerance on assertion `exp`/`nbf`/`iat`, in seconds',
  }),
  CREDLESS_ISSUER_FETCH_TIMEOUT_MS: integerVariable({
    default: 5000,
    min: 100,
    max: 60_000,
    description: "time limit on fetching an issuer's discovery document or JWKS",
  }),
  CREDLESS_ISSUER_FETCH_MAX_BYTES: integerVariable({
    default: 256 * 1024,
    min: 1024,
    max: 16 * 1024 * 1024,
    description: "size limit on an issuer's discovery document or JWKS",
  }),
  CREDLESS_ISSUER_REFETCH_COOLDOWN_MS: integerVariable({
    default: 30_000,
    min: 0,
    max: 3_600_000,
    description: "least time between two fetches of an issuer's keys for an unknown `kid`",
  }),
  CREDLESS_ISSUER_KEYS_MAX_AGE_MS: integerVariable({
    default: 10 * 60_000,
    min: 1000,
    max: DAY_SECONDS * 1000,
    description: "how long an issuer's fetched keys are used before fetching them again",
  }),
  CREDLESS_ISSUER_ALLOW_PRIVATE_NETWORKS: flagVariable({
    default: false,
    description:
      'let issuers live on loopback or private addresses (self-managed clusters); cloud metadata and link-local addresses stay blocked',
  }),
  CREDLESS_ISSUER_CA_FILE: stringVariable({
    description: 'extra CA certificates (PEM file) trusted for issuers, besides the system roots',
  }),
  CREDLESS_KEY_ROTATION_DAYS: integerVariable({
    default: 30,
    min: 1,
    max: 3650,
    description: 'days a signing key signs before the next one takes over',
  }),
  CREDLESS_KEY_PREPUBLISH_DAYS: integerVariable({
    default: 2,
    min: 1,
    max: 365,
    description: 'days a new signing key is published before it signs; shorter than the rotation',
  }),
  CREDLESS_KEY_RETENTION_DAYS: integerVariable({
    default: 2,
    min: 1,
    max: 365,
    description: 'days a retired signing key stays published; at least the longest token lifetime plus a day',
  }),
  CREDLESS_DIRECTORY_POLL_MS: integerVariable({
    default: 500,
    min: 50,
    max: 60_000,
    description: 'how often to look for directory changes made by other processes',
  }),
  CREDLESS_DIRECTORY_MAX_STALENESS_S: integerVariable({
    default: 900,
    min: 1,
    max: DAY_SECONDS,
    description:
      'while the database is unreachable, the token endpoint keeps issuing from memory this long, then fails closed with 503 AADSTS90033',
  }),
  CREDLESS_SIGNIN_LOG: flagVariable({
    default: true,
    description: 'record one sign-in log per token exchange',
  }),
  CREDLESS_SIGNIN_RETENTION_DAYS: integerVariable({
    default: 30,
    min: 1,
    max: 3650,
    description: 'days sign-in logs are kept',
  }),
  CREDLESS_ADMIN_BOOTSTRAP: flagVariable({
    default: true,
    description:
      'create the local administrator identity (a key pair in the data directory) on start; off for replicas with throw-away data directories',
  }),
  CREDLESS_CONSOLE_SESSION_HOURS: integerVariable({
    default: 8,
    min: 1,
    max: 720,
    description:
      'hours a web console session lasts after its sign-in link is used (`credless console` prints one)',
  }),
  CREDLESS_THROTTLE: flagVariable({
    default: false,
    description:
      'throttle the token endpoint (429, AADSTS50196) and the Graph API (429 TooManyRequests) per client and per source address, with `Retry-After`',
  }),
  CREDLESS_THROTTLE_WINDOW_S: integerVariable({
    default: 60,
    min: 1,
    max: 3600,
    description: 'length of the throttling window in seconds; the limits below count requests per window',
  }),
  CREDLESS_THROTTLE_TOKEN_PER_CLIENT: throttleLimit(300, 'token requests per window for one client_id'),
  CREDLESS_THROTTLE_TOKEN_PER_SOURCE: throttleLimit(3000, 'token requests per window from one address'),
  CREDLESS_THROTTLE_GRAPH_PER_CLIENT: throttleLimit(1200, 'Graph requests per window for one application'),
  CREDLESS_THROTTLE_GRAPH_PER_SOURCE: throttleLimit(3000, 'Graph requests per window from one address'),
  CREDLESS_WORKERS: integerVariable({
    default: 0,
    min: 0,
    max: 256,
    shown: '0 (automatic)',
    flags: ['--workers'],
    description:
      '`credless up`: processes serving the token endpoint and Graph API on one shared port; 0 = one per CPU with PostgreSQL, 1 with the embedded SQLite store',
  }),
  CREDLESS_LOG_LEVEL: choiceVariable(LOG_LEVELS, {
    default: 'info',
    description: 'pino level; logs are JSON and never contain tokens',
  }),
});

export type ServerEnvironment = z.output<typeof serverEnvironment>;
