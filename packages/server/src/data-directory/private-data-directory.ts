/**
 * The data directory holds the key-encryption key, the administrator's private key and the local CA:
 * it must be private to the user credless runs as. As ssh does with ~/.ssh, a directory that group or
 * others can reach is tightened when this user owns it and refused otherwise (someone else's directory
 * is not ours to change, and its owner can read whatever credless writes into it).
 * @module
 */
import { chmod, mkdir, stat } from 'node:fs/promises';
import { CredlessError } from '@credless/core';

const GROUP_OR_OTHERS = 0o077;
/** Set on directories shared by design (/tmp): never tightened, that would lock every other user out. */
const STICKY = 0o1000;
const isWindows = process.platform === 'win32';

export interface PrivateDataDirectoryOptions {
  /** Told when an existing directory was tightened. */
  log?: (message: string) => void;
  /** The user credless runs as (tests); default process.getuid(). */
  uid?: number;
}

const octal = (mode: number, bits = 0o777) => `0${(mode & bits).toString(8)}`;

/** Creates `dir` (0700) or checks an existing one, tightening it to 0700 when this user owns it. */
export async function ensurePrivateDataDirectory(
  dir: string,
  options: PrivateDataDirectoryOptions = {},
): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Windows has no POSIX modes; the directory inherits the profile's ACLs.
  if (isWindows) return;
  const info = await stat(dir);
  if (!info.isDirectory()) throw new CredlessError('data_directory_not_directory', { dir });
  if ((info.mode & GROUP_OR_OTHERS) === 0) return;
  if (info.mode & STICKY) {
    throw new CredlessError('data_directory_shared', { dir, mode: octal(info.mode, 0o7777) });
  }
  const uid = options.uid ?? process.getuid?.() ?? -1;
  if (info.uid !== uid) {
    throw new CredlessError('data_directory_foreign_owner', {
      dir,
      mode: octal(info.mode),
      owner: info.uid,
      uid,
    });
  }
  await chmod(dir, 0o700);
  options.log?.(
    `the data directory ${dir} was accessible by group or others (mode ${octal(info.mode)}); tightened to 0700`,
  );
}
