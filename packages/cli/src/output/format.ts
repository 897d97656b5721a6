/**
 * az's output formats: `json` (default, indented), `jsonc` (same here), `tsv` (scalars of each row
 * separated by tabs, one row per array element — for shell variables), `table` (columns from the
 * rows' scalar properties) and `none`.
 * @module
 */
import { UsageError } from '../exit-codes.ts';

export const OUTPUT_FORMATS = ['json', 'jsonc', 'tsv', 'table', 'none'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function parseOutputFormat(value: string | undefined): OutputFormat {
  const format = (value ?? 'json').toLowerCase();
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--output: '${value}' is not one of ${OUTPUT_FORMATS.join(', ')}`);
  }
  return format as OutputFormat;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** One cell as az writes it: booleans as Python does, null empty, a nested array as its length. */
function tsvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (Array.isArray(value)) return String(value.length);
  if (isObject(value)) return '';
  return String(value);
}

function tsvRow(value: unknown): string {
  if (Array.isArray(value)) return value.map(tsvCell).join('\t');
  if (isObject(value)) return Object.values(value).map(tsvCell).join('\t');
  return tsvCell(value);
}

export function formatTsv(value: unknown): string {
  if (value === undefined) return '';
  const rows = Array.isArray(value) ? value : [value];
  return rows.map((row) => `${tsvRow(row)}\n`).join('');
}

const isScalar = (value: unknown) => value === null || typeof value !== 'object';

/** `displayName` → `DisplayName`, as az's table headers. */
const header = (key: string) => key.charAt(0).toUpperCase() + key.slice(1);

function tableCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value).replace(/[\r\n\t]+/g, ' ');
}

export function formatTable(value: unknown): string {
  if (value === undefined || value === null) return '';
  const rows = (Array.isArray(value) ? value : [value]).map(
    (row): Record<string, unknown> => (isObject(row) ? row : { Result: row }),
  );
  // A property is a column when it is scalar in every row (az leaves nested objects to --query).
  const seen: string[] = [];
  const nested = new Set<string>();
  for (const row of rows) {
    for (const [key, cell] of Object.entries(row)) {
      // OData annotations (@odata.context) are metadata, not columns.
      if (!isScalar(cell) || key.startsWith('@')) nested.add(key);
      if (!seen.includes(key)) seen.push(key);
    }
  }
  const columns = seen.filter((key) => !nested.has(key));
  if (columns.length === 0) return '';
  const cells = rows.map((row) => columns.map((key) => tableCell(row[key])));
  const titles = columns.map(header);
  const widths = titles.map((title, i) => Math.max(title.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (parts: string[]) =>
    parts
      .map((part, i) => part.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(titles), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)]
    .map((text) => `${text}\n`)
    .join('');
}

/** The text to print for `value` (empty for nothing to print). */
export function formatOutput(value: unknown, format: OutputFormat): string {
  switch (format) {
    case 'none':
      return '';
    case 'tsv':
      return formatTsv(value);
    case 'table':
      return formatTable(value);
    default:
      return value === undefined ? '' : `${JSON.stringify(value, null, 2)}\n`;
  }
}
