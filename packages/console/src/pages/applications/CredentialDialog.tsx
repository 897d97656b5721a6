/**
 * Add or edit a federated credential with the portal's scenario picker: GitHub Actions (organization,
 * repository, entity → subject), Kubernetes (issuer, namespace, service account → subject), or another
 * issuer (subject or claims-matching expression). The API's errors show next to the field they name.
 * @module
 */
import { Field, Input, Radio, RadioGroup, Select } from '@fluentui/react-components';
import type { ReactElement } from 'react';
import { useState } from 'react';
import { GITHUB_ENTITIES, GITHUB_ISSUER, type GitHubEntity } from '../../api/github-subject.ts';
import { FormDialog } from '../../components/form-dialog.tsx';
import { fieldMessage } from '../../components/states.tsx';
import {
  type CredentialFormState,
  emptyCredentialForm,
  type Scenario,
  subjectOf,
} from './credential-form.ts';
import { ExpressionField } from './ExpressionField.tsx';
import { expressionProblem } from './expression-check.ts';

const SCENARIOS: Array<{ value: Scenario; label: string }> = [
  { value: 'github', label: 'GitHub Actions deploying Azure resources' },
  { value: 'kubernetes', label: 'Kubernetes accessing Azure resources' },
  { value: 'other', label: 'Other issuer' },
];

export const CREDENTIAL_FIELDS = [
  'name',
  'issuer',
  'subject',
  'audiences',
  'description',
  'claimsMatchingExpression',
];

/** credless's own emulated GitHub Actions issuer (packages/platforms), on this origin. */
const emulatedGitHubIssuer = () => `${window.location.origin}/github-actions`;

export function CredentialDialog({
  title,
  trigger,
  initial,
  onSave,
}: {
  title: string;
  trigger: ReactElement;
  /** The form as it opens (an edit starts from the credential). */
  initial: () => CredentialFormState;
  onSave: (form: CredentialFormState) => Promise<void>;
}) {
  const [form, setForm] = useState<CredentialFormState>(initial);
  const set = (patch: Partial<CredentialFormState>) => setForm((current) => ({ ...current, ...patch }));
  const text = (key: keyof CredentialFormState) => ({
    value: String(form[key]),
    onChange: (_event: unknown, data: { value: string }) => set({ [key]: data.value }),
  });
  const byExpression = form.scenario === 'other' && form.matchBy === 'expression';
  // An expression the parser refuses is never sent: Save waits until it parses.
  const canSubmit = !byExpression || expressionProblem(form.expression) === undefined;
  const entityLabel = GITHUB_ENTITIES.find((entity) => entity.value === form.entity)?.label ?? '';
  return (
    <FormDialog
      title={title}
      trigger={trigger}
      submitLabel={title.startsWith('Edit') ? 'Update' : 'Add'}
      fields={CREDENTIAL_FIELDS}
      canSubmit={canSubmit}
      onOpen={() => setForm(initial())}
      onSubmit={() => onSave(form)}
    >
      {(error) => (
        <>
          <Field label="Federated credential scenario" required>
            <Select
              value={form.scenario}
              onChange={(_event, data) => {
                const scenario = data.value as Scenario;
                setForm({ ...emptyCredentialForm(scenario), name: form.name, description: form.description });
              }}
            >
              {SCENARIOS.map((scenario) => (
                <option key={scenario.value} value={scenario.value}>
                  {scenario.label}
                </option>
              ))}
            </Select>
          </Field>
          {form.scenario === 'github' ? (
            <>
              <Field label="Issuer" validationMessage={fieldMessage(error, 'issuer')}>
                <RadioGroup value={form.issuer} onChange={(_event, data) => set({ issuer: data.value })}>
                  <Radio value={GITHUB_ISSUER} label={`GitHub (${GITHUB_ISSUER})`} />
                  <Radio
                    value={emulatedGitHubIssuer()}
                    label={`credless's emulated GitHub Actions (${emulatedGitHubIssuer()})`}
                  />
                </RadioGroup>
              </Field>
              <Field label="Organization" required>
                <Input {...text('organization')} />
              </Field>
              <Field label="Repository" required>
                <Input {...text('repository')} />
              </Field>
              <Field label="Entity type" required>
                <Select
                  value={form.entity}
                  onChange={(_event, data) => set({ entity: data.value as GitHubEntity, entityValue: '' })}
                >
                  {GITHUB_ENTITIES.map((entity) => (
                    <option key={entity.value} value={entity.value}>
                      {entity.label}
                    </option>
                  ))}
                </Select>
              </Field>
              {form.entity === 'pull_request' ? null : (
                <Field label={`Based on selection: ${entityLabel}`} required>
                  <Input {...text('entityValue')} />
                </Field>
              )}
            </>
          ) : null}
          {form.scenario === 'kubernetes' ? (
            <>
              <Field
                label="Cluster issuer URL"
                required
                hint="The cluster's OIDC issuer (credless cluster show, or az aks show --query oidcIssuerProfile.issuerUrl)."
                validationMessage={fieldMessage(error, 'issuer')}
              >
                <Input {...text('issuer')} />
              </Field>
              <Field label="Namespace" required>
                <Input {...text('namespace')} />
              </Field>
              <Field label="Service account" required>
                <Input {...text('serviceAccount')} />
              </Field>
            </>
          ) : null}
          {form.scenario === 'other' ? (
            <>
              <Field label="Issuer" required validationMessage={fieldMessage(error, 'issuer')}>
                <Input {...text('issuer')} />
              </Field>
              <Field label="Match by">
                <RadioGroup
                  value={form.matchBy}
                  layout="horizontal"
                  onChange={(_event, data) => set({ matchBy: data.value as 'subject' | 'expression' })}
                >
                  <Radio value="subject" label="Subject identifier" />
                  <Radio value="expression" label="Claims matching expression" />
                </RadioGroup>
              </Field>
              {form.matchBy === 'subject' ? (
                <Field label="Subject identifier" required validationMessage={fieldMessage(error, 'subject')}>
                  <Input {...text('subject')} />
                </Field>
              ) : (
                <ExpressionField
                  value={form.expression}
                  onChange={(expression) => set({ expression })}
                  apiError={fieldMessage(error, 'claimsMatchingExpression')}
                />
              )}
            </>
          ) : null}
          {form.scenario !== 'other' ? (
            <Field label="Subject identifier" validationMessage={fieldMessage(error, 'subject')}>
              <Input value={subjectOf(form)} readOnly />
            </Field>
          ) : null}
          <Field label="Name" required validationMessage={fieldMessage(error, 'name')}>
            <Input {...text('name')} />
          </Field>
          <Field label="Description" validationMessage={fieldMessage(error, 'description')}>
            <Input {...text('description')} />
          </Field>
          <Field label="Audience" required validationMessage={fieldMessage(error, 'audiences')}>
            <Input {...text('audience')} />
          </Field>
        </>
      )}
    </FormDialog>
  );
}
