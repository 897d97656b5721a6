/** An application's app roles (what it grants to callers of its API): the list and "Create app role". */
import { Badge, Button, Field, Input, makeStyles, tokens } from '@fluentui/react-components';
import { AddRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { Application } from '../../api/types.ts';
import { DataTable } from '../../components/data-table.tsx';
import { FormDialog } from '../../components/form-dialog.tsx';
import { Empty, fieldMessage } from '../../components/states.tsx';

const useStyles = makeStyles({
  toolbar: { margin: '12px 0' },
  mono: { fontFamily: tokens.fontFamilyMonospace },
});

const EMPTY_ROLE = { displayName: '', value: '', description: '' };

export function AppRoles({ application, reload }: { application: Application; reload: () => void }) {
  const styles = useStyles();
  const [role, setRole] = useState(EMPTY_ROLE);
  const create = async () => {
    const appRoles = [
      ...application.appRoles,
      { ...role, id: crypto.randomUUID(), allowedMemberTypes: ['Application'], isEnabled: true },
    ];
    await api(`/v1.0/applications/${application.id}`, { method: 'PATCH', body: { appRoles } });
    reload();
  };
  const input = (key: keyof typeof EMPTY_ROLE) => ({
    value: role[key],
    onChange: (_event: unknown, data: { value: string }) => setRole({ ...role, [key]: data.value }),
  });
  return (
    <>
      <div className={styles.toolbar}>
        <FormDialog
          title="Create app role"
          submitLabel="Apply"
          fields={['appRoles']}
          onOpen={() => setRole(EMPTY_ROLE)}
          onSubmit={create}
          trigger={<Button icon={<AddRegular />}>Create app role</Button>}
        >
          {(error) => (
            <>
              <Field label="Display name" required validationMessage={fieldMessage(error, 'appRoles')}>
                <Input {...input('displayName')} />
              </Field>
              <Field
                label="Value"
                required
                hint="The role's name in access tokens' roles claim, e.g. Tasks.Read.All"
              >
                <Input {...input('value')} />
              </Field>
              <Field label="Description">
                <Input {...input('description')} />
              </Field>
            </>
          )}
        </FormDialog>
      </div>
      {application.appRoles.length === 0 ? (
        <Empty>No app role: callers of this application's API get no roles.</Empty>
      ) : (
        <DataTable
          label="App roles"
          rows={application.appRoles}
          rowId={(entry) => entry.id}
          columns={[
            { key: 'name', header: 'Display name', render: (entry) => entry.displayName },
            {
              key: 'value',
              header: 'Value',
              render: (entry) => <span className={styles.mono}>{entry.value}</span>,
            },
            {
              key: 'types',
              header: 'Allowed member types',
              render: (entry) => entry.allowedMemberTypes.join(', '),
            },
            { key: 'description', header: 'Description', render: (entry) => entry.description ?? '' },
            {
              key: 'state',
              header: 'State',
              render: (entry) => (
                <Badge color={entry.isEnabled ? 'success' : 'informative'}>
                  {entry.isEnabled ? 'Enabled' : 'Disabled'}
                </Badge>
              ),
            },
          ]}
        />
      )}
    </>
  );
}
