/** Declares `credless backup` and `credless restore`; their modules load only when they run. */
import type { Command } from 'commander';
import { type Options, outputOptions, print } from './az/az-command.ts';
import type { BackupCommandOptions, RestoreCommandOptions } from './backup.ts';

const backups = () => import('./backup.ts');

// The summary they print takes az's -o/--query like every command that prints data.
const storeLocation = (command: Command) =>
  outputOptions(command)
    .option('--data-dir <dir>', 'data directory (default: $CREDLESS_DATA_DIR or ./.credless)')
    .option('--database-url <url>', 'PostgreSQL URL: refused, with the pg_dump/pg_restore route to use');

export function declareBackupCommands(program: Command): void {
  storeLocation(
    program
      .command('backup')
      .description(
        'online backup of the embedded store into <file> (one SQLite file; its signing keys stay encrypted ' +
          'under the key-encryption key, which is not in it)',
      )
      .argument('<file>', 'backup file to write'),
  )
    .option('--include-kek', 'also write the key-encryption key to <file>.kek (0600); keep both safe')
    .option('--force', 'replace an existing backup file')
    .action(async (file: string, options: BackupCommandOptions & Options) =>
      print(options, async () => (await backups()).backupCommand(file, options)),
    );
  storeLocation(
    program
      .command('restore')
      .description(
        'restore a backup into a data directory no server is running on; refuses unless the key-encryption ' +
          'key (CREDLESS_KEK, the kek file, or <file>.kek) opens its signing keys',
      )
      .argument('<file>', 'backup file written by credless backup'),
  )
    .option('--force', "replace the data directory's existing store")
    .action(async (file: string, options: RestoreCommandOptions & Options) =>
      print(options, async () => (await backups()).restoreCommand(file, options)),
    );
}
