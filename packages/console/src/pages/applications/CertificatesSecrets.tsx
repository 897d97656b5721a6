/**
 * Certificates & secrets: certificates (thumbprint, expiry) and client secrets under a warning banner
 * that points at federated credentials; a new secret only where the tenant's policy lets one exist.
 * @module
 */
import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  Title3,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, DeleteRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { Application, TenantView } from '../../api/types.ts';
import { DataTable } from '../../components/data-table.tsx';
import { FormDialog } from '../../components/form-dialog.tsx';
import { AppLink } from '../../components/links.tsx';
import { CopyButton, formatDate } from '../../components/page.tsx';
import { Empty, ErrorMessage, fieldMessage } from '../../components/states.tsx';
import { useLoad } from '../../components/use-load.ts';
import { useSession } from '../../session.tsx';

const useStyles = makeStyles({
  section: { marginTop: '20px', display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  mono: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-all' },
});

export function CertificatesSecrets({
  application,
  reload,
}: {
  application: Application;
  reload: () => void;
}) {
  const styles = useStyles();
  const session = useSession();
  const policy = useLoad(
    (signal) =>
      api<TenantView['clientSecretPolicy']>(`/v1.0/credless/tenants/${session.tenantId}/clientSecretPolicy`, {
        signal,
      }),
    [session.tenantId],
  );
  const [description, setDescription] = useState('');
  const [created, setCreated] = useState<string>();
  const [removeError, setRemoveError] = useState<Error>();
  const path = `/v1.0/applications/${application.id}`;
  const addSecret = async () => {
    const answer = await api<{ secretText: string }>(`${path}/addPassword`, {
      method: 'POST',
      body: { passwordCredential: { displayName: description } },
    });
    setCreated(answer.secretText);
    reload();
  };
  const removeSecret = async (keyId: string) => {
    try {
      await api(`${path}/removePassword`, { method: 'POST', body: { keyId } });
      setRemoveError(undefined);
      reload();
    } catch (error) {
      setRemoveError(error as Error);
    }
  };
  const secretsAllowed = policy.data ? policy.data.mode !== 'deny' : false;
  return (
    <>
      <MessageBar intent="warning">
        <MessageBarBody>
          <MessageBarTitle>Prefer federated credentials</MessageBarTitle>A certificate or secret is a
          long-lived credential that can leak. A{' '}
          <AppLink to={`/applications/${application.id}/federated`}>federated credential</AppLink> lets a
          workload sign in with its platform's own token instead.
        </MessageBarBody>
      </MessageBar>
      <section className={styles.section} aria-labelledby="certificates">
        <Title3 as="h2" id="certificates">
          Certificates ({application.keyCredentials.length})
        </Title3>
        {application.keyCredentials.length === 0 ? (
          <Empty>No certificate.</Empty>
        ) : (
          <DataTable
            label="Certificates"
            rows={application.keyCredentials}
            rowId={(key) => key.keyId}
            columns={[
              {
                key: 'thumbprint',
                header: 'Thumbprint',
                render: (key) => <span className={styles.mono}>{key.customKeyIdentifier ?? '—'}</span>,
              },
              { key: 'description', header: 'Description', render: (key) => key.displayName ?? '' },
              { key: 'start', header: 'Start date', render: (key) => formatDate(key.startDateTime) },
              { key: 'expires', header: 'Expires', render: (key) => formatDate(key.endDateTime) },
              {
                key: 'id',
                header: 'Certificate ID',
                render: (key) => <span className={styles.mono}>{key.keyId}</span>,
              },
            ]}
          />
        )}
      </section>
      <section className={styles.section} aria-labelledby="secrets">
        <Title3 as="h2" id="secrets">
          Client secrets ({application.passwordCredentials.length})
        </Title3>
        {policy.data ? (
          <MessageBar intent={secretsAllowed ? 'warning' : 'info'}>
            <MessageBarBody>
              The tenant's client secret policy is <strong>{policy.data.mode}</strong>
              {secretsAllowed
                ? `: secrets live at most ${Math.round(policy.data.maxLifetimeSeconds / 3600)} h.`
                : ': no new secret can be added.'}
            </MessageBarBody>
          </MessageBar>
        ) : null}
        {secretsAllowed ? (
          <FormDialog
            title="Add a client secret"
            submitLabel="Add"
            fields={['displayName', 'passwordCredential']}
            onOpen={() => {
              setDescription('');
              setCreated(undefined);
            }}
            onSubmit={addSecret}
            trigger={<Button icon={<AddRegular />}>New client secret</Button>}
          >
            {(error) => (
              <Field label="Description" validationMessage={fieldMessage(error, 'displayName')}>
                <Input value={description} onChange={(_event, data) => setDescription(data.value)} />
              </Field>
            )}
          </FormDialog>
        ) : null}
        {created ? (
          <MessageBar intent="success">
            <MessageBarBody>
              <MessageBarTitle>Copy the secret now: it is not shown again.</MessageBarTitle>
              <span className={styles.mono}>{created}</span> <CopyButton value={created} label="secret" />
            </MessageBarBody>
          </MessageBar>
        ) : null}
        {removeError ? <ErrorMessage error={removeError} /> : null}
        {application.passwordCredentials.length === 0 ? (
          <Empty>No client secret.</Empty>
        ) : (
          <DataTable
            label="Client secrets"
            rows={application.passwordCredentials}
            rowId={(secret) => secret.keyId}
            columns={[
              { key: 'description', header: 'Description', render: (secret) => secret.displayName ?? '' },
              { key: 'hint', header: 'Value (hint)', render: (secret) => `${secret.hint ?? ''}…` },
              { key: 'expires', header: 'Expires', render: (secret) => formatDate(secret.endDateTime) },
              {
                key: 'id',
                header: 'Secret ID',
                render: (secret) => <span className={styles.mono}>{secret.keyId}</span>,
              },
              {
                key: 'delete',
                header: 'Delete',
                render: (secret) => (
                  <Button
                    size="small"
                    icon={<DeleteRegular />}
                    aria-label={`Delete secret ${secret.displayName ?? secret.keyId}`}
                    onClick={() => void removeSecret(secret.keyId)}
                  />
                ),
              },
            ]}
          />
        )}
      </section>
    </>
  );
}
