/** Groups: the list (create one), and per group its members (service principals and groups), add and remove. */
import { Button, Field, Input, makeStyles, Select, tokens } from '@fluentui/react-components';
import { AddRegular, DeleteRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { api, list } from '../api/client.ts';
import type { DirectoryMember, Group, ServicePrincipal } from '../api/types.ts';
import { DataTable } from '../components/data-table.tsx';
import { FormDialog } from '../components/form-dialog.tsx';
import { AppLink } from '../components/links.tsx';
import { PageHeader, PropertyList } from '../components/page.tsx';
import { DataState, ErrorMessage, fieldMessage } from '../components/states.tsx';
import { useLoad } from '../components/use-load.ts';

const useStyles = makeStyles({
  toolbar: { margin: '12px 0' },
  mono: { fontFamily: tokens.fontFamilyMonospace },
});

function GroupDetail({ id }: { id: string }) {
  const styles = useStyles();
  const group = useLoad((signal) => api<Group>(`/v1.0/groups/${id}`, { signal }), [id]);
  const members = useLoad((signal) => list<DirectoryMember>(`/v1.0/groups/${id}/members`, signal), [id]);
  const principals = useLoad((signal) => list<ServicePrincipal>('/v1.0/servicePrincipals', signal), []);
  const [memberId, setMemberId] = useState('');
  const [removeError, setRemoveError] = useState<Error>();
  const add = async () => {
    await api(`/v1.0/groups/${id}/members/$ref`, {
      method: 'POST',
      body: { '@odata.id': `${window.location.origin}/v1.0/directoryObjects/${memberId}` },
    });
    members.reload();
  };
  const remove = async (member: string) => {
    try {
      await api(`/v1.0/groups/${id}/members/${member}/$ref`, { method: 'DELETE' });
      setRemoveError(undefined);
      members.reload();
    } catch (error) {
      setRemoveError(error as Error);
    }
  };
  return (
    <DataState loaded={group}>
      {(found) => (
        <>
          <p>
            <AppLink to="/groups">Groups</AppLink> › {found.displayName}
          </p>
          <PageHeader title={found.displayName} description={found.description ?? undefined} />
          <PropertyList items={[{ label: 'Object ID', value: found.id, copy: found.id, mono: true }]} />
          <div className={styles.toolbar}>
            <FormDialog
              title="Add a member"
              submitLabel="Add"
              fields={['@odata.id']}
              onOpen={() => setMemberId(principals.data?.[0]?.id ?? '')}
              onSubmit={add}
              trigger={<Button icon={<AddRegular />}>Add member</Button>}
            >
              {(error) => (
                <Field
                  label="Service principal"
                  required
                  validationMessage={fieldMessage(error, '@odata.id')}
                >
                  <Select value={memberId} onChange={(_event, data) => setMemberId(data.value)}>
                    {(principals.data ?? []).map((sp) => (
                      <option key={sp.id} value={sp.id}>
                        {sp.displayName}
                      </option>
                    ))}
                  </Select>
                </Field>
              )}
            </FormDialog>
          </div>
          {removeError ? <ErrorMessage error={removeError} /> : null}
          <DataState
            loaded={members}
            isEmpty={(items) => items.length === 0}
            empty="This group has no member."
          >
            {(items) => (
              <DataTable
                label="Members"
                rows={items}
                rowId={(member) => member.id}
                columns={[
                  { key: 'name', header: 'Name', render: (member) => member.displayName ?? member.id },
                  {
                    key: 'type',
                    header: 'Type',
                    render: (member) => (member['@odata.type'] ?? '').replace('#microsoft.graph.', ''),
                  },
                  {
                    key: 'id',
                    header: 'Object ID',
                    render: (member) => <span className={styles.mono}>{member.id}</span>,
                  },
                  {
                    key: 'remove',
                    header: 'Remove',
                    render: (member) => (
                      <Button
                        size="small"
                        icon={<DeleteRegular />}
                        aria-label={`Remove ${member.displayName ?? member.id}`}
                        onClick={() => void remove(member.id)}
                      />
                    ),
                  },
                ]}
              />
            )}
          </DataState>
        </>
      )}
    </DataState>
  );
}

export default function Groups({ params }: { params: Record<string, string> }) {
  const groups = useLoad((signal) => list<Group>('/v1.0/groups', signal), []);
  const [name, setName] = useState('');
  const styles = useStyles();
  if (params['id']) return <GroupDetail id={params['id']} />;
  const create = async () => {
    const mailNickname =
      name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '') || 'group';
    await api('/v1.0/groups', {
      method: 'POST',
      body: { displayName: name, mailNickname, mailEnabled: false, securityEnabled: true },
    });
    groups.reload();
  };
  return (
    <>
      <PageHeader title="Groups" description="Security groups of service principals (and of other groups)." />
      <div className={styles.toolbar}>
        <FormDialog
          title="New group"
          submitLabel="Create"
          fields={['displayName', 'mailNickname']}
          onOpen={() => setName('')}
          onSubmit={create}
          trigger={<Button icon={<AddRegular />}>New group</Button>}
        >
          {(error) => (
            <Field
              label="Group name"
              required
              validationMessage={fieldMessage(error, 'displayName') ?? fieldMessage(error, 'mailNickname')}
            >
              <Input value={name} onChange={(_event, data) => setName(data.value)} />
            </Field>
          )}
        </FormDialog>
      </div>
      <DataState loaded={groups} isEmpty={(items) => items.length === 0} empty="No group yet.">
        {(items) => (
          <DataTable
            label="Groups"
            rows={items}
            rowId={(group) => group.id}
            pageSize={20}
            columns={[
              {
                key: 'name',
                header: 'Name',
                render: (group) => <AppLink to={`/groups/${group.id}`}>{group.displayName}</AppLink>,
              },
              { key: 'description', header: 'Description', render: (group) => group.description ?? '' },
              {
                key: 'id',
                header: 'Object ID',
                render: (group) => <span className={styles.mono}>{group.id}</span>,
              },
            ]}
          />
        )}
      </DataState>
    </>
  );
}
