/**
 * The subject GitHub Actions puts in its OIDC tokens for each entity the portal's scenario picker
 * offers, and the way back (to edit a credential with the picker). Pure.
 * @module
 */

export type GitHubEntity = 'environment' | 'branch' | 'pull_request' | 'tag';

export interface GitHubScenario {
  organization: string;
  repository: string;
  entity: GitHubEntity;
  /** Environment, branch or tag name; ignored for pull requests. */
  value: string;
}

export const GITHUB_ENTITIES: Array<{ value: GitHubEntity; label: string }> = [
  { value: 'environment', label: 'Environment' },
  { value: 'branch', label: 'Branch' },
  { value: 'pull_request', label: 'Pull request' },
  { value: 'tag', label: 'Tag' },
];

/** `repo:org/repo:environment:prod`, `repo:org/repo:ref:refs/heads/main`, `…:pull_request`, `…:ref:refs/tags/v1`. */
export function gitHubSubject(scenario: GitHubScenario): string {
  const repo = `repo:${scenario.organization}/${scenario.repository}`;
  switch (scenario.entity) {
    case 'environment':
      return `${repo}:environment:${scenario.value}`;
    case 'branch':
      return `${repo}:ref:refs/heads/${scenario.value}`;
    case 'tag':
      return `${repo}:ref:refs/tags/${scenario.value}`;
    case 'pull_request':
      return `${repo}:pull_request`;
  }
}

/** The scenario a subject was made from, or undefined for a subject the picker does not make. */
export function parseGitHubSubject(subject: string): GitHubScenario | undefined {
  const match = /^repo:([^/:]+)\/([^:]+):(.+)$/.exec(subject);
  if (!match) return undefined;
  const [, organization = '', repository = '', rest = ''] = match;
  const base = { organization, repository };
  if (rest === 'pull_request') return { ...base, entity: 'pull_request', value: '' };
  if (rest.startsWith('environment:')) return { ...base, entity: 'environment', value: rest.slice(12) };
  if (rest.startsWith('ref:refs/heads/')) return { ...base, entity: 'branch', value: rest.slice(15) };
  if (rest.startsWith('ref:refs/tags/')) return { ...base, entity: 'tag', value: rest.slice(14) };
  return undefined;
}

/** `system:serviceaccount:<namespace>:<name>`, the subject of a Kubernetes service account token. */
export const kubernetesSubject = (namespace: string, serviceAccount: string) =>
  `system:serviceaccount:${namespace}:${serviceAccount}`;

export function parseKubernetesSubject(
  subject: string,
): { namespace: string; serviceAccount: string } | undefined {
  const match = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(subject);
  return match ? { namespace: match[1] as string, serviceAccount: match[2] as string } : undefined;
}

/** The issuer of GitHub Actions tokens on github.com. */
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
/** The audience Entra recommends for workload identity federation. */
export const DEFAULT_AUDIENCE = 'api://AzureADTokenExchange';
