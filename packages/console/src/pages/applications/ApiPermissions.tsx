/** API permissions: the requested permissions with a granted / not granted column, add, remove, consent. */
import {
  Badge,
  Button,
  Field,
  MessageBar,
  MessageBarBody,
  makeStyles,
  Select,
  tokens,
} from '@fluentui/react-components';
import {
  AddRegular,
  CheckmarkCircleRegular,
  DeleteRegular,
  ShieldCheckmarkRegular,
} from '@fluentui/react-icons';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { type Application, GRAPH_APP_ID } from '../../api/types.ts';
import { DataTable } from '../../components/data-table.tsx';
import { FormDialog } from '../../components/form-dialog.tsx';
import { DataState, ErrorMessage, fieldMessage } from '../../components/states.tsx';
import { useLoad } from '../../components/use-load.ts';
import { grantAdminConsent, loadPermissions, principalByAppId, withPermission } from './consent.ts';

const useStyles = makeStyles({
  toolbar: { display: 'flex', gap: tokens.spacingHorizontalS, margin: '12px 0' },
  mono: { fontFamily: tokens.fontFamilyMonospace },
});

export function ApiPermissions({ application, reload }: { application: Application; reload: () => void }) {
  const styles = useStyles();
  const permissions = useLoad((signal) => loadPermissions(application, signal), [application]);
  const graph = useLoad((signal) => principalByAppId(GRAPH_APP_ID, signal), []);
  const [roleId, setRoleId] = useState('');
  const [actionError, setActionError] = useState<Error>();
  const [granted, setGranted] = useState<number>();
  const [busy, setBusy] = useState(false);
  const patch = async (requiredResourceAccess: Application['requiredResourceAccess']) => {
    await api(`/v1.0/applications/${application.id}`, { method: 'PATCH', body: { requiredResourceAccess } });
    reload();
  };
  const consent = async () => {
    setBusy(true);
    try {
      setGranted(await grantAdminConsent(application, permissions.data ?? []));
      setActionError(undefined);
      permissions.reload();
    } catch (error) {
      setActionError(error as Error);
    } finally {
      setBusy(false);
    }
  };
  const graphRoles = [...(graph.data?.appRoles ?? [])].sort((a, b) => a.value.localeCompare(b.value));
  return (
    <>
      <div className={styles.toolbar}>
        <FormDialog
          title="Request a Microsoft Graph application permission"
          submitLabel="Add permission"
          fields={['requiredResourceAccess']}
          onOpen={() => setRoleId(graphRoles[0]?.id ?? '')}
          onSubmit={() => patch(withPermission(application, GRAPH_APP_ID, roleId, true))}
          trigger={
            <Button icon={<AddRegular />} disabled={!graph.data}>
              Add a permission
            </Button>
          }
        >
          {(error) => (
            <Field
              label="Microsoft Graph application permission"
              required
              validationMessage={fieldMessage(error, 'requiredResourceAccess')}
            >
              <Select value={roleId} onChange={(_event, data) => setRoleId(data.value)}>
                {graphRoles.map((role) => (
                  <option key={role.id} value={role.id}>
                    {role.value}
                  </option>
                ))}
              </Select>
            </Field>
          )}
        </FormDialog>
        <Button
          appearance="primary"
          icon={<ShieldCheckmarkRegular />}
          disabled={busy || !permissions.data?.some((row) => row.type === 'Role' && !row.granted)}
          onClick={() => void consent()}
        >
          Grant admin consent
        </Button>
      </div>
      {granted !== undefined ? (
        <MessageBar intent="success">
          <MessageBarBody>
            Admin consent granted {granted} permission{granted === 1 ? '' : 's'}.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {actionError ? <ErrorMessage error={actionError} /> : null}
      {graph.error ? <ErrorMessage error={graph.error} /> : null}
      <DataState
        loaded={permissions}
        isEmpty={(rows) => rows.length === 0}
        empty="No permission is requested: Add a permission picks one of Microsoft Graph's."
      >
        {(rows) => (
          <DataTable
            label="Configured permissions"
            rows={rows}
            rowId={(row) => `${row.resourceAppId}/${row.permissionId}`}
            columns={[
              { key: 'resource', header: 'API', render: (row) => row.resourceName },
              {
                key: 'permission',
                header: 'Permission',
                render: (row) => <span className={styles.mono}>{row.permission}</span>,
              },
              {
                key: 'type',
                header: 'Type',
                render: (row) => (row.type === 'Role' ? 'Application' : 'Delegated'),
              },
              { key: 'description', header: 'Description', render: (row) => row.description },
              {
                key: 'status',
                header: 'Status',
                render: (row) =>
                  row.granted ? (
                    <Badge color="success" icon={<CheckmarkCircleRegular />}>
                      Granted
                    </Badge>
                  ) : (
                    <Badge color="warning">Not granted</Badge>
                  ),
              },
              {
                key: 'remove',
                header: 'Remove',
                render: (row) => (
                  <Button
                    size="small"
                    icon={<DeleteRegular />}
                    aria-label={`Remove ${row.permission}`}
                    onClick={() =>
                      void patch(
                        withPermission(application, row.resourceAppId, row.permissionId, false),
                      ).catch((error: Error) => setActionError(error))
                    }
                  />
                ),
              },
            ]}
          />
        )}
      </DataState>
    </>
  );
}
