/**
 * One app registration, in the portal's sections: Overview (ids, delete), Certificates & secrets,
 * Federated credentials, API permissions, App roles. The section is the path's last segment.
 * @module
 */
import {
  Button,
  MessageBar,
  MessageBarBody,
  makeStyles,
  Tab,
  TabList,
  tokens,
} from '@fluentui/react-components';
import { DeleteRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { Application } from '../../api/types.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { AppLink } from '../../components/links.tsx';
import { formatDate, PageHeader, PropertyList } from '../../components/page.tsx';
import { DataState, ErrorMessage } from '../../components/states.tsx';
import { useLoad } from '../../components/use-load.ts';
import { useRouter } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import { ApiPermissions } from './ApiPermissions.tsx';
import { AppRoles } from './AppRoles.tsx';
import { CertificatesSecrets } from './CertificatesSecrets.tsx';
import { FederatedCredentials } from './FederatedCredentials.tsx';

const TABS = [
  { value: 'overview', label: 'Overview' },
  { value: 'credentials', label: 'Certificates & secrets' },
  { value: 'federated', label: 'Federated credentials' },
  { value: 'permissions', label: 'API permissions' },
  { value: 'roles', label: 'App roles' },
] as const;
type TabName = (typeof TABS)[number]['value'];

const useStyles = makeStyles({
  tabs: { marginBottom: tokens.spacingVerticalL },
  actions: { marginTop: tokens.spacingVerticalL },
});

export default function ApplicationDetail({ params }: { params: Record<string, string> }) {
  const styles = useStyles();
  const session = useSession();
  const { navigate } = useRouter();
  const id = params['id'] as string;
  const tab = (TABS.find((candidate) => candidate.value === params['tab'])?.value ?? 'overview') as TabName;
  const application = useLoad((signal) => api<Application>(`/v1.0/applications/${id}`, { signal }), [id]);
  const [deleteError, setDeleteError] = useState<Error>();
  const [deleted, setDeleted] = useState(false);
  const remove = async () => {
    try {
      await api(`/v1.0/applications/${id}`, { method: 'DELETE' });
      setDeleted(true);
    } catch (error) {
      setDeleteError(error as Error);
    }
  };
  if (deleted)
    return (
      <MessageBar intent="success">
        <MessageBarBody>
          The application was deleted. <AppLink to="/applications">Back to App registrations</AppLink>
        </MessageBarBody>
      </MessageBar>
    );
  return (
    <DataState loaded={application}>
      {(app) => (
        <>
          <p>
            <AppLink to="/applications">App registrations</AppLink> › {app.displayName}
          </p>
          <PageHeader title={app.displayName} />
          <TabList
            className={styles.tabs}
            selectedValue={tab}
            aria-label="Application sections"
            onTabSelect={(_event, data) =>
              navigate(`/applications/${id}/${String(data.value)}`, { replace: true })
            }
          >
            {TABS.map((entry) => (
              <Tab key={entry.value} value={entry.value}>
                {entry.label}
              </Tab>
            ))}
          </TabList>
          {tab === 'overview' ? (
            <>
              <PropertyList
                items={[
                  { label: 'Display name', value: app.displayName },
                  { label: 'Application (client) ID', value: app.appId, copy: app.appId, mono: true },
                  { label: 'Object ID', value: app.id, copy: app.id, mono: true },
                  {
                    label: 'Directory (tenant) ID',
                    value: session.tenantId,
                    copy: session.tenantId,
                    mono: true,
                  },
                  { label: 'Application ID URIs', value: app.identifierUris.join(', ') || '—' },
                  { label: 'Created', value: formatDate(app.createdDateTime) },
                ]}
              />
              <div className={styles.actions}>
                <ConfirmDialog
                  title={`Delete ${app.displayName}?`}
                  message="The application, its service principal, credentials and role assignments are removed."
                  confirmLabel="Delete"
                  onConfirm={remove}
                  trigger={<Button icon={<DeleteRegular />}>Delete application</Button>}
                />
                {deleteError ? <ErrorMessage error={deleteError} /> : null}
              </div>
            </>
          ) : null}
          {tab === 'credentials' ? (
            <CertificatesSecrets application={app} reload={application.reload} />
          ) : null}
          {tab === 'federated' ? <FederatedCredentials application={app} /> : null}
          {tab === 'permissions' ? <ApiPermissions application={app} reload={application.reload} /> : null}
          {tab === 'roles' ? <AppRoles application={app} reload={application.reload} /> : null}
        </>
      )}
    </DataState>
  );
}
