/**
 * Secret inventory (what no portal has): every application still holding a client secret or a
 * certificate, how many and when the next expires, its last sign-in from the sign-in logs, and the way
 * to replace them with a federated credential.
 * @module
 */
import { Badge, Button } from '@fluentui/react-components';
import { ArrowSwapRegular } from '@fluentui/react-icons';
import { list, odataString } from '../api/client.ts';
import type { Application, SignIn } from '../api/types.ts';
import { DataTable } from '../components/data-table.tsx';
import { AppLink } from '../components/links.tsx';
import { formatDate, PageHeader } from '../components/page.tsx';
import { DataState } from '../components/states.tsx';
import { useLoad } from '../components/use-load.ts';
import { useRouter } from '../router.tsx';

interface InventoryRow {
  application: Application;
  nextExpiry: string | undefined;
  lastSignIn: SignIn | undefined;
}

const earliest = (dates: Array<string | null | undefined>) =>
  dates.filter((date): date is string => Boolean(date)).sort()[0];

async function loadInventory(signal: AbortSignal): Promise<InventoryRow[]> {
  const holders = (await list<Application>('/v1.0/applications', signal)).filter(
    (app) => app.passwordCredentials.length > 0 || app.keyCredentials.length > 0,
  );
  return Promise.all(
    holders.map(async (application) => {
      const filter = encodeURIComponent(`appId eq ${odataString(application.appId)}`);
      // Newest first: the first record is the last use (an identity without AuditLog.Read.All sees none).
      const [lastSignIn] = await list<SignIn>(
        `/v1.0/auditLogs/signIns?$top=1&$filter=${filter}`,
        signal,
      ).catch(() => []);
      const nextExpiry = earliest([
        ...application.passwordCredentials.map((secret) => secret.endDateTime),
        ...application.keyCredentials.map((key) => key.endDateTime),
      ]);
      return { application, nextExpiry, lastSignIn };
    }),
  );
}

export default function SecretInventory() {
  const { navigate } = useRouter();
  const inventory = useLoad(loadInventory, []);
  return (
    <>
      <PageHeader
        title="Secret inventory"
        description="Applications that still hold a client secret or a certificate: each is a credential that can leak. Replace them with federated credentials."
      />
      <DataState
        loaded={inventory}
        isEmpty={(rows) => rows.length === 0}
        empty="No application holds a secret or a certificate."
      >
        {(rows) => (
          <DataTable
            label="Applications holding secrets or certificates"
            rows={rows}
            rowId={(row) => row.application.id}
            columns={[
              {
                key: 'name',
                header: 'Application',
                render: (row) => (
                  <AppLink to={`/applications/${row.application.id}/credentials`}>
                    {row.application.displayName}
                  </AppLink>
                ),
              },
              {
                key: 'held',
                header: 'Holds',
                render: (row) => (
                  <>
                    {row.application.passwordCredentials.length > 0 ? (
                      <Badge color="danger">{row.application.passwordCredentials.length} secret(s)</Badge>
                    ) : null}{' '}
                    {row.application.keyCredentials.length > 0 ? (
                      <Badge color="warning">{row.application.keyCredentials.length} certificate(s)</Badge>
                    ) : null}
                  </>
                ),
              },
              { key: 'expiry', header: 'Next expiry', render: (row) => formatDate(row.nextExpiry) },
              {
                key: 'last',
                header: 'Last sign-in',
                render: (row) =>
                  row.lastSignIn
                    ? `${formatDate(row.lastSignIn.createdDateTime)} (${row.lastSignIn.result}${
                        row.lastSignIn.credentialName ? `, federated: ${row.lastSignIn.credentialName}` : ''
                      })`
                    : 'never (in the kept logs)',
              },
              {
                key: 'replace',
                header: 'Replace',
                render: (row) => (
                  <Button
                    size="small"
                    icon={<ArrowSwapRegular />}
                    onClick={() => navigate(`/applications/${row.application.id}/federated`)}
                  >
                    Replace with a federated credential
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
