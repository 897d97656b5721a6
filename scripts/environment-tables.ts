/**
 * The README's environment tables, one per process kind, rendered from the schemas that parse the
 * variables. Each sits between `<!-- env:<kind> -->` and `<!-- /env:<kind> -->` in README.md.
 */
import { environmentTable } from '@credless/common';
import { serverEnvironment } from '../packages/server/src/config/server-environment.ts';
import { webhookEnvironment } from '../packages/webhook/src/commands/serve-environment.ts';

export const ENVIRONMENT_SCHEMAS = { server: serverEnvironment, webhook: webhookEnvironment };

/** `readme` with every environment table replaced by the one rendered from its schema. */
export function withEnvironmentTables(readme: string): string {
  let text = readme;
  for (const [kind, schema] of Object.entries(ENVIRONMENT_SCHEMAS)) {
    const start = `<!-- env:${kind} -->`;
    const end = `<!-- /env:${kind} -->`;
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} block`);
    text = `${text.slice(0, from + start.length)}\n${environmentTable(schema)}\n${text.slice(to)}`;
  }
  return text;
}
