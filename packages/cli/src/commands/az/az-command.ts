/**
 * Plumbing of the az-shaped commands: `--query`/`-o` on every command, az's `objectId`, and the rule
 * for where `ad …` commands act (see declare.ts).
 * @module
 */
import type { Command } from 'commander';
import type { DirectoryContext, StoreOptions } from '../../context.ts';
import { CommandError, EXIT, UsageError } from '../../exit-codes.ts';
import { formatOutput, parseOutputFormat } from '../../output/format.ts';
import type { GraphApi } from '../../session/graph-api.ts';

// Imported when a command runs, not at start-up (lazy CLI: see cli.ts).
const openDirectoryContext = async (options: StoreOptions) =>
  (await import('../../context.ts')).openDirectoryContext(options);
const openGraphApi = async () => (await import('../../session/graph-api.ts')).openGraphApi({});
/** The compiled --query, checked before anything runs (the JMESPath library loads only when one is given). */
const queryOf = async (options: Options) =>
  options.query === undefined
    ? undefined
    : (await import('../../output/query.ts')).compileQuery(options.query);

export type Options = Record<string, unknown> & StoreOptions & { query?: string; output?: string };

/** az's `objectId` (AAD Graph's name, which the seed queries) next to every `ad` result's `id`. */
export function withObjectIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withObjectIds);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  if (typeof record['id'] !== 'string' || 'objectId' in record) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) {
    out[key] = item;
    if (key === 'id') out['objectId'] = item;
  }
  return out;
}

export const outputOptions = (command: Command) =>
  command
    .option('--query <jmespath>', "JMESPath query applied to the result (az's --query)")
    .option('-o, --output <format>', 'json (default), jsonc, tsv, table or none');

/** The store options every directory command shares (tenant, data directory, PostgreSQL URL). */
export const storeOptions = (command: Command) =>
  command
    .option('--tenant <id-or-domain>', 'tenant to act on (default: the default tenant)')
    .option('--data-dir <dir>', 'data directory (default: $CREDLESS_DATA_DIR or ./.credless)')
    .option('--database-url <url>', 'PostgreSQL URL (default: $CREDLESS_DATABASE_URL; unset = SQLite)');

/**
 * A command acting on the store directly, with az's `--query` and `-o` (checked before anything
 * changes); prints nothing when `run` returns undefined.
 */
export function storeCommand<O extends Options = Options>(
  command: Command,
  run: (ctx: DirectoryContext, options: O) => Promise<unknown>,
): Command {
  return outputOptions(storeOptions(command)).action(async (options: O) => {
    const format = parseOutputFormat(options.output);
    const query = await queryOf(options);
    const ctx = await openDirectoryContext(options);
    let result: unknown;
    try {
      result = await run(ctx, options);
    } finally {
      await ctx.close();
    }
    if (result !== undefined)
      process.stdout.write(formatOutput(query ? query.apply(result) : result, format));
  });
}

export async function print(options: Options, produce: () => Promise<unknown>): Promise<void> {
  // Both are checked before the command runs: a bad --query or -o changes nothing.
  const format = parseOutputFormat(options.output);
  const query = await queryOf(options);
  const result = await produce();
  process.stdout.write(formatOutput(query ? query.apply(result) : result, format));
}

export interface Modes {
  graph: (api: GraphApi, options: Options) => Promise<unknown>;
  store: (ctx: DirectoryContext, options: Options) => Promise<unknown>;
}

/** Declares an `ad …` command acting per the rule in this module's comment. */
export function adCommand(command: Command, modes: Modes): Command {
  return outputOptions(command)
    .option('--tenant <id-or-domain>', 'offline: tenant to act on (default: the default tenant)')
    .option('--data-dir <dir>', 'act on this data directory directly (offline)')
    .option('--database-url <url>', 'act on this PostgreSQL store directly (offline)')
    .action(async (options: Options) =>
      print(options, async () => {
        const offline = Boolean(options.dataDir || options.databaseUrl);
        const api = offline ? undefined : await openGraphApi();
        if (api) {
          if (options.tenant && options.tenant !== api.session.tenantId) {
            throw new UsageError(
              `--tenant: the session is for tenant ${api.session.tenantId}; log in to ${options.tenant} first`,
            );
          }
          return withObjectIds(await modes.graph(api, options));
        }
        const ctx = await openDirectoryContext(options);
        try {
          return withObjectIds(await modes.store(ctx, options));
        } finally {
          await ctx.close();
        }
      }),
    );
}

export const str = (options: Options, key: string) => options[key] as string;

export async function requireSession(): Promise<GraphApi> {
  const api = await openGraphApi();
  if (!api)
    throw new CommandError('not logged in: run credless login (see credless login --help)', EXIT.failure);
  return api;
}
