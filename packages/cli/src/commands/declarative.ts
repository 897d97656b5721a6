/**
 * `credless plan -f identity.yaml [--prune]` and `credless apply -f identity.yaml [--prune] [--yes]`:
 * converge the directory to a declarative file. Plan prints the diff and changes nothing; with
 * `--detailed-exitcode` it exits 6 (EXIT.changesPending) when there are changes (terraform's 2 is
 * taken by invalid input). Apply prints the plan, asks (or takes --yes), applies, prints a summary.
 * @module
 */
import { createInterface } from 'node:readline/promises';
import { loadConfig } from '@credless/server';
import { type DirectoryContext, openDirectoryContext, type StoreOptions } from '../context.ts';
import type { Plan } from '../declarative/actions.ts';
import { isEmptyPlan, summarize } from '../declarative/actions.ts';
import { applyPlan } from '../declarative/apply.ts';
import type { IdentityFile } from '../declarative/definition.ts';
import { type DirectoryApi, type DirectoryState, readDirectoryState } from '../declarative/directory-api.ts';
import { graphDirectory } from '../declarative/graph-directory.ts';
import { loadIdentityFile } from '../declarative/load.ts';
import { localDirectory } from '../declarative/local-directory.ts';
import { plan } from '../declarative/plan.ts';
import { renderAction, renderPlan } from '../declarative/render.ts';
import { ChangesPendingError, UsageError } from '../exit-codes.ts';
import { openGraphApi } from '../session/graph-api.ts';
import type { SessionLocation } from '../session/session-store.ts';

export interface DeclarativeOptions {
  /** The identity file (YAML or JSON). */
  file: string;
  prune?: boolean;
  /** plan: text (default) or json. */
  output?: string;
  /** plan: exit 6 when changes are pending. */
  detailedExitcode?: boolean;
  /** apply: do not ask. */
  yes?: boolean;
  /** The file already loaded (the CLI validates it before opening any directory). */
  identity?: IdentityFile;
}

export interface DeclarativeIo {
  write(text: string): void;
  /** ANSI colors in the plan (the CLI turns them on for a TTY). */
  color?: boolean;
  env?: NodeJS.ProcessEnv;
  /** apply without --yes: asks the user; undefined = not interactive (apply then needs --yes). */
  confirm?: (question: string) => Promise<boolean>;
}

/** A reader that goes away (`credless apply … | head`) must not stop an apply halfway. */
let stdoutGuarded = false;
function ignoreClosedStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

export const stdoutIo = (): DeclarativeIo => ({
  write: (text) => {
    ignoreClosedStdout();
    process.stdout.write(text);
  },
  color: process.stdout.isTTY === true && !process.env['NO_COLOR'],
  ...(process.stdin.isTTY
    ? {
        async confirm(question: string) {
          const rl = createInterface({ input: process.stdin, output: process.stdout });
          try {
            return (await rl.question(question)).trim().toLowerCase() === 'yes';
          } finally {
            rl.close();
          }
        },
      }
    : {}),
});

/** The local store of a directory command, as plan/apply's DirectoryApi. */
export function localDirectoryOf(ctx: DirectoryContext, options: StoreOptions = {}): DirectoryApi {
  const { dataDir } = loadConfig(process.env, options.dataDir ? { dataDir: options.dataDir } : {});
  return localDirectory({ store: ctx.store, tenantId: ctx.tenantId, dataDir });
}

/**
 * Where plan/apply act — the rule of the `ad …` commands: `--data-dir`/`--database-url` given: that
 * store; else, after `credless login`: the session's Graph-compatible API; else the local store.
 */
export async function withDirectoryApi<T>(
  options: StoreOptions,
  run: (api: DirectoryApi) => Promise<T>,
  location: SessionLocation = {},
): Promise<T> {
  const offline = Boolean(options.dataDir || options.databaseUrl);
  const graph = offline ? undefined : await openGraphApi(location);
  if (graph) {
    const { session } = graph;
    if (options.tenant && options.tenant !== session.tenantId) {
      throw new UsageError(
        `--tenant: the session is for tenant ${session.tenantId}; log in to ${options.tenant} first`,
      );
    }
    return run(
      graphDirectory({
        baseUrl: session.graphUrl,
        call: (method, path, body) => graph.call(method, path, body),
        callerAppId: async () => session.clientId,
      }),
    );
  }
  const ctx = await openDirectoryContext(options);
  try {
    return await run(localDirectoryOf(ctx, options));
  } finally {
    await ctx.close();
  }
}

/** The CLI's plan/apply: a bad file fails before any store is opened or server contacted. */
export async function runDeclarative(
  options: DeclarativeOptions & StoreOptions,
  command: (api: DirectoryApi, options: DeclarativeOptions) => Promise<Plan>,
): Promise<void> {
  const identity = await loadIdentityFile(options.file);
  await withDirectoryApi(options, (api) => command(api, { ...options, identity }));
}

async function makePlan(
  api: DirectoryApi,
  options: DeclarativeOptions,
  env: NodeJS.ProcessEnv,
): Promise<{ state: DirectoryState; plan: Plan }> {
  const file = options.identity ?? (await loadIdentityFile(options.file, env));
  const state = await readDirectoryState(api);
  return { state, plan: plan(file, state, { prune: options.prune ?? false }) };
}

/** Prints the plan; returns it. Changes nothing. */
export async function planCommand(
  api: DirectoryApi,
  options: DeclarativeOptions,
  io: DeclarativeIo = stdoutIo(),
): Promise<Plan> {
  const output = options.output ?? 'text';
  if (output !== 'text' && output !== 'json')
    throw new UsageError(`--output: '${output}' must be text or json`);
  const { plan: result } = await makePlan(api, options, io.env ?? process.env);
  if (output === 'json') {
    io.write(
      `${JSON.stringify({ actions: result.actions, summary: summarize(result), unmanaged: result.unmanaged }, null, 2)}\n`,
    );
  } else {
    io.write(renderPlan(result, { color: io.color ?? false, prune: options.prune ?? false }));
  }
  if (options.detailedExitcode && !isEmptyPlan(result)) throw new ChangesPendingError('changes are pending');
  return result;
}

/** Plans, confirms, applies; returns the plan that was applied (empty when nothing changed). */
export async function applyCommand(
  api: DirectoryApi,
  options: DeclarativeOptions,
  io: DeclarativeIo = stdoutIo(),
): Promise<Plan> {
  const { state, plan: result } = await makePlan(api, options, io.env ?? process.env);
  const color = io.color ?? false;
  io.write(renderPlan(result, { color, prune: options.prune ?? false }));
  if (isEmptyPlan(result)) return result;
  if (!options.yes) {
    if (!io.confirm)
      throw new UsageError('apply needs --yes when it cannot ask (standard input is not a terminal)');
    if (!(await io.confirm(`\nApply these changes to ${api.target}? Only 'yes' is accepted: `))) {
      io.write('Apply cancelled: nothing changed.\n');
      return { actions: [], unmanaged: result.unmanaged };
    }
  }
  io.write('\n');
  await applyPlan(api, state, result, {
    onApplied: (action) => io.write(`${renderAction(action, color).split('\n')[0]} … done\n`),
  });
  const counts = summarize(result);
  io.write(
    `\nApply complete: ${counts.create} created, ${counts.update} updated, ${counts.delete} deleted.\n`,
  );
  return result;
}
