/**
 * Declares `credless console`: prints a fresh sign-in link to the running server's web console
 * (commands/console.ts). `-o text` (default) for people, `-o json` (or tsv, …) for scripts.
 * @module
 */
import type { Command } from 'commander';

export function declareConsoleCommand(program: Command): void {
  program
    .command('console')
    .description('print a single-use sign-in link (5 minutes) to the web console of the running credless')
    .option('--app <appId>', 'sign in as this application (its Graph roles bound what the console may do)')
    .option(
      '--data-dir <dir>',
      "ask as this data directory's local administrator (default: the login session)",
    )
    .option('--authority <url>', 'the running credless (default: $CREDLESS_AUTHORITY, else the local server)')
    .option('--ca-file <file>', "CA to trust for it (default: the data directory's local CA)")
    .option('-o, --output <format>', 'text (default), json, jsonc, tsv, table or none')
    .action(
      async (options: {
        app?: string;
        dataDir?: string;
        authority?: string;
        caFile?: string;
        output?: string;
      }) => {
        const [{ consoleSignInLink, formatSignInLink }, { formatOutput, parseOutputFormat }] =
          await Promise.all([import('./console.ts'), import('../output/format.ts')]);
        const textual = (options.output ?? 'text').toLowerCase() === 'text';
        const format = textual ? undefined : parseOutputFormat(options.output);
        const link = await consoleSignInLink(options);
        process.stdout.write(format ? formatOutput(link, format) : formatSignInLink(link));
      },
    );
}
