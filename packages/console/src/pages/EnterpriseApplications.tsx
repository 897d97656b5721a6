/**
 * Enterprise applications (service principals): the list, and per principal the app roles it holds
 * (appRoleAssignments) and the ones granted on it as a resource (appRoleAssignedTo), with role names;
 * assignments on it are added there (Entra's "Users and groups") and either kind removed.
 * @module
 */
import { Badge, Button, Field, makeStyles, SearchBox, Title3, tokens } from '@fluentui/react-components';
import { DeleteRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { api, list } from '../api/client.ts';
import type { AppRoleAssignment, ServicePrincipal } from '../api/types.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { DataTable } from '../components/data-table.tsx';
import { AppLink } from '../components/links.tsx';
import { formatDate, PageHeader, PropertyList } from '../components/page.tsx';
import { DataState, ErrorMessage } from '../components/states.tsx';
import { useLoad } from '../components/use-load.ts';
import { AddAssignment } from './enterprise/AddAssignment.tsx';

const useStyles = makeStyles({
  section: { marginTop: '20px' },
  mono: { fontFamily: tokens.fontFamilyMonospace },
  search: { marginBottom: '12px' },
  toolbar: { margin: '12px 0' },
});

type Side = 'appRoleAssignments' | 'appRoleAssignedTo';

/** Role value by id, over the resources the assignments name. */
async function roleNames(
  assignments: AppRoleAssignment[],
  signal: AbortSignal,
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const resources = [...new Set(assignments.map((assignment) => assignment.resourceId))];
  for (const resourceId of resources) {
    const resource = await api<ServicePrincipal>(`/v1.0/servicePrincipals/${resourceId}`, { signal }).catch(
      () => undefined,
    );
    for (const role of resource?.appRoles ?? []) names.set(`${resourceId}/${role.id}`, role.value);
  }
  return names;
}

function Assignments({
  label,
  assignments,
  names,
  principalId,
  side,
  onRemoved,
}: {
  label: string;
  assignments: AppRoleAssignment[];
  names: Map<string, string>;
  /** The page's principal: removal goes through its side of the assignment (Graph's own routes). */
  principalId: string;
  side: Side;
  onRemoved: () => void;
}) {
  const styles = useStyles();
  const [removeError, setRemoveError] = useState<Error>();
  const roleName = (a: AppRoleAssignment) => names.get(`${a.resourceId}/${a.appRoleId}`) ?? a.appRoleId;
  const remove = async (assignment: AppRoleAssignment) => {
    try {
      await api(`/v1.0/servicePrincipals/${principalId}/${side}/${assignment.id}`, { method: 'DELETE' });
      setRemoveError(undefined);
      onRemoved();
    } catch (error) {
      setRemoveError(error as Error);
    }
  };
  const error = removeError ? <ErrorMessage error={removeError} /> : null;
  if (assignments.length === 0) return error ?? <p>None.</p>;
  return (
    <>
      {error}
      <DataTable
        label={label}
        rows={assignments}
        rowId={(assignment) => assignment.id}
        columns={[
          { key: 'principal', header: 'Holder', render: (a) => a.principalDisplayName ?? a.principalId },
          { key: 'resource', header: 'Resource', render: (a) => a.resourceDisplayName ?? a.resourceId },
          {
            key: 'role',
            header: 'Role',
            render: (a) => <span className={styles.mono}>{roleName(a)}</span>,
          },
          { key: 'created', header: 'Granted', render: (a) => formatDate(a.createdDateTime) },
          {
            key: 'remove',
            header: 'Remove',
            render: (a) => {
              const what = `${roleName(a)} of ${a.principalDisplayName ?? a.principalId} on ${a.resourceDisplayName ?? a.resourceId}`;
              return (
                <ConfirmDialog
                  trigger={<Button size="small" icon={<DeleteRegular />} aria-label={`Remove ${what}`} />}
                  title="Remove assignment"
                  message={`Remove the role ${what}? Tokens issued from now on no longer carry it.`}
                  confirmLabel="Remove"
                  onConfirm={() => remove(a)}
                />
              );
            },
          },
        ]}
      />
    </>
  );
}

function PrincipalDetail({ id }: { id: string }) {
  const styles = useStyles();
  const loaded = useLoad(
    async (signal) => {
      const [principal, held, granted, principals] = await Promise.all([
        api<ServicePrincipal>(`/v1.0/servicePrincipals/${id}`, { signal }),
        list<AppRoleAssignment>(`/v1.0/servicePrincipals/${id}/appRoleAssignments`, signal),
        list<AppRoleAssignment>(`/v1.0/servicePrincipals/${id}/appRoleAssignedTo`, signal),
        list<ServicePrincipal>('/v1.0/servicePrincipals', signal),
      ]);
      return { principal, held, granted, principals, names: await roleNames([...held, ...granted], signal) };
    },
    [id],
  );
  return (
    <DataState loaded={loaded}>
      {({ principal, held, granted, principals, names }) => (
        <>
          <p>
            <AppLink to="/enterprise-applications">Enterprise applications</AppLink> › {principal.displayName}
          </p>
          <PageHeader title={principal.displayName} />
          <PropertyList
            items={[
              { label: 'Application ID', value: principal.appId, copy: principal.appId, mono: true },
              { label: 'Object ID', value: principal.id, copy: principal.id, mono: true },
              {
                label: 'Enabled for sign-in',
                value: (
                  <Badge color={principal.accountEnabled ? 'success' : 'danger'}>
                    {principal.accountEnabled ? 'Yes' : 'No'}
                  </Badge>
                ),
              },
              { label: 'Assignment required', value: principal.appRoleAssignmentRequired ? 'Yes' : 'No' },
              { label: 'Created', value: formatDate(principal.createdDateTime) },
            ]}
          />
          <section className={styles.section} aria-labelledby="held">
            <Title3 as="h2" id="held">
              Roles it holds
            </Title3>
            <Assignments
              label="Roles it holds"
              assignments={held}
              names={names}
              principalId={principal.id}
              side="appRoleAssignments"
              onRemoved={loaded.reload}
            />
          </section>
          <section className={styles.section} aria-labelledby="granted">
            <Title3 as="h2" id="granted">
              Roles granted on it
            </Title3>
            <div className={styles.toolbar}>
              <AddAssignment resource={principal} principals={principals} onAssigned={loaded.reload} />
            </div>
            <Assignments
              label="Roles granted on it"
              assignments={granted}
              names={names}
              principalId={principal.id}
              side="appRoleAssignedTo"
              onRemoved={loaded.reload}
            />
          </section>
        </>
      )}
    </DataState>
  );
}

export default function EnterpriseApplications({ params }: { params: Record<string, string> }) {
  const styles = useStyles();
  const [search, setSearch] = useState('');
  const principals = useLoad((signal) => list<ServicePrincipal>('/v1.0/servicePrincipals', signal), []);
  if (params['id']) return <PrincipalDetail id={params['id']} />;
  const needle = search.trim().toLowerCase();
  return (
    <>
      <PageHeader
        title="Enterprise applications"
        description="Service principals: the identities applications sign in as, and the roles they hold."
      />
      <Field label="Search by name or application ID" className={styles.search}>
        <SearchBox value={search} onChange={(_event, data) => setSearch(data.value)} />
      </Field>
      <DataState
        loaded={principals}
        isEmpty={(items) => items.length === 0}
        empty="No service principal yet."
      >
        {(items) => (
          <DataTable
            label="Enterprise applications"
            rows={items.filter(
              (sp) => !needle || sp.displayName.toLowerCase().includes(needle) || sp.appId.includes(needle),
            )}
            rowId={(sp) => sp.id}
            pageSize={20}
            columns={[
              {
                key: 'name',
                header: 'Name',
                render: (sp) => <AppLink to={`/enterprise-applications/${sp.id}`}>{sp.displayName}</AppLink>,
              },
              {
                key: 'appId',
                header: 'Application ID',
                render: (sp) => <span className={styles.mono}>{sp.appId}</span>,
              },
              { key: 'enabled', header: 'Enabled', render: (sp) => (sp.accountEnabled ? 'Yes' : 'No') },
              { key: 'created', header: 'Created', render: (sp) => formatDate(sp.createdDateTime) },
            ]}
          />
        )}
      </DataState>
    </>
  );
}
