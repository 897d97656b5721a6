/** Console sessions: who is signed in to this console, since when, until when; revoke any of them. */
import { Badge, Button } from '@fluentui/react-components';
import { DeleteRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { api, list } from '../api/client.ts';
import type { SessionSummary } from '../api/types.ts';
import { DataTable } from '../components/data-table.tsx';
import { formatDate, PageHeader } from '../components/page.tsx';
import { DataState, ErrorMessage } from '../components/states.tsx';
import { useLoad } from '../components/use-load.ts';
import { useSessionState } from '../session.tsx';

export default function Sessions() {
  const { signOut } = useSessionState();
  const sessions = useLoad((signal) => list<SessionSummary>('/console/api/sessions', signal), []);
  const [revokeError, setRevokeError] = useState<Error>();
  const revoke = async (session: SessionSummary) => {
    try {
      await api(`/console/api/sessions/${session.id}`, { method: 'DELETE' });
      setRevokeError(undefined);
      if (session.current) await signOut();
      else sessions.reload();
    } catch (error) {
      setRevokeError(error as Error);
    }
  };
  return (
    <>
      <PageHeader
        title="Console sessions"
        description="Every signed-in console session of this server; revoke one to sign it out."
      />
      {revokeError ? <ErrorMessage error={revokeError} /> : null}
      <DataState loaded={sessions} isEmpty={(items) => items.length === 0} empty="No session.">
        {(items) => (
          <DataTable
            label="Console sessions"
            rows={items}
            rowId={(session) => session.id}
            columns={[
              {
                key: 'who',
                header: 'Signed in as',
                render: (session) => (
                  <>
                    {session.principal.displayName}{' '}
                    {session.current ? <Badge color="brand">this session</Badge> : null}
                  </>
                ),
              },
              { key: 'created', header: 'Since', render: (session) => formatDate(session.createdAt) },
              { key: 'used', header: 'Last used', render: (session) => formatDate(session.lastUsedAt) },
              { key: 'expires', header: 'Expires', render: (session) => formatDate(session.expiresAt) },
              {
                key: 'revoke',
                header: 'Revoke',
                render: (session) => (
                  <Button size="small" icon={<DeleteRegular />} onClick={() => void revoke(session)}>
                    Revoke
                  </Button>
                ),
              },
            ]}
          />
        )}
      </DataState>
    </>
  );
}
