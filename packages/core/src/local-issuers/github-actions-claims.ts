/**
 * Claims of a GitHub Actions OIDC token, for credless's emulated GitHub Actions issuer: the claim set
 * and `sub` formats of https://token.actions.githubusercontent.com. Pure: the job, times and ids come
 * from the caller.
 * @module
 */

/** What a job knows about itself (GitHub's `github` context); ids are decimal strings, as in the tokens. */
export interface GitHubActionsJob {
  /** `owner/name`. */
  repository: string;
  repositoryId: string;
  repositoryOwnerId: string;
  repositoryVisibility: 'public' | 'private' | 'internal';
  /** Full ref: refs/heads/<branch>, refs/tags/<tag>, refs/pull/<n>/merge. */
  ref: string;
  sha: string;
  /** Deployment environment of the job, when it has one (it then decides the subject). */
  environment?: string;
  /** push, pull_request, workflow_dispatch, … */
  eventName: string;
  actor: string;
  actorId: string;
  /** Workflow name. */
  workflow: string;
  /** `owner/name/.github/workflows/<file>@<ref>`. */
  workflowRef: string;
  workflowSha: string;
  /** Reusable workflow running the job; defaults to the workflow itself. */
  jobWorkflowRef?: string;
  jobWorkflowSha?: string;
  runId: string;
  runNumber: string;
  runAttempt: string;
  runnerEnvironment: 'github-hosted' | 'self-hosted';
  /** Pull requests only: target and source branches. */
  baseRef?: string;
  headRef?: string;
}

export type GitHubSubjectFormat = 'classic' | 'immutable';

export interface GitHubActionsTokenInput {
  /** The emulated issuer URL (`<base>/github-actions`). */
  issuer: string;
  job: GitHubActionsJob;
  /** Requested audience; GitHub's default is `https://github.com/<owner>`. */
  audience?: string;
  /** Epoch seconds. */
  issuedAt: number;
  jti: string;
  /** `immutable` = GitHub's newer `repo:<owner>@<id>/<name>@<id>:…` subjects. Default classic. */
  subjectFormat?: GitHubSubjectFormat;
}

/** GitHub's tokens live 5 minutes after iat and are valid from 10 minutes before it. */
export const GITHUB_ACTIONS_TOKEN_LIFETIME_SECONDS = 300;
export const GITHUB_ACTIONS_NOT_BEFORE_SKEW_SECONDS = 600;

const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
const DECIMAL = /^[0-9]{1,20}$/;

export function defaultGitHubAudience(repository: string): string {
  return `https://github.com/${repository.split('/')[0]}`;
}

/** `branch`, `tag`, or '' for other refs (pull request merge refs). */
export function githubRefType(ref: string): 'branch' | 'tag' | '' {
  if (ref.startsWith('refs/heads/')) return 'branch';
  if (ref.startsWith('refs/tags/')) return 'tag';
  return '';
}

/**
 * The subject, by GitHub's precedence: an environment wins, then pull_request events, then the ref.
 * Immutable form: `repo:<owner>@<owner id>/<name>@<repo id>:…`.
 */
export function githubActionsSubject(job: GitHubActionsJob, format: GitHubSubjectFormat = 'classic'): string {
  const [owner, name] = job.repository.split('/') as [string, string];
  const repo =
    format === 'immutable' ? `${owner}@${job.repositoryOwnerId}/${name}@${job.repositoryId}` : job.repository;
  if (job.environment) return `repo:${repo}:environment:${job.environment}`;
  if (job.eventName === 'pull_request') return `repo:${repo}:pull_request`;
  return `repo:${repo}:ref:${job.ref}`;
}

/** Why the job cannot be described by a token, or undefined when it can. */
export function checkGitHubActionsJob(job: GitHubActionsJob): string | undefined {
  if (!REPOSITORY.test(job.repository)) return `repository '${job.repository}' is not owner/name`;
  if (!job.ref.startsWith('refs/') || /\s/.test(job.ref))
    return `ref '${job.ref}' is not a full ref such as refs/heads/main or refs/tags/v1`;
  for (const [field, value] of Object.entries({
    repositoryId: job.repositoryId,
    repositoryOwnerId: job.repositoryOwnerId,
    actorId: job.actorId,
    runId: job.runId,
    runNumber: job.runNumber,
    runAttempt: job.runAttempt,
  })) {
    if (!DECIMAL.test(value)) return `${field} '${value}' is not a decimal id`;
  }
  if (job.environment !== undefined && (job.environment.length === 0 || job.environment.length > 255))
    return 'environment must be 1-255 characters';
  if (!job.eventName || !/^[a-z_]+$/.test(job.eventName))
    return `event '${job.eventName}' is not an event name`;
  return undefined;
}

/** The payload in GitHub's member order; ids stay strings, absent PR refs are empty strings as on GitHub. */
export function buildGitHubActionsClaims(input: GitHubActionsTokenInput): Record<string, unknown> {
  const { job } = input;
  const problem = checkGitHubActionsJob(job);
  if (problem) throw new Error(`invalid GitHub Actions job: ${problem}`);
  const owner = job.repository.split('/')[0] as string;
  return {
    jti: input.jti,
    sub: githubActionsSubject(job, input.subjectFormat),
    aud: input.audience ?? defaultGitHubAudience(job.repository),
    ref: job.ref,
    sha: job.sha,
    repository: job.repository,
    repository_owner: owner,
    repository_owner_id: job.repositoryOwnerId,
    run_id: job.runId,
    run_number: job.runNumber,
    run_attempt: job.runAttempt,
    repository_visibility: job.repositoryVisibility,
    repository_id: job.repositoryId,
    actor_id: job.actorId,
    actor: job.actor,
    workflow: job.workflow,
    head_ref: job.headRef ?? '',
    base_ref: job.baseRef ?? '',
    event_name: job.eventName,
    ref_type: githubRefType(job.ref),
    ...(job.environment ? { environment: job.environment } : {}),
    workflow_ref: job.workflowRef,
    workflow_sha: job.workflowSha,
    job_workflow_ref: job.jobWorkflowRef ?? job.workflowRef,
    job_workflow_sha: job.jobWorkflowSha ?? job.workflowSha,
    runner_environment: job.runnerEnvironment,
    iss: input.issuer,
    nbf: input.issuedAt - GITHUB_ACTIONS_NOT_BEFORE_SKEW_SECONDS,
    exp: input.issuedAt + GITHUB_ACTIONS_TOKEN_LIFETIME_SECONDS,
    iat: input.issuedAt,
  };
}
