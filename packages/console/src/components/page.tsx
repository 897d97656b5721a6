/** Page furniture: the title block, a copy button, a labelled value list. */
import { Button, makeStyles, Text, Title2, Tooltip, tokens } from '@fluentui/react-components';
import { CheckmarkRegular, CopyRegular } from '@fluentui/react-icons';
import { type ReactNode, useState } from 'react';

const useStyles = makeStyles({
  header: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, marginBottom: '16px' },
  list: {
    display: 'grid',
    gridTemplateColumns: 'minmax(160px, max-content) 1fr',
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalS,
    alignItems: 'center',
    margin: 0,
  },
  value: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalXS,
    margin: 0,
    wordBreak: 'break-all',
  },
  term: { fontWeight: tokens.fontWeightSemibold },
  mono: { fontFamily: tokens.fontFamilyMonospace },
});

export function PageHeader({ title, description }: { title: string; description?: ReactNode }) {
  const styles = useStyles();
  return (
    <header className={styles.header}>
      <Title2 as="h1">{title}</Title2>
      {description ? <Text as="p">{description}</Text> : null}
    </header>
  );
}

export function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(value).catch(() => undefined);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  const text = copied ? 'Copied' : `Copy ${label}`;
  return (
    <Tooltip content={text} relationship="label">
      <Button
        appearance="subtle"
        size="small"
        icon={copied ? <CheckmarkRegular /> : <CopyRegular />}
        onClick={copy}
      />
    </Tooltip>
  );
}

export interface Property {
  label: string;
  value: ReactNode;
  /** Shown with a copy button. */
  copy?: string;
  mono?: boolean;
}

export function PropertyList({ items }: { items: Property[] }) {
  const styles = useStyles();
  return (
    <dl className={styles.list}>
      {items.map((item) => (
        <div key={item.label} style={{ display: 'contents' }}>
          <dt className={styles.term}>{item.label}</dt>
          <dd className={`${styles.value} ${item.mono ? styles.mono : ''}`}>
            <span>{item.value}</span>
            {item.copy ? <CopyButton value={item.copy} label={item.label} /> : null}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export const formatDate = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';
