/**
 * Plumbing of the az-shaped commands: `--query`/`-o` on every command, az's `objectId`, and the rule
 * for where `ad …` commands act (see declare.ts).
 * @module
 */
import type { Command } from 'commander';
import type { StoreOptions } from '../../context.ts';
import { CommandError, EXIT, UsageError } from '../../exit-codes.ts';
import { formatOutput, parseOutputFormat } from '../../output/format.ts';
import type { GraphApi } from '../../session/graph-api.ts';
import type { SessionLocation } from '../../session/session-store.ts';

// Imported when a command runs, not at start-up (lazy CLI: see cli.ts).
const openGraphApi = async (location: SessionLocation = {}) =>
  (await import('../../session/graph-api.ts')).openGraphApi(location);
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

/** Rows reduced to `columns`, in that order (a single object stays one row). */
export function pickColumns(value: unknown, columns: readonly string[]): unknown {
  const pick = (row: unknown) =>
    row !== null && typeof row === 'object' && !Array.isArray(row)
      ? Object.fromEntries(columns.map((key) => [key, (row as Record<string, unknown>)[key]]))
      : row;
  return Array.isArray(value) ? value.map(pick) : pick(value);
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

/** What `-o`/`--query` show of a result: like az's table transformers, `-o table` without --query shows the columns that fit a terminal. */
function shownResult(
  result: unknown,
  query: Awaited<ReturnType<typeof queryOf>>,
  format: ReturnType<typeof parseOutputFormat>,
  tableColumns: readonly string[] | undefined,
): unknown {
  if (query) return query.apply(result);
  return format === 'table' && tableColumns ? pickColumns(result, tableColumns) : result;
}

export async function print(options: Options, produce: () => Promise<unknown>): Promise<void> {
  // Both are checked before the command runs: a bad --query or -o changes nothing.
  const format = parseOutputFormat(options.output);
  const query = await queryOf(options);
  const result = await produce();
  process.stdout.write(formatOutput(query ? query.apply(result) : result, format));
}

export type AdRun = (api: GraphApi, options: Options) => Promise<unknown>;

/**
 * The Graph client where a command acts, by one rule: `--data-dir`/`--database-url` given → that store,
 * in-process; else the session of `credless login`; else the configured data directory, in-process.
 * A read-only command never creates a data directory.
 */
export async function withGraphApi<T>(
  options: StoreOptions,
  readOnly: boolean,
  run: (api: GraphApi) => Promise<T>,
  location: SessionLocation = {},
): Promise<T> {
  const offline = Boolean(options.dataDir || options.databaseUrl);
  const session = offline ? undefined : await openGraphApi(location);
  if (session) {
    if (options.tenant && options.tenant !== session.session.tenantId) {
      throw new UsageError(
        `--tenant: the session is for tenant ${session.session.tenantId}; log in to ${options.tenant} first`,
      );
    }
    return run(session);
  }
  const { openInProcessGraphApi } = await import('../../session/in-process-graph-api.ts');
  const api = await openInProcessGraphApi({ ...options, readOnly });
  try {
    return await run(api);
  } finally {
    await api.close();
  }
}

/** Where a command acts (the rule of `withGraphApi`): declared here once, for every such command. */
export const locationOptions = (command: Command) =>
  command
    .option('--tenant <id-or-domain>', "tenant to act on (default: the session's, else the default tenant)")
    .option('--data-dir <dir>', 'act on this data directory, in-process (offline)')
    .option('--database-url <url>', 'act on this PostgreSQL store, in-process (offline)');

export interface ApiCommandOptions {
  /** Only reads: a missing data directory is an error naming it, never a new, empty store. */
  readOnly?: boolean;
  /** Like az's table transformers: `-o table` without --query shows these columns (to fit a terminal). */
  tableColumns?: readonly string[];
  /** A rendering for people, the default output (`-o text`); any other -o or a --query prints the data. */
  text?: (value: never) => string | Promise<string>;
  /** Runs once the result is printed (explain: the exit code of a token that would be refused). */
  after?: (value: never) => void | Promise<void>;
  /** Applied to the result before --query (ad: az's objectId next to id). */
  transform?: (value: unknown) => unknown;
}

/**
 * Declares a command acting per the rule of `withGraphApi`, with `--query` and `-o` (both checked
 * before anything runs); prints nothing when `run` returns undefined.
 */
export function apiCommand(
  command: Command,
  run: AdRun,
  { readOnly = false, tableColumns, text, after, transform }: ApiCommandOptions = {},
): Command {
  const withOutput = text
    ? command
        .option('--query <jmespath>', "JMESPath query applied to the result (az's --query)")
        .option('-o, --output <format>', 'text (default), json, jsonc, tsv, table or none')
    : outputOptions(command);
  return locationOptions(withOutput).action(async (options: Options) => {
    const textual =
      text !== undefined &&
      options.query === undefined &&
      (options.output ?? 'text').toLowerCase() === 'text';
    const format = textual ? undefined : parseOutputFormat(options.output);
    const query = await queryOf(options);
    const raw = await withGraphApi(options, readOnly, (api) => run(api, options));
    const result = transform ? transform(raw) : raw;
    if (textual) process.stdout.write(await (text as (value: unknown) => Promise<string>)(result));
    else if (result !== undefined && format !== undefined) {
      process.stdout.write(formatOutput(shownResult(result, query, format, tableColumns), format));
    }
    await (after as ((value: unknown) => Promise<void>) | undefined)?.(result);
  });
}

/** Declares an `ad …` command acting per the rule of `withGraphApi`. */
export const adCommand = (command: Command, run: AdRun, { readOnly = false } = {}): Command =>
  apiCommand(command, run, { readOnly, transform: withObjectIds });

export const str = (options: Options, key: string) => options[key] as string;

export async function requireSession(): Promise<GraphApi> {
  const api = await openGraphApi();
  if (!api)
    throw new CommandError('not logged in: run credless login (see credless login --help)', EXIT.failure);
  return api;
}
