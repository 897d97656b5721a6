/**
 * Test a token: paste a JWT (or drop a file), pick an application, and see which credential matches
 * or why none does — POST /{tenant}/explain, a dry run that issues and records nothing.
 * @module
 */
import {
  Badge,
  Button,
  Field,
  makeStyles,
  Select,
  Switch,
  Textarea,
  Title3,
  tokens,
} from '@fluentui/react-components';
import { BeakerRegular } from '@fluentui/react-icons';
import { type DragEvent, type FormEvent, useState } from 'react';
import { api, list } from '../api/client.ts';
import type { Application, DryRunReport } from '../api/types.ts';
import { ExplanationView } from '../components/explanation.tsx';
import { PageHeader, PropertyList } from '../components/page.tsx';
import { FormError, fieldMessage } from '../components/states.tsx';
import { useLoad } from '../components/use-load.ts';
import { useRouter } from '../router.tsx';
import { useSession } from '../session.tsx';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, maxWidth: '880px' },
  token: { fontFamily: tokens.fontFamilyMonospace },
  result: { marginTop: '24px' },
});

export default function TestToken() {
  const styles = useStyles();
  const session = useSession();
  const { search } = useRouter();
  const applications = useLoad((signal) => list<Application>('/v1.0/applications', signal), []);
  const [appId, setAppId] = useState(search.get('appId') ?? '');
  const [token, setToken] = useState('');
  const [verifySignature, setVerifySignature] = useState(true);
  const [report, setReport] = useState<DryRunReport>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const chosen = appId || applications.data?.[0]?.appId || '';
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setReport(undefined);
    try {
      setReport(
        await api<DryRunReport>(`/${session.tenantId}/explain`, {
          method: 'POST',
          body: { appId: chosen, token: token.trim(), verifySignature },
        }),
      );
      setError(undefined);
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  };
  const onDrop = async (event: DragEvent<HTMLTextAreaElement>) => {
    const file = event.dataTransfer.files[0];
    if (!file) return;
    event.preventDefault();
    setToken((await file.text()).trim());
  };
  return (
    <>
      <PageHeader
        title="Test a token"
        description="Check a workload's token against an application's federated credentials. Nothing is issued or recorded."
      />
      <form className={styles.form} onSubmit={submit}>
        <Field label="Application" required validationMessage={fieldMessage(error, 'appId')}>
          <Select value={chosen} onChange={(_event, data) => setAppId(data.value)}>
            {(applications.data ?? []).map((app) => (
              <option key={app.id} value={app.appId}>
                {app.displayName} ({app.appId})
              </option>
            ))}
          </Select>
        </Field>
        <Field
          label="Token (JWT)"
          required
          hint="Paste the token, or drop a file holding it."
          validationMessage={fieldMessage(error, 'token')}
        >
          <Textarea
            className={styles.token}
            value={token}
            rows={6}
            resize="vertical"
            onChange={(_event, data) => setToken(data.value)}
            onDrop={(event) => void onDrop(event)}
          />
        </Field>
        <Switch
          checked={verifySignature}
          onChange={(_event, data) => setVerifySignature(data.checked)}
          label="Check the signature with the issuer's keys"
        />
        <FormError error={error} fields={['appId', 'token']} />
        <div>
          <Button type="submit" appearance="primary" icon={<BeakerRegular />} disabled={busy || !chosen}>
            {busy ? 'Testing…' : 'Test token'}
          </Button>
        </div>
      </form>
      {report ? (
        <section className={styles.result} aria-labelledby="result">
          <Title3 as="h2" id="result">
            Result for {report.application.displayName}:{' '}
            <Badge color={report.verdict === 'match' ? 'success' : 'danger'}>
              {report.verdict === 'match' ? 'would be accepted' : 'would be refused'}
            </Badge>
          </Title3>
          <PropertyList
            items={[
              {
                label: 'Signature',
                value: `${report.signature.status}${report.signature.reason ? `: ${report.signature.reason}` : ''}`,
              },
              { label: 'Token structure', value: report.structureProblem ?? 'fine' },
              {
                label: 'Issuer policy',
                value: report.issuerPolicy.refusedBy
                  ? `refused: ${report.issuerPolicy.refusedBy.summary}`
                  : `${report.issuerPolicy.mode}: passes`,
              },
            ]}
          />
          <ExplanationView explanation={report.explanation} />
        </section>
      ) : null}
    </>
  );
}
