/** App registrations: search, paging, and "New registration" (the name's error shown at the field). */
import { Button, Field, makeStyles, SearchBox, tokens } from '@fluentui/react-components';
import { AddRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { list } from '../../api/client.ts';
import type { Application } from '../../api/types.ts';
import { DataTable } from '../../components/data-table.tsx';
import { AppLink } from '../../components/links.tsx';
import { formatDate, PageHeader } from '../../components/page.tsx';
import { DataState } from '../../components/states.tsx';
import { useLoad } from '../../components/use-load.ts';
import { useRouter } from '../../router.tsx';

const useStyles = makeStyles({
  toolbar: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'end', marginBottom: '12px' },
  mono: { fontFamily: tokens.fontFamilyMonospace },
});

export const PAGE_SIZE = 20;

export default function ApplicationList() {
  const styles = useStyles();
  const { navigate } = useRouter();
  const [search, setSearch] = useState('');
  const applications = useLoad((signal) => list<Application>('/v1.0/applications', signal), []);
  const needle = search.trim().toLowerCase();
  return (
    <>
      <PageHeader
        title="App registrations"
        description="Applications of this tenant: their federated credentials, permissions, roles and secrets."
      />
      <div className={styles.toolbar}>
        <Field label="Search by name or application (client) ID">
          <SearchBox value={search} onChange={(_event, data) => setSearch(data.value)} />
        </Field>
        <Button appearance="primary" icon={<AddRegular />} onClick={() => navigate('/applications/new')}>
          New registration
        </Button>
      </div>
      <DataState
        loaded={applications}
        isEmpty={(items) => items.length === 0}
        empty="No application is registered yet: New registration adds one."
      >
        {(items) => {
          const shown = items.filter(
            (app) => !needle || app.displayName.toLowerCase().includes(needle) || app.appId.includes(needle),
          );
          return shown.length === 0 ? (
            <p>No application matches “{search}”.</p>
          ) : (
            <DataTable
              label="App registrations"
              rows={shown}
              rowId={(app) => app.id}
              pageSize={PAGE_SIZE}
              columns={[
                {
                  key: 'name',
                  header: 'Display name',
                  render: (app) => <AppLink to={`/applications/${app.id}`}>{app.displayName}</AppLink>,
                },
                {
                  key: 'appId',
                  header: 'Application (client) ID',
                  render: (app) => <span className={styles.mono}>{app.appId}</span>,
                },
                { key: 'created', header: 'Created', render: (app) => formatDate(app.createdDateTime) },
                {
                  key: 'credentials',
                  header: 'Certificates & secrets',
                  render: (app) =>
                    `${app.keyCredentials.length} cert, ${app.passwordCredentials.length} secret`,
                },
              ]}
            />
          );
        }}
      </DataState>
    </>
  );
}
