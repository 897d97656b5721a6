/**
 * The federated credential form's state for each scenario of the portal's picker, and the Graph body
 * it becomes (the subject is built from the picker's fields). Pure.
 * @module
 */

import {
  DEFAULT_AUDIENCE,
  GITHUB_ISSUER,
  type GitHubEntity,
  gitHubSubject,
  kubernetesSubject,
  parseGitHubSubject,
  parseKubernetesSubject,
} from '../../api/github-subject.ts';
import type { FederatedCredential } from '../../api/types.ts';

export type Scenario = 'github' | 'kubernetes' | 'other';

export interface CredentialFormState {
  scenario: Scenario;
  name: string;
  description: string;
  audience: string;
  issuer: string;
  // GitHub Actions
  organization: string;
  repository: string;
  entity: GitHubEntity;
  entityValue: string;
  // Kubernetes
  namespace: string;
  serviceAccount: string;
  // Other issuer
  matchBy: 'subject' | 'expression';
  subject: string;
  expression: string;
}

export const emptyCredentialForm = (scenario: Scenario = 'github'): CredentialFormState => ({
  scenario,
  name: '',
  description: '',
  audience: DEFAULT_AUDIENCE,
  issuer: scenario === 'github' ? GITHUB_ISSUER : '',
  organization: '',
  repository: '',
  entity: 'environment',
  entityValue: '',
  namespace: '',
  serviceAccount: '',
  matchBy: 'subject',
  subject: '',
  expression: '',
});

/** The subject the form's fields make (empty for expression credentials). */
export function subjectOf(form: CredentialFormState): string {
  if (form.scenario === 'github')
    return gitHubSubject({
      organization: form.organization,
      repository: form.repository,
      entity: form.entity,
      value: form.entityValue,
    });
  if (form.scenario === 'kubernetes') return kubernetesSubject(form.namespace, form.serviceAccount);
  return form.matchBy === 'subject' ? form.subject : '';
}

/** The Graph body for create (POST) or update (PATCH). */
export function credentialBody(form: CredentialFormState) {
  const expression = form.scenario === 'other' && form.matchBy === 'expression';
  return {
    name: form.name,
    issuer: form.issuer,
    audiences: [form.audience],
    description: form.description || null,
    ...(expression
      ? { subject: null, claimsMatchingExpression: { value: form.expression, languageVersion: 1 } }
      : { subject: subjectOf(form), claimsMatchingExpression: null }),
  };
}

/** The form for editing an existing credential, in the scenario its subject comes from. */
export function formOf(credential: FederatedCredential): CredentialFormState {
  const base = {
    ...emptyCredentialForm('other'),
    name: credential.name,
    description: credential.description ?? '',
    audience: credential.audiences[0] ?? DEFAULT_AUDIENCE,
    issuer: credential.issuer,
  };
  if (credential.claimsMatchingExpression)
    return { ...base, matchBy: 'expression', expression: credential.claimsMatchingExpression.value };
  const subject = credential.subject ?? '';
  const github = parseGitHubSubject(subject);
  if (github)
    return {
      ...base,
      scenario: 'github',
      organization: github.organization,
      repository: github.repository,
      entity: github.entity,
      entityValue: github.value,
    };
  const kubernetes = parseKubernetesSubject(subject);
  if (kubernetes) return { ...base, scenario: 'kubernetes', ...kubernetes };
  return { ...base, subject };
}
