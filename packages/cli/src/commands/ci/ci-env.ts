/**
 * `credless ci env --repo org/repo --ref …`: the variables a GitHub Actions job would have, with
 * ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN pointing at credless's emulated GitHub Actions issuer, so
 * `@actions/core` getIDToken(), azure/login and the seed's curl work unchanged. The request token
 * is a credential: it goes to standard output only, never to a log.
 * @module
 */
import {
  caTrustHint,
  DEFAULT_FEDERATION_AUDIENCE,
  githubActionsIssuerUrl,
  LOCAL_CA_FILE,
} from '@credless/core';
import type { GitHubActionsJobOptions } from '@credless/platforms';
import { UsageError } from '../../exit-codes.ts';
import { localPlatforms } from '../../platforms.ts';

export const CI_ENV_FORMATS = ['shell', 'github-env', 'json'] as const;
export type CiEnvFormat = (typeof CI_ENV_FORMATS)[number];

export interface CiEnvOptions extends Omit<GitHubActionsJobOptions, 'repository'> {
  repo: string;
  format?: string;
  /** `immutable`: GitHub's `repo:<owner>@<id>/<name>@<id>:…` subjects. */
  subjectFormat?: string;
  /** Seconds the request token stays valid (default 3600, at most 6 h, a job's limit). */
  lifetime?: string | number;
}

export interface CiEnvContext {
  kek: Uint8Array;
  /** credless's public base URL. */
  baseUrl: string;
  /** credless's local CA file, named in the curl hint (default: the placeholder `<data dir>/tls/ca.crt`). */
  caFile?: string;
  now?: number;
}

/** The job's variables, the request URL and token included, in insertion order. */
export async function ciEnvVariables(
  ctx: CiEnvContext,
  options: CiEnvOptions,
): Promise<Record<string, string>> {
  const subjectFormat = options.subjectFormat ?? 'classic';
  if (subjectFormat !== 'classic' && subjectFormat !== 'immutable') {
    throw new UsageError(`--subject-format: '${subjectFormat}' is not classic or immutable`);
  }
  const lifetime = options.lifetime === undefined ? undefined : Number(options.lifetime);
  if (lifetime !== undefined && !Number.isInteger(lifetime)) {
    throw new UsageError(`--lifetime: '${options.lifetime}' is not a whole number of seconds`);
  }
  const jobOptions: GitHubActionsJobOptions = { repository: options.repo, ref: options.ref };
  for (const key of JOB_OPTION_KEYS) {
    const value = options[key];
    if (typeof value === 'string' && value !== '') Object.assign(jobOptions, { [key]: value });
  }
  const { gitHubActionsJob, gitHubActionsJobVariables, mintActionsRequestToken } = await localPlatforms();
  const job = gitHubActionsJob(jobOptions, ctx.now);
  const requestToken = await mintActionsRequestToken({
    kek: ctx.kek,
    job,
    subjectFormat,
    ...(lifetime !== undefined ? { lifetimeSeconds: lifetime } : {}),
    ...(ctx.now !== undefined ? { now: ctx.now } : {}),
  });
  return {
    // GitHub's URL already has a query string; clients append `&audience=…`.
    ACTIONS_ID_TOKEN_REQUEST_URL: `${githubActionsIssuerUrl(ctx.baseUrl)}/token?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
    ...gitHubActionsJobVariables(job),
  };
}

const JOB_OPTION_KEYS = [
  'environment',
  'event',
  'sha',
  'actor',
  'workflow',
  'runId',
  'runNumber',
  'runAttempt',
  'headRef',
  'baseRef',
  'visibility',
] as const satisfies ReadonlyArray<keyof GitHubActionsJobOptions>;

const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** shell: `export NAME='value'` (eval-able); github-env: `NAME=value` ($GITHUB_ENV); json: an object. */
export function formatCiEnv(variables: Record<string, string>, format: string = 'shell'): string {
  if (format === 'json') return `${JSON.stringify(variables, null, 2)}\n`;
  if (format === 'github-env') {
    for (const [name, value] of Object.entries(variables)) {
      if (/[\r\n]/.test(value)) throw new UsageError(`${name} holds a line break; use --format json`);
    }
    return Object.entries(variables)
      .map(([name, value]) => `${name}=${value}\n`)
      .join('');
  }
  if (format === 'shell') {
    return Object.entries(variables)
      .map(([name, value]) => `export ${name}=${shellQuote(value)}\n`)
      .join('');
  }
  throw new UsageError(`--format: '${format}' is not one of ${CI_ENV_FORMATS.join(', ')}`);
}

/**
 * The request a job's step makes for its ID token, as curl (the README shows the same line). The URL is
 * credless's HTTPS, signed by its local CA: curl verifies it with --cacert.
 */
export function actionsTokenCurl(caFile: string = LOCAL_CA_FILE): string {
  return (
    `curl -sS --cacert ${caFile} -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" ` +
    `"$ACTIONS_ID_TOKEN_REQUEST_URL&audience=${DEFAULT_FEDERATION_AUDIENCE}"`
  );
}

export async function ciEnv(ctx: CiEnvContext, options: CiEnvOptions): Promise<string> {
  // The format is checked before a token is minted.
  if (!(CI_ENV_FORMATS as readonly string[]).includes(options.format ?? 'shell')) {
    throw new UsageError(`--format: '${options.format}' is not one of ${CI_ENV_FORMATS.join(', ')}`);
  }
  const text = formatCiEnv(await ciEnvVariables(ctx, options), options.format);
  // Shell output only (comments are harmless under eval; github-env and json carry data alone).
  if ((options.format ?? 'shell') !== 'shell' || !ctx.baseUrl.startsWith('https:')) return text;
  return `${text}# The request URL is credless's HTTPS: ${caTrustHint(ctx.caFile)}. The token, e.g.:\n# ${actionsTokenCurl(ctx.caFile)}\n`;
}
