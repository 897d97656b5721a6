/**
 * Issuer policy: the mode for issuers not on the list (off, audit, enforce), the shared-issuer guard,
 * and the trusted issuers with their limits and pinned keys; change the mode, add or remove an issuer
 * (with a pinned JWKS uploaded from a file). The API's errors show next to the field.
 * @module
 */
import { Button, Field, Input, makeStyles, Select, Switch, Title3, tokens } from '@fluentui/react-components';
import { AddRegular, DeleteRegular } from '@fluentui/react-icons';
import { type ChangeEvent, useState } from 'react';
import { api } from '../api/client.ts';
import type { IssuerPolicy as Policy } from '../api/types.ts';
import { DataTable } from '../components/data-table.tsx';
import { FormDialog } from '../components/form-dialog.tsx';
import { formatDate, PageHeader } from '../components/page.tsx';
import { DataState, Empty, ErrorMessage, fieldMessage } from '../components/states.tsx';
import { useLoad } from '../components/use-load.ts';

const PATH = '/v1.0/credless/issuerPolicy';
const useStyles = makeStyles({
  settings: {
    display: 'flex',
    gap: tokens.spacingHorizontalXL,
    alignItems: 'end',
    flexWrap: 'wrap',
    marginBottom: '16px',
  },
  section: { marginTop: '20px', display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  mono: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-all' },
});

const EMPTY_ISSUER = { issuer: '', maxAssertionLifetimeSeconds: '', clockSkewSeconds: '', jwks: '' };
const numberOrUndefined = (text: string) => (text.trim() === '' ? undefined : Number(text));

export default function IssuerPolicy() {
  const styles = useStyles();
  const policy = useLoad((signal) => api<Policy>(PATH, { signal }), []);
  const [changeError, setChangeError] = useState<Error>();
  const [entry, setEntry] = useState(EMPTY_ISSUER);
  const change = async (patch: Partial<Pick<Policy, 'mode' | 'sharedIssuerGuard'>>) => {
    try {
      await api(PATH, { method: 'PATCH', body: patch });
      setChangeError(undefined);
      policy.reload();
    } catch (error) {
      setChangeError(error as Error);
    }
  };
  const addIssuer = async () => {
    let pinnedJwks: unknown;
    if (entry.jwks.trim()) {
      try {
        pinnedJwks = JSON.parse(entry.jwks);
      } catch {
        // Sent as text: the API answers what is wrong with it, at the field.
        pinnedJwks = entry.jwks;
      }
    }
    await api(`${PATH}/trustedIssuers`, {
      method: 'POST',
      body: {
        issuer: entry.issuer,
        maxAssertionLifetimeSeconds: numberOrUndefined(entry.maxAssertionLifetimeSeconds),
        clockSkewSeconds: numberOrUndefined(entry.clockSkewSeconds),
        pinnedJwks,
      },
    });
    policy.reload();
  };
  const removeIssuer = async (issuer: string) => {
    try {
      await api(`${PATH}/trustedIssuers/${encodeURIComponent(issuer)}`, { method: 'DELETE' });
      setChangeError(undefined);
      policy.reload();
    } catch (error) {
      setChangeError(error as Error);
    }
  };
  const readFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) setEntry({ ...entry, jwks: await file.text() });
  };
  const text = (key: keyof typeof EMPTY_ISSUER) => ({
    value: entry[key],
    onChange: (_event: unknown, data: { value: string }) => setEntry({ ...entry, [key]: data.value }),
  });
  return (
    <>
      <PageHeader
        title="Issuer policy"
        description="Which OIDC issuers this tenant's federated credentials may trust, and how strictly."
      />
      {changeError ? <ErrorMessage error={changeError} /> : null}
      <DataState loaded={policy}>
        {(current) => (
          <>
            <div className={styles.settings}>
              <Field
                label="Mode for issuers not on the list"
                validationMessage={fieldMessage(changeError, 'mode')}
              >
                <Select
                  value={current.mode}
                  onChange={(_event, data) => void change({ mode: data.value as Policy['mode'] })}
                >
                  <option value="off">Off: any issuer</option>
                  <option value="audit">Audit: allow and flag</option>
                  <option value="enforce">Enforce: refuse</option>
                </Select>
              </Field>
              <Switch
                checked={current.sharedIssuerGuard}
                onChange={(_event, data) => void change({ sharedIssuerGuard: data.checked })}
                label="Shared-issuer guard (refuse over-broad subjects on shared issuers)"
              />
            </div>
            <section className={styles.section} aria-labelledby="trusted">
              <Title3 as="h2" id="trusted">
                Trusted issuers
              </Title3>
              <div>
                <FormDialog
                  title="Trust an issuer"
                  submitLabel="Save"
                  fields={['issuer', 'maxAssertionLifetimeSeconds', 'clockSkewSeconds', 'pinnedJwks']}
                  onOpen={() => setEntry(EMPTY_ISSUER)}
                  onSubmit={addIssuer}
                  trigger={<Button icon={<AddRegular />}>Add trusted issuer</Button>}
                >
                  {(error) => (
                    <>
                      <Field label="Issuer URL" required validationMessage={fieldMessage(error, 'issuer')}>
                        <Input {...text('issuer')} />
                      </Field>
                      <Field
                        label="Maximum assertion lifetime (seconds)"
                        validationMessage={fieldMessage(error, 'maxAssertionLifetimeSeconds')}
                      >
                        <Input type="number" {...text('maxAssertionLifetimeSeconds')} />
                      </Field>
                      <Field
                        label="Clock skew (seconds)"
                        validationMessage={fieldMessage(error, 'clockSkewSeconds')}
                      >
                        <Input type="number" {...text('clockSkewSeconds')} />
                      </Field>
                      <Field
                        label="Pinned JWKS (JSON file)"
                        hint="Optional: the issuer's public keys, used instead of fetching them."
                        validationMessage={fieldMessage(error, 'pinnedJwks')}
                      >
                        <input
                          type="file"
                          accept=".json,application/json"
                          onChange={(event) => void readFile(event)}
                        />
                      </Field>
                    </>
                  )}
                </FormDialog>
              </div>
              {current.trustedIssuers.length === 0 ? (
                <Empty>No trusted issuer.</Empty>
              ) : (
                <DataTable
                  label="Trusted issuers"
                  rows={current.trustedIssuers}
                  rowId={(issuer) => issuer.issuer}
                  columns={[
                    {
                      key: 'issuer',
                      header: 'Issuer',
                      render: (issuer) => <span className={styles.mono}>{issuer.issuer}</span>,
                    },
                    {
                      key: 'lifetime',
                      header: 'Max lifetime',
                      render: (issuer) =>
                        issuer.maxAssertionLifetimeSeconds === null
                          ? 'default'
                          : `${issuer.maxAssertionLifetimeSeconds} s`,
                    },
                    {
                      key: 'skew',
                      header: 'Clock skew',
                      render: (issuer) =>
                        issuer.clockSkewSeconds === null ? 'default' : `${issuer.clockSkewSeconds} s`,
                    },
                    {
                      key: 'jwks',
                      header: 'Pinned keys',
                      render: (issuer) =>
                        issuer.pinnedJwks
                          ? `${issuer.pinnedJwks.kids.join(', ')} (${formatDate(issuer.pinnedJwks.updatedAt)})`
                          : 'fetched',
                    },
                    {
                      key: 'remove',
                      header: 'Remove',
                      render: (issuer) => (
                        <Button
                          size="small"
                          icon={<DeleteRegular />}
                          aria-label={`Remove ${issuer.issuer}`}
                          onClick={() => void removeIssuer(issuer.issuer)}
                        />
                      ),
                    },
                  ]}
                />
              )}
            </section>
          </>
        )}
      </DataState>
    </>
  );
}
