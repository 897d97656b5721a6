/** An application's federated credentials: the list, add (scenario picker), edit and delete. */
import { Button, MessageBar, MessageBarBody, makeStyles, tokens } from '@fluentui/react-components';
import { AddRegular, DeleteRegular, EditRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { api, list } from '../../api/client.ts';
import type { Application, FederatedCredential } from '../../api/types.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { DataState, ErrorMessage } from '../../components/states.tsx';
import { useLoad } from '../../components/use-load.ts';
import { CredentialDialog } from './CredentialDialog.tsx';
import { credentialBody, emptyCredentialForm, formOf } from './credential-form.ts';

const useStyles = makeStyles({
  toolbar: { display: 'flex', gap: tokens.spacingHorizontalS, marginBottom: '12px' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalXS },
  mono: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-all' },
});

export function FederatedCredentials({ application }: { application: Application }) {
  const styles = useStyles();
  const path = `/v1.0/applications/${application.id}/federatedIdentityCredentials`;
  const credentials = useLoad((signal) => list<FederatedCredential>(path, signal), [path]);
  const [deleteError, setDeleteError] = useState<Error>();
  return (
    <>
      <MessageBar intent="info">
        <MessageBarBody>
          Federated credentials let a workload (a GitHub Actions job, a Kubernetes pod, another OIDC issuer's
          token) sign in as this application without a secret.
        </MessageBarBody>
      </MessageBar>
      <div className={styles.toolbar}>
        <CredentialDialog
          title="Add a credential"
          initial={() => emptyCredentialForm('github')}
          onSave={async (form) => {
            await api(path, { method: 'POST', body: credentialBody(form) });
            credentials.reload();
          }}
          trigger={
            <Button appearance="primary" icon={<AddRegular />}>
              Add credential
            </Button>
          }
        />
      </div>
      {deleteError ? <ErrorMessage error={deleteError} /> : null}
      <DataState
        loaded={credentials}
        isEmpty={(items) => items.length === 0}
        empty="No federated credential yet: Add credential picks a scenario."
      >
        {(items) => (
          <DataTable
            label="Federated credentials"
            rows={items}
            rowId={(credential) => credential.id}
            columns={[
              { key: 'name', header: 'Name', render: (credential) => credential.name },
              {
                key: 'issuer',
                header: 'Issuer',
                render: (credential) => <span className={styles.mono}>{credential.issuer}</span>,
              },
              {
                key: 'subject',
                header: 'Subject or expression',
                render: (credential) => (
                  <span className={styles.mono}>
                    {credential.subject ?? credential.claimsMatchingExpression?.value ?? ''}
                  </span>
                ),
              },
              {
                key: 'audience',
                header: 'Audience',
                render: (credential) => credential.audiences.join(', '),
              },
              {
                key: 'actions',
                header: 'Actions',
                render: (credential) => (
                  <div className={styles.actions}>
                    <CredentialDialog
                      title={`Edit ${credential.name}`}
                      initial={() => formOf(credential)}
                      onSave={async (form) => {
                        await api(`${path}/${credential.id}`, {
                          method: 'PATCH',
                          body: credentialBody(form),
                        });
                        credentials.reload();
                      }}
                      trigger={
                        <Button size="small" icon={<EditRegular />} aria-label={`Edit ${credential.name}`} />
                      }
                    />
                    <ConfirmDialog
                      title={`Delete ${credential.name}?`}
                      message="Workloads that sign in with it will be refused."
                      confirmLabel="Delete"
                      onConfirm={async () => {
                        try {
                          await api(`${path}/${credential.id}`, { method: 'DELETE' });
                          setDeleteError(undefined);
                          credentials.reload();
                        } catch (error) {
                          setDeleteError(error as Error);
                        }
                      }}
                      trigger={
                        <Button
                          size="small"
                          icon={<DeleteRegular />}
                          aria-label={`Delete ${credential.name}`}
                        />
                      }
                    />
                  </div>
                ),
              },
            ]}
          />
        )}
      </DataState>
    </>
  );
}
