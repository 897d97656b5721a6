/**
 * `credless admin …`: the local tenant administrator identity created on first start.
 * `rotate-key` replaces its key pair: the new certificate is added and the old one removed in one
 * directory write, then the key files in `<data>/admin/` are replaced.
 * @module
 */
import { CredlessError } from '@credless/core';
import {
  type AdminIdentityFile,
  adminPaths,
  readAdminIdentity,
  rotateAdminKey,
  resolveDataDir as serverDataDir,
} from '@credless/server';
import { type DirectoryContext, requireDataDirectory } from '../context.ts';

/** `--data-dir`, else $CREDLESS_DATA_DIR, else ./.credless (as the server resolves it). */
const resolveDataDir = (dataDir: string | undefined) => serverDataDir(process.env, dataDir);

export async function rotateAdminKeyCommand(
  ctx: DirectoryContext,
  options: { dataDir?: string | undefined },
): Promise<AdminIdentityFile & { keyPath: string }> {
  const dataDir = resolveDataDir(options.dataDir);
  const current = await readAdminIdentity(dataDir);
  if (!current) throw new CredlessError('not_found', { id: adminPaths(dataDir).info });
  const rotated = await rotateAdminKey(ctx.store, { dataDir });
  return { ...rotated, keyPath: adminPaths(dataDir).key };
}

/** The administrator's client id, tenant and key file (never the key itself). */
export async function showAdminIdentity(options: {
  dataDir?: string | undefined;
}): Promise<AdminIdentityFile & { keyPath: string }> {
  const dataDir = resolveDataDir(options.dataDir);
  await requireDataDirectory(dataDir);
  const current = await readAdminIdentity(dataDir);
  if (!current) throw new CredlessError('not_found', { id: adminPaths(dataDir).info });
  const { privateKeyPem: _secret, ...identity } = current;
  return { ...identity, keyPath: adminPaths(dataDir).key };
}
