/**
 * The README's environment tables, rendered from a process's variable schema (`npm run docs:env`
 * writes them; a test fails when README.md and the schemas disagree).
 * @module
 */
import type { z } from 'zod';
import { envVariableDocs } from './environment.ts';
import { markdownTable } from './markdown-table.ts';

const HEADER = ['variable', 'default', 'meaning'] as const;

/** A Markdown table, columns padded the way formatters leave them, one row per variable in schema order. */
export function environmentTable(schema: z.ZodObject): string {
  const rows = Object.entries(schema.shape).map(([name, field]) => {
    const doc = envVariableDocs.get(field as z.ZodType);
    if (!doc) throw new Error(`${name} has no documentation: declare it with a builder of environment.ts`);
    const flags = doc.flags?.length ? ` (${doc.flags.map((flag) => `\`${flag}\``).join(', ')})` : '';
    return [
      `\`${name}\`${flags}`,
      doc.default === undefined ? 'unset' : `\`${doc.default}\``,
      doc.description,
    ];
  });
  return markdownTable(HEADER, rows);
}
