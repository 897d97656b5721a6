/**
 * Emulated GitHub Actions jobs: a job description with GitHub-like defaults, and the request token
 * (`ACTIONS_ID_TOKEN_REQUEST_TOKEN`) that lets the job fetch OIDC tokens for itself. The request token
 * is an HS256 JWT under a key derived from the key-encryption key, so only holders of the KEK (the
 * server and `credless ci env` on the same data directory) can mint it, and it can never pass as a
 * client assertion at the token endpoint (which accepts asymmetric signatures only).
 * @module
 */
import { createHash, hkdfSync, randomUUID } from 'node:crypto';
import {
  CredlessError,
  checkGitHubActionsJob,
  type GitHubActionsJob,
  type GitHubSubjectFormat,
  githubRefType,
} from '@credless/core';
import { jwtVerify, SignJWT } from 'jose';

const GRANT_TYPE = 'credless-actions-request+jwt';
const GRANT_ISSUER = 'credless:github-actions:runner';
const GRANT_AUDIENCE = 'credless:github-actions:token';
/** GitHub jobs run for at most 6 hours; the default grant is shorter. */
export const REQUEST_TOKEN_DEFAULT_SECONDS = 3600;
export const REQUEST_TOKEN_MAX_SECONDS = 6 * 3600;

/** What `credless ci env` is told about the job; the rest gets GitHub-like defaults. */
export interface GitHubActionsJobOptions {
  repository: string;
  /** Full ref, or a bare branch name (taken as refs/heads/<name>). */
  ref: string;
  environment?: string;
  event?: string;
  sha?: string;
  actor?: string;
  workflow?: string;
  runId?: string;
  runNumber?: string;
  runAttempt?: string;
  headRef?: string;
  baseRef?: string;
  visibility?: GitHubActionsJob['repositoryVisibility'];
}

/** A stable decimal id for a name, so the same repository keeps its ids from run to run. */
function stableId(kind: string, name: string): string {
  const digest = createHash('sha256').update(`${kind}:${name.toLowerCase()}`).digest();
  // 9 digits, like GitHub's repository and user ids; never starting with 0.
  return String(100_000_000 + (digest.readUInt32BE(0) % 900_000_000));
}

export function gitHubActionsJob(
  options: GitHubActionsJobOptions,
  now: number = Date.now(),
): GitHubActionsJob {
  const repository = options.repository;
  const owner = repository.split('/')[0] ?? '';
  const ref = options.ref.startsWith('refs/') ? options.ref : `refs/heads/${options.ref}`;
  const sha = options.sha ?? createHash('sha1').update(`${repository}@${ref}`).digest('hex');
  const workflowFile = (options.workflow ?? 'ci').toLowerCase().replace(/[^a-z0-9._-]+/g, '-');
  const workflowRef = `${repository}/.github/workflows/${workflowFile}.yml@${ref}`;
  const actor = options.actor ?? owner;
  const job: GitHubActionsJob = {
    repository,
    repositoryId: stableId('repository', repository),
    repositoryOwnerId: stableId('owner', owner),
    repositoryVisibility: options.visibility ?? 'private',
    ref,
    sha,
    ...(options.environment ? { environment: options.environment } : {}),
    eventName: options.event ?? 'push',
    actor,
    actorId: stableId('user', actor),
    workflow: options.workflow ?? 'CI',
    workflowRef,
    workflowSha: sha,
    runId: options.runId ?? String(Math.floor(now / 1000)),
    runNumber: options.runNumber ?? '1',
    runAttempt: options.runAttempt ?? '1',
    runnerEnvironment: 'github-hosted',
    ...(options.headRef ? { headRef: options.headRef } : {}),
    ...(options.baseRef ? { baseRef: options.baseRef } : {}),
  };
  const problem = checkGitHubActionsJob(job);
  if (problem) throw new CredlessError('invalid_value', { field: 'job', reason: problem });
  return job;
}

/** The variables GitHub sets in a job (those a workload or action reads), without the request URL/token. */
export function gitHubActionsJobVariables(job: GitHubActionsJob): Record<string, string> {
  const refType = githubRefType(job.ref);
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: job.repository,
    GITHUB_REPOSITORY_ID: job.repositoryId,
    GITHUB_REPOSITORY_OWNER: job.repository.split('/')[0] ?? '',
    GITHUB_REPOSITORY_OWNER_ID: job.repositoryOwnerId,
    GITHUB_REF: job.ref,
    GITHUB_REF_NAME: job.ref.replace(/^refs\/(heads|tags)\//, ''),
    GITHUB_REF_TYPE: refType,
    GITHUB_SHA: job.sha,
    GITHUB_EVENT_NAME: job.eventName,
    GITHUB_ACTOR: job.actor,
    GITHUB_ACTOR_ID: job.actorId,
    GITHUB_TRIGGERING_ACTOR: job.actor,
    GITHUB_WORKFLOW: job.workflow,
    GITHUB_WORKFLOW_REF: job.workflowRef,
    GITHUB_WORKFLOW_SHA: job.workflowSha,
    GITHUB_RUN_ID: job.runId,
    GITHUB_RUN_NUMBER: job.runNumber,
    GITHUB_RUN_ATTEMPT: job.runAttempt,
    GITHUB_HEAD_REF: job.headRef ?? '',
    GITHUB_BASE_REF: job.baseRef ?? '',
    RUNNER_ENVIRONMENT: job.runnerEnvironment,
  };
}

/** A key for request tokens only, derived from the KEK (never the KEK itself). */
function grantKey(kek: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', kek, 'credless', 'github-actions request token v1', 32));
}

export interface ActionsRequestGrant {
  job: GitHubActionsJob;
  subjectFormat: GitHubSubjectFormat;
}

/** Mints ACTIONS_ID_TOKEN_REQUEST_TOKEN for the job (a secret: print it only where the job reads it). */
export async function mintActionsRequestToken(options: {
  kek: Uint8Array;
  job: GitHubActionsJob;
  subjectFormat?: GitHubSubjectFormat;
  lifetimeSeconds?: number;
  now?: number;
}): Promise<string> {
  const lifetime = options.lifetimeSeconds ?? REQUEST_TOKEN_DEFAULT_SECONDS;
  if (!Number.isInteger(lifetime) || lifetime < 60 || lifetime > REQUEST_TOKEN_MAX_SECONDS) {
    throw new CredlessError('invalid_value', {
      field: 'lifetime',
      reason: `must be 60-${REQUEST_TOKEN_MAX_SECONDS} seconds`,
    });
  }
  const issuedAt = Math.floor((options.now ?? Date.now()) / 1000);
  return new SignJWT({ job: options.job, subject_format: options.subjectFormat ?? 'classic' })
    .setProtectedHeader({ alg: 'HS256', typ: GRANT_TYPE })
    .setIssuer(GRANT_ISSUER)
    .setAudience(GRANT_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(issuedAt + lifetime)
    .setJti(randomUUID())
    .sign(grantKey(options.kek));
}

/** Verifies a request token; any failure is `actions_request_token_invalid` (no detail about why). */
export async function verifyActionsRequestToken(
  token: string,
  kek: Uint8Array,
  now: number,
): Promise<ActionsRequestGrant> {
  try {
    const { payload } = await jwtVerify(token, grantKey(kek), {
      algorithms: ['HS256'],
      typ: GRANT_TYPE,
      issuer: GRANT_ISSUER,
      audience: GRANT_AUDIENCE,
      currentDate: new Date(now),
      clockTolerance: 30,
      requiredClaims: ['exp', 'iat', 'jti'],
    });
    const job = payload['job'] as GitHubActionsJob;
    const format = payload['subject_format'] === 'immutable' ? 'immutable' : 'classic';
    if (typeof job !== 'object' || job === null || checkGitHubActionsJob(job)) throw new Error('bad job');
    return { job, subjectFormat: format };
  } catch {
    throw new CredlessError('actions_request_token_invalid');
  }
}
