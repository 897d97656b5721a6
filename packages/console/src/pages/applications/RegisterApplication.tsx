/** "Register an application" (a page, as in the portal): the name, and the API's error at the field. */
import { Button, Field, Input, makeStyles, tokens } from '@fluentui/react-components';
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.ts';
import type { Application } from '../../api/types.ts';
import { AppLink } from '../../components/links.tsx';
import { PageHeader } from '../../components/page.tsx';
import { FormError, fieldMessage } from '../../components/states.tsx';
import { useRouter } from '../../router.tsx';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, maxWidth: '560px' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS },
});

export default function RegisterApplication() {
  const styles = useStyles();
  const { navigate } = useRouter();
  const [name, setName] = useState('');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      const created = await api<Application>('/v1.0/applications', {
        method: 'POST',
        body: { displayName: name },
      });
      navigate(`/applications/${created.id}`);
    } catch (caught) {
      setError(caught as Error);
      setBusy(false);
    }
  };
  return (
    <>
      <p>
        <AppLink to="/applications">App registrations</AppLink> › Register an application
      </p>
      <PageHeader title="Register an application" />
      <form className={styles.form} onSubmit={submit}>
        <Field
          label="Name"
          required
          hint="The user-facing display name of the application."
          validationMessage={fieldMessage(error, 'displayName')}
        >
          <Input value={name} onChange={(_event, data) => setName(data.value)} />
        </Field>
        <FormError error={error} fields={['displayName']} />
        <div className={styles.actions}>
          <Button type="submit" appearance="primary" disabled={busy}>
            Register
          </Button>
          <Button onClick={() => navigate('/applications')}>Cancel</Button>
        </div>
      </form>
    </>
  );
}
