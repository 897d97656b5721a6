/**
 * Sign-in logs (service principal sign-ins): filters (application, result, time range, error code),
 * live refresh, and a detail pane with the ids and the nearest-miss explanation as a diff.
 * @module
 */
import {
  Badge,
  Button,
  Field,
  Input,
  makeStyles,
  Select,
  Switch,
  Title3,
  tokens,
} from '@fluentui/react-components';
import { ArrowClockwiseRegular, DismissRegular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import { list } from '../api/client.ts';
import type { Application, SignIn } from '../api/types.ts';
import { DataTable } from '../components/data-table.tsx';
import { ExplanationView } from '../components/explanation.tsx';
import { formatDate, PageHeader, PropertyList } from '../components/page.tsx';
import { DataState, Empty } from '../components/states.tsx';
import { useLoad } from '../components/use-load.ts';
import { keepSignIn, type SignInFilters, signInsPath } from './sign-in-query.ts';

const useStyles = makeStyles({
  filters: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalM,
    alignItems: 'end',
    marginBottom: '12px',
  },
  layout: { display: 'grid', gridTemplateColumns: 'minmax(0, 1fr)', gap: '16px' },
  withDetail: { gridTemplateColumns: 'minmax(0, 1fr) minmax(360px, 40%)' },
  detail: {
    minWidth: 0,
    overflowWrap: 'anywhere',
    borderLeft: `1px solid ${tokens.colorNeutralStroke2}`,
    paddingLeft: tokens.spacingHorizontalL,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
  },
  detailHeader: { display: 'flex', justifyContent: 'space-between', alignItems: 'center' },
});

const RANGES = [
  { hours: 1, label: 'Last hour' },
  { hours: 24, label: 'Last 24 hours' },
  { hours: 24 * 7, label: 'Last 7 days' },
  { hours: 0, label: 'Any time' },
];
export const LIVE_REFRESH_MS = 5000;

function Detail({ signIn, onClose }: { signIn: SignIn; onClose: () => void }) {
  const styles = useStyles();
  return (
    <aside className={styles.detail} aria-labelledby="sign-in-detail">
      <div className={styles.detailHeader}>
        <Title3 as="h2" id="sign-in-detail">
          Sign-in details
        </Title3>
        <Button appearance="subtle" icon={<DismissRegular />} aria-label="Close details" onClick={onClose} />
      </div>
      <PropertyList
        items={[
          { label: 'Date', value: formatDate(signIn.createdDateTime) },
          { label: 'Result', value: signIn.result === 'success' ? 'Success' : 'Failure' },
          { label: 'Application ID', value: signIn.appId, copy: signIn.appId, mono: true },
          { label: 'Credential', value: signIn.credentialName ?? '—' },
          { label: 'Issuer', value: signIn.issuer ?? '—', mono: true },
          { label: 'Subject', value: signIn.subject ?? '—', mono: true },
          { label: 'Audience', value: signIn.audience ?? '—', mono: true },
          { label: 'Resource', value: signIn.resource ?? '—', mono: true },
          { label: 'Roles', value: signIn.roles?.join(', ') || '—' },
          {
            label: 'Error code',
            value: signIn.errorCode ? `${signIn.errorCode} (AADSTS${signIn.status.errorCode})` : '—',
          },
          { label: 'Failed step', value: signIn.failedStep ?? '—' },
          { label: 'Failure detail', value: signIn.failureDetail ?? '—' },
          { label: 'Policy audit', value: signIn.policyAudit ?? '—' },
          { label: 'Request ID', value: signIn.id, copy: signIn.id, mono: true },
          { label: 'Correlation ID', value: signIn.correlationId, copy: signIn.correlationId, mono: true },
          { label: 'Trace ID', value: signIn.traceId, copy: signIn.traceId, mono: true },
          { label: 'Latency', value: `${signIn.latencyMs} ms` },
        ]}
      />
      {signIn.explanation ? (
        <section aria-label="Explanation">
          <Title3 as="h3">Why no credential matched</Title3>
          <ExplanationView explanation={signIn.explanation} />
        </section>
      ) : null}
    </aside>
  );
}

export default function SignIns() {
  const styles = useStyles();
  const [filters, setFilters] = useState<SignInFilters>({
    appId: '',
    result: 'all',
    hours: 24,
    errorCode: '',
  });
  const [live, setLive] = useState(true);
  const [selected, setSelected] = useState<string>();
  const applications = useLoad(
    (signal) => list<Application>('/v1.0/applications', signal).catch(() => []),
    [],
  );
  const signIns = useLoad(
    (signal) => list<SignIn>(signInsPath(filters, Date.now()), signal),
    [filters.appId, filters.result, filters.hours],
  );
  const { reload } = signIns;
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(reload, LIVE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [live, reload]);
  const set = (patch: Partial<SignInFilters>) => setFilters((current) => ({ ...current, ...patch }));
  const shown = (signIns.data ?? []).filter((record) => keepSignIn(filters, record));
  const detail = shown.find((record) => record.id === selected);
  return (
    <>
      <PageHeader
        title="Sign-in logs"
        description="Service principal sign-ins: every token exchange, with why a refused one was refused."
      />
      <div className={styles.filters}>
        <Field label="Application">
          <Select value={filters.appId} onChange={(_event, data) => set({ appId: data.value })}>
            <option value="">All applications</option>
            {(applications.data ?? []).map((app) => (
              <option key={app.id} value={app.appId}>
                {app.displayName}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Result">
          <Select
            value={filters.result}
            onChange={(_event, data) => set({ result: data.value as SignInFilters['result'] })}
          >
            <option value="all">All</option>
            <option value="success">Success</option>
            <option value="failure">Failure</option>
          </Select>
        </Field>
        <Field label="Time range">
          <Select
            value={String(filters.hours)}
            onChange={(_event, data) => set({ hours: Number(data.value) })}
          >
            {RANGES.map((range) => (
              <option key={range.hours} value={range.hours}>
                {range.label}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Error code">
          <Input value={filters.errorCode} onChange={(_event, data) => set({ errorCode: data.value })} />
        </Field>
        <Switch checked={live} onChange={(_event, data) => setLive(data.checked)} label="Live refresh" />
        <Button icon={<ArrowClockwiseRegular />} onClick={reload}>
          Refresh
        </Button>
      </div>
      <div className={`${styles.layout} ${detail ? styles.withDetail : ''}`}>
        <div>
          <DataState loaded={signIns}>
            {() =>
              shown.length === 0 ? (
                <Empty>No sign-in matches these filters.</Empty>
              ) : (
                <DataTable
                  label="Sign-ins"
                  rows={shown}
                  rowId={(record) => record.id}
                  selectedId={selected}
                  pageSize={25}
                  columns={[
                    { key: 'date', header: 'Date', render: (record) => formatDate(record.createdDateTime) },
                    {
                      key: 'app',
                      header: 'Application',
                      render: (record) =>
                        applications.data?.find((app) => app.appId === record.appId)?.displayName ??
                        record.appId,
                    },
                    {
                      key: 'status',
                      header: 'Status',
                      render: (record) => (
                        <Badge color={record.result === 'success' ? 'success' : 'danger'}>
                          {record.result === 'success' ? 'Success' : 'Failure'}
                        </Badge>
                      ),
                    },
                    {
                      key: 'credential',
                      header: 'Credential',
                      render: (record) => record.credentialName ?? '—',
                    },
                    { key: 'error', header: 'Error code', render: (record) => record.errorCode ?? '' },
                    {
                      key: 'details',
                      header: 'Details',
                      render: (record) => (
                        <Button
                          size="small"
                          onClick={() => setSelected(record.id)}
                          aria-label={`Details of the sign-in at ${formatDate(record.createdDateTime)}`}
                        >
                          Details
                        </Button>
                      ),
                    },
                  ]}
                />
              )
            }
          </DataState>
        </div>
        {detail ? <Detail signIn={detail} onClose={() => setSelected(undefined)} /> : null}
      </div>
    </>
  );
}
