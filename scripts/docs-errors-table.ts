/**
 * The README's "Errors and exit codes" table, rendered from core's error catalogue: every code with its
 * exit code, HTTP status, wire code and message. It sits between `<!-- errors -->` and `<!-- /errors -->`
 * in README.md; `npm run docs:errors` writes it, scripts/test/errors-table.test.ts fails when it is stale.
 */
import { markdownTable } from '@credless/common';
import { ERROR_CATALOGUE, type ErrorCode, exitCodeOf } from '@credless/core';

const START = '<!-- errors -->';
const END = '<!-- /errors -->';

/** The message template with each parameter shown as `{name}`. */
function templateText(code: ErrorCode): string {
  const params = new Proxy({}, { get: (_target, name) => `{${String(name)}}` });
  return ERROR_CATALOGUE[code].message(params).replace(/\s*\n\s*/g, ' ');
}

function wireCode(code: ErrorCode): string {
  const spec = ERROR_CATALOGUE[code];
  switch (spec.kind) {
    case 'sts':
      return `\`${spec.error}\` AADSTS${spec.aadsts}`;
    case 'directory':
      return `\`${spec.graph}\``;
    case 'admission':
      return `\`${spec.reason}\``;
    case 'operator':
      return '';
  }
}

const cell = (text: string) => text.replaceAll('|', '\\|');

/** The table: one row per catalogue code, in catalogue order. */
export function errorsTable(): string {
  const rows = (Object.keys(ERROR_CATALOGUE) as ErrorCode[]).map((code) => {
    const spec = ERROR_CATALOGUE[code];
    const status = spec.kind === 'operator' ? '' : String(spec.status);
    return [
      `\`${code}\``,
      spec.kind,
      String(exitCodeOf(code)),
      status,
      wireCode(code),
      cell(templateText(code)),
    ];
  });
  return markdownTable(['code', 'kind', 'exit', 'HTTP', 'on the wire', 'message'], rows);
}

/** `readme` with the errors table replaced by the one rendered from the catalogue. */
export function withErrorsTable(readme: string): string {
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`README.md has no ${START} … ${END} block`);
  return `${readme.slice(0, from + START.length)}\n${errorsTable()}\n${readme.slice(to)}`;
}
