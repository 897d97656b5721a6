/**
 * The `explain` data as the console shows it (sign-in detail and Test a token): the verdict, the
 * token's claims, its time window, and each nearest miss as a field-by-field diff (expected vs actual).
 * @module
 */
import {
  Badge,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Title3,
  tokens,
} from '@fluentui/react-components';
import type { CredentialDiff, Explanation } from '../api/types.ts';
import { PropertyList } from './page.tsx';

const useStyles = makeStyles({
  block: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    marginTop: '12px',
    minWidth: 0,
    overflowWrap: 'anywhere',
  },
  mono: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-all' },
  bad: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightSemibold },
  good: { color: tokens.colorPaletteGreenForeground1 },
});

function DiffTable({ diff }: { diff: CredentialDiff }) {
  const styles = useStyles();
  return (
    <Table aria-label={`Differences from ${diff.name}`} size="small">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Field</TableHeaderCell>
          <TableHeaderCell>Credential expects</TableHeaderCell>
          <TableHeaderCell>Token has</TableHeaderCell>
          <TableHeaderCell>Result</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {diff.fields.map((field) => (
          <TableRow key={`${field.field}-${field.index ?? ''}-${field.claim ?? ''}`}>
            <TableCell>
              {field.claim ? `${field.field} (${field.claim} ${field.op ?? ''})` : field.field}
            </TableCell>
            <TableCell className={styles.mono}>{field.expected ?? '—'}</TableCell>
            <TableCell className={styles.mono}>{field.actual ?? '(absent)'}</TableCell>
            <TableCell>
              <span className={field.ok ? styles.good : styles.bad}>{field.ok ? 'matches' : 'differs'}</span>
              {field.ok ? null : <Text block>{field.summary}</Text>}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

export function ExplanationView({ explanation }: { explanation: Explanation }) {
  const styles = useStyles();
  return (
    <div className={styles.block}>
      <Text>
        <Badge color={explanation.verdict === 'match' ? 'success' : 'danger'}>
          {explanation.verdict === 'match' ? 'Match' : 'No match'}
        </Badge>{' '}
        {explanation.summary}
      </Text>
      <PropertyList
        items={[
          { label: 'Token issuer', value: explanation.token.issuer ?? '(none)', mono: true },
          { label: 'Token subject', value: explanation.token.subject ?? '(none)', mono: true },
          { label: 'Token audiences', value: explanation.token.audiences.join(', ') || '(none)', mono: true },
          { label: 'Time window', value: explanation.time.summary },
          {
            label: 'Matched credential',
            value: explanation.matchedCredential ? explanation.matchedCredential.name : '—',
          },
          {
            label: 'Credentials compared',
            value: `${explanation.credentialsCompared}${explanation.truncated ? ' (not all)' : ''}`,
          },
        ]}
      />
      {explanation.token.problems.length > 0 ? (
        <Text className={styles.bad}>{explanation.token.problems.join('; ')}</Text>
      ) : null}
      {explanation.nearestMisses.map((diff) => (
        <section key={diff.id} className={styles.block} aria-label={`Nearest miss ${diff.name}`}>
          <Title3 as="h3">
            Nearest miss: {diff.name} ({diff.score}% close)
          </Title3>
          <Text>{diff.summary}</Text>
          <DiffTable diff={diff} />
        </section>
      ))}
    </div>
  );
}
