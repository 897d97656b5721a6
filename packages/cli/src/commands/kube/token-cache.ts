/**
 * The exec plugin's token cache (kubelogin keeps one too): kubectl runs the plugin for every command,
 * and without a cache each would cost a token exchange. One 0600 file per authority/tenant/client/
 * server id/federated token source (two token files may be two identities for one client) under $XDG_CACHE_HOME/credless/kube (or ~/.cache/credless/kube), in a 0700 directory.
 * @module
 */
import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface CachedToken {
  accessToken: string;
  /** Expiry, ms since the epoch. */
  expiresOn: number;
}

export interface TokenCacheKey {
  authorityHost: string;
  tenantId: string;
  clientId: string;
  serverId: string;
  /** Where the federated token comes from: its file (absolute path), or GitHub Actions' request URL. */
  tokenSource: string;
}

/** A cached token is used until this long before it expires. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60 * 1000;

export function tokenCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'credless', 'kube');
}

export function tokenCacheFile(dir: string, key: TokenCacheKey): string {
  const id = createHash('sha256')
    .update(
      JSON.stringify([
        key.authorityHost,
        key.tenantId.toLowerCase(),
        key.clientId.toLowerCase(),
        key.serverId,
        key.tokenSource,
      ]),
    )
    .digest('base64url');
  return join(dir, `${id}.json`);
}

/** The cached token if still good for REFRESH_BEFORE_EXPIRY_MS; a damaged file counts as a miss. */
export async function readCachedToken(file: string, now: number): Promise<CachedToken | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
  const { accessToken, expiresOn } = (parsed ?? {}) as Partial<CachedToken>;
  if (typeof accessToken !== 'string' || !accessToken || typeof expiresOn !== 'number') return undefined;
  return expiresOn - REFRESH_BEFORE_EXPIRY_MS > now ? { accessToken, expiresOn } : undefined;
}

/** Best effort: a cache that cannot be written only costs the next call an exchange. */
export async function writeCachedToken(file: string, dir: string, token: CachedToken): Promise<boolean> {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(temp, JSON.stringify(token), { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, file);
    return true;
  } catch {
    await unlink(temp).catch(() => undefined);
    return false;
  }
}
