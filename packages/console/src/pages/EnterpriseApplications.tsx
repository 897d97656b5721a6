/**
 * Enterprise applications (service principals): the list, and per principal the app roles it holds
 * (appRoleAssignments) and the ones granted on it as a resource (appRoleAssignedTo), with role names.
 * @module
 */
import { Badge, Field, makeStyles, SearchBox, Title3, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { api, list } from '../api/client.ts';
import type { AppRoleAssignment, ServicePrincipal } from '../api/types.ts';
import { DataTable } from '../components/data-table.tsx';
import { AppLink } from '../components/links.tsx';
import { formatDate, PageHeader, PropertyList } from '../components/page.tsx';
import { DataState } from '../components/states.tsx';
import { useLoad } from '../components/use-load.ts';

const useStyles = makeStyles({
  section: { marginTop: '20px' },
  mono: { fontFamily: tokens.fontFamilyMonospace },
  search: { marginBottom: '12px' },
});

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
}: {
  label: string;
  assignments: AppRoleAssignment[];
  names: Map<string, string>;
}) {
  const styles = useStyles();
  if (assignments.length === 0) return <p>None.</p>;
  return (
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
          render: (a) => (
            <span className={styles.mono}>{names.get(`${a.resourceId}/${a.appRoleId}`) ?? a.appRoleId}</span>
          ),
        },
        { key: 'created', header: 'Granted', render: (a) => formatDate(a.createdDateTime) },
      ]}
    />
  );
}

function PrincipalDetail({ id }: { id: string }) {
  const styles = useStyles();
  const loaded = useLoad(
    async (signal) => {
      const [principal, held, granted] = await Promise.all([
        api<ServicePrincipal>(`/v1.0/servicePrincipals/${id}`, { signal }),
        list<AppRoleAssignment>(`/v1.0/servicePrincipals/${id}/appRoleAssignments`, signal),
        list<AppRoleAssignment>(`/v1.0/servicePrincipals/${id}/appRoleAssignedTo`, signal),
      ]);
      return { principal, held, granted, names: await roleNames([...held, ...granted], signal) };
    },
    [id],
  );
  return (
    <DataState loaded={loaded}>
      {({ principal, held, granted, names }) => (
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
            <Assignments label="Roles it holds" assignments={held} names={names} />
          </section>
          <section className={styles.section} aria-labelledby="granted">
            <Title3 as="h2" id="granted">
              Roles granted on it
            </Title3>
            <Assignments label="Roles granted on it" assignments={granted} names={names} />
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
