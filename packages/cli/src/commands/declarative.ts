/**
 * `credless plan -f identity.yaml [--prune]` and `credless apply -f identity.yaml [--prune] [--yes]`:
 * converge the directory to a declarative file. Plan prints the diff and changes nothing; with
 * `--detailed-exitcode` it exits 6 (EXIT.changesPending) when there are changes (terraform's 2 is
 * taken by invalid input). Apply prints the plan, asks (or takes --yes), applies, prints a summary.
 * @module
 */
import { createInterface } from 'node:readline/promises';
import type { StoreOptions } from '../context.ts';
import type { Plan } from '../declarative/actions.ts';
import { isEmptyPlan, summarize } from '../declarative/actions.ts';
import { applyPlan } from '../declarative/apply.ts';
import type { IdentityFile } from '../declarative/definition.ts';
import { type DirectoryApi, type DirectoryState, readDirectoryState } from '../declarative/directory-api.ts';
import { graphDirectory } from '../declarative/graph-directory.ts';
import { loadIdentityFile } from '../declarative/load.ts';
import { plan } from '../declarative/plan.ts';
import { renderAction, renderPlan } from '../declarative/render.ts';
import { ChangesPendingError, UsageError } from '../exit-codes.ts';
import type { GraphApi } from '../session/graph-api.ts';
import type { SessionLocation } from '../session/session-store.ts';
import { withGraphApi } from './az/az-command.ts';

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

/** plan/apply's DirectoryApi over the Graph client (a session's or in-process). */
export const directoryApiOf = (graph: GraphApi): DirectoryApi =>
  graphDirectory({
    baseUrl: graph.session.graphUrl,
    call: (method, path, body) => graph.call(method, path, body),
    callerAppId: async () => graph.session.clientId,
    target: graph.target,
  });

/**
 * Where plan/apply act — the rule of every directory command (see `withGraphApi`): a data directory
 * or PostgreSQL store in-process, else the session; either way through the Graph-compatible API.
 */
export async function withDirectoryApi<T>(
  options: StoreOptions,
  run: (api: DirectoryApi) => Promise<T>,
  location: SessionLocation = {},
  readOnly = false,
): Promise<T> {
  return withGraphApi(options, readOnly, (graph) => run(directoryApiOf(graph)), location);
}

/** The CLI's plan/apply: a bad file fails before any store is opened or server contacted. */
export async function runDeclarative(
  options: DeclarativeOptions & StoreOptions,
  command: (api: DirectoryApi, options: DeclarativeOptions) => Promise<Plan>,
): Promise<void> {
  const identity = await loadIdentityFile(options.file);
  // plan only reads: it never creates a data directory.
  const readOnly = command === planCommand;
  await withDirectoryApi(options, (api) => command(api, { ...options, identity }), {}, readOnly);
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
      `${JSON.stringify({ actions: result.actions, summary: summarize(result), unmanaged: result.unmanaged, keptPlatformIdentities: result.keptPlatformIdentities ?? [] }, null, 2)}\n`,
    );
  } else {
    io.write(renderPlan(result, { color: io.color ?? false, prune: options.prune ?? false }));
  }
  if (options.detailedExitcode && !isEmptyPlan(result)) throw new ChangesPendingError();
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
