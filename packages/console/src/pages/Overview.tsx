/**
 * Overview: the tenant (name, ids, domain), the URLs a workload or az needs (authority, issuer, token
 * endpoint, JWKS) with copy buttons, counts of what the directory holds, health, and the signing keys.
 * @module
 */
import { Badge, Card, makeStyles, Text, Title3, tokens } from '@fluentui/react-components';
import { api, list } from '../api/client.ts';
import type { Organization } from '../api/types.ts';
import { PageHeader, PropertyList } from '../components/page.tsx';
import { DataState, ErrorMessage } from '../components/states.tsx';
import { useLoad } from '../components/use-load.ts';
import { useSession } from '../session.tsx';

const useStyles = makeStyles({
  grid: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(180px, 1fr))', gap: '12px' },
  card: { padding: tokens.spacingVerticalM },
  count: { fontSize: tokens.fontSizeHero700, fontWeight: tokens.fontWeightSemibold },
  section: { marginTop: '24px', display: 'flex', flexDirection: 'column', gap: '8px' },
});

interface Discovery {
  issuer: string;
  token_endpoint: string;
  jwks_uri: string;
}

/** Each count on its own: a role the session lacks shows as "—", not as a failed page. */
const countOf = (path: string, signal: AbortSignal) =>
  list<unknown>(path, signal).then(
    (items) => items.length,
    () => undefined,
  );

export default function Overview() {
  const styles = useStyles();
  const session = useSession();
  const tenant = useLoad(async (signal) => (await list<Organization>('/v1.0/organization', signal))[0], []);
  const discovery = useLoad(
    (signal) => api<Discovery>(`/${session.tenantId}/v2.0/.well-known/openid-configuration`, { signal }),
    [session.tenantId],
  );
  const keys = useLoad(
    async (signal) => {
      const document = await api<Discovery>(`/${session.tenantId}/v2.0/.well-known/openid-configuration`, {
        signal,
      });
      const path = new URL(document.jwks_uri).pathname;
      return (await api<{ keys: Array<{ kid: string }> }>(path, { signal })).keys;
    },
    [session.tenantId],
  );
  const counts = useLoad(async (signal) => {
    const [applications, principals, groups, signIns] = await Promise.all([
      countOf('/v1.0/applications', signal),
      countOf('/v1.0/servicePrincipals', signal),
      countOf('/v1.0/groups', signal),
      countOf('/v1.0/auditLogs/signIns?$top=1000', signal),
    ]);
    return { applications, principals, groups, signIns };
  }, []);
  const health = useLoad(async (signal) => {
    const response = await fetch('/readyz', { signal });
    return { ready: response.ok, detail: (await response.json()) as Record<string, unknown> };
  }, []);
  const authority = `${window.location.origin}/${session.tenantId}`;
  return (
    <>
      <PageHeader
        title="Overview"
        description="The tenant this console manages, and how workloads reach it."
      />
      <DataState loaded={tenant}>
        {(organization) => (
          <PropertyList
            items={[
              { label: 'Tenant name', value: organization?.displayName ?? '—' },
              { label: 'Tenant ID', value: session.tenantId, copy: session.tenantId, mono: true },
              {
                label: 'Primary domain',
                value: organization?.verifiedDomains?.find((domain) => domain.isDefault)?.name ?? '—',
              },
              { label: 'Authority', value: authority, copy: authority, mono: true },
              ...(discovery.data
                ? [
                    {
                      label: 'Issuer',
                      value: discovery.data.issuer,
                      copy: discovery.data.issuer,
                      mono: true,
                    },
                    {
                      label: 'Token endpoint',
                      value: discovery.data.token_endpoint,
                      copy: discovery.data.token_endpoint,
                      mono: true,
                    },
                  ]
                : []),
            ]}
          />
        )}
      </DataState>
      {discovery.error ? <ErrorMessage error={discovery.error} /> : null}
      <section className={styles.section} aria-labelledby="counts">
        <Title3 as="h2" id="counts">
          Directory
        </Title3>
        <div className={styles.grid}>
          {(
            [
              ['App registrations', counts.data?.applications],
              ['Enterprise applications', counts.data?.principals],
              ['Groups', counts.data?.groups],
              ['Recent sign-ins', counts.data?.signIns],
            ] as const
          ).map(([label, value]) => (
            <Card key={label} className={styles.card}>
              <Text>{label}</Text>
              <Text className={styles.count}>{counts.loading ? '…' : (value ?? '—')}</Text>
            </Card>
          ))}
        </div>
      </section>
      <section className={styles.section} aria-labelledby="health">
        <Title3 as="h2" id="health">
          Health and signing keys
        </Title3>
        <PropertyList
          items={[
            {
              label: 'Readiness',
              value: health.data ? (
                <Badge color={health.data.ready ? 'success' : 'danger'}>
                  {health.data.ready ? 'Ready' : 'Unavailable'}
                </Badge>
              ) : (
                '…'
              ),
            },
            {
              label: 'Published signing keys',
              value: keys.data ? `${keys.data.length}: ${keys.data.map((key) => key.kid).join(', ')}` : '…',
              mono: true,
            },
          ]}
        />
      </section>
    </>
  );
}
