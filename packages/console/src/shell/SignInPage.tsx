/** Shown without a session: why (ended, refused link, never signed in) and how to get a sign-in link. */
import {
  Card,
  CardHeader,
  MessageBar,
  MessageBarBody,
  makeStyles,
  Text,
  Title2,
  tokens,
} from '@fluentui/react-components';

const useStyles = makeStyles({
  page: { display: 'grid', placeItems: 'center', minHeight: '100vh', padding: '16px' },
  card: { maxWidth: '560px', padding: tokens.spacingVerticalXL },
  code: { fontFamily: tokens.fontFamilyMonospace },
});

export function SignInPage({
  reason,
  message,
}: {
  reason: 'none' | 'ended' | 'refused';
  message?: string | undefined;
}) {
  const styles = useStyles();
  const headline =
    reason === 'ended'
      ? 'Your session has ended.'
      : reason === 'refused'
        ? 'This sign-in link cannot be used.'
        : 'Sign in to the credless console.';
  return (
    <main className={styles.page}>
      <Card className={styles.card}>
        <CardHeader header={<Title2 as="h1">credless console</Title2>} />
        <Text as="p" weight="semibold">
          {headline}
        </Text>
        {message ? (
          <MessageBar intent={reason === 'refused' ? 'error' : 'warning'} role="alert">
            <MessageBarBody>{message}</MessageBarBody>
          </MessageBar>
        ) : null}
        <Text as="p">
          Run <span className={styles.code}>credless console</span> for a new sign-in link (
          <span className={styles.code}>credless up</span> prints one at start). A link works once, for five
          minutes.
        </Text>
      </Card>
    </main>
  );
}
