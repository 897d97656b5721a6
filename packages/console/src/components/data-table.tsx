/** A labelled table of rows with declared columns (Fluent's Table), optionally paged. */
import {
  Button,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { ChevronLeftRegular, ChevronRightRegular } from '@fluentui/react-icons';
import { type ReactNode, useEffect, useState } from 'react';

export interface ColumnSpec<T> {
  key: string;
  header: string;
  render: (row: T) => ReactNode;
}

const useStyles = makeStyles({
  pager: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, marginTop: '8px' },
  table: { tableLayout: 'auto' },
});

export function DataTable<T>({
  label,
  columns,
  rows,
  rowId,
  pageSize,
  selectedId,
}: {
  label: string;
  columns: ColumnSpec<T>[];
  rows: T[];
  rowId: (row: T) => string;
  /** Rows per page; absent: all rows. */
  pageSize?: number;
  selectedId?: string | undefined;
}) {
  const styles = useStyles();
  const [page, setPage] = useState(0);
  const pages = pageSize ? Math.max(1, Math.ceil(rows.length / pageSize)) : 1;
  useEffect(() => {
    if (page >= pages) setPage(0);
  }, [page, pages]);
  const shown = pageSize ? rows.slice(page * pageSize, (page + 1) * pageSize) : rows;
  return (
    <>
      <Table aria-label={label} size="small" className={styles.table}>
        <TableHeader>
          <TableRow>
            {columns.map((column) => (
              <TableHeaderCell key={column.key}>{column.header}</TableHeaderCell>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {shown.map((row) => (
            <TableRow key={rowId(row)} aria-selected={selectedId === rowId(row) ? true : undefined}>
              {columns.map((column) => (
                <TableCell key={column.key}>{column.render(row)}</TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {pages > 1 ? (
        <nav className={styles.pager} aria-label={`${label} pages`}>
          <Button
            icon={<ChevronLeftRegular />}
            disabled={page === 0}
            onClick={() => setPage(page - 1)}
            aria-label="Previous page"
          />
          <Text>
            Page {page + 1} of {pages} ({rows.length} items)
          </Text>
          <Button
            icon={<ChevronRightRegular />}
            disabled={page >= pages - 1}
            onClick={() => setPage(page + 1)}
            aria-label="Next page"
          />
        </nav>
      ) : null}
    </>
  );
}
