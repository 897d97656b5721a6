/**
 * The CLI session written by `credless login`: which credless (authority, Graph base, CA), as whom
 * (tenant, client id) and the access token until it expires. Never the federated token or a key.
 * One file, 0600, in `$CREDLESS_CONFIG_DIR` (default `$XDG_CONFIG_HOME/credless` or
 * `~/.config/credless`, apart from any data directory).
 * @module
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface Session {
  /** local-admin: the data directory's administrator key (refreshed silently); service-principal: a federated login. */
  kind: 'local-admin' | 'service-principal';
  /** Authority host, e.g. https://localhost:8443. */
  authority: string;
  /** Graph-compatible API base, e.g. https://localhost:8443/v1.0. */
  graphUrl: string;
  tenantId: string;
  clientId: string;
  /** Extra CA (PEM file) trusted for this credless. */
  caFile?: string;
  /** local-admin: the data directory holding admin/. */
  dataDir?: string;
  accessToken: string;
  /** ISO 8601. */
  expiresOn: string;
  /** service-principal: a Resource Manager token from the same login (role commands), until expiresOn. */
  managementAccessToken?: string;
}

export interface SessionLocation {
  /** Overrides $CREDLESS_CONFIG_DIR (tests). */
  configDir?: string;
  env?: NodeJS.ProcessEnv;
}

export function configDirOf(location: SessionLocation = {}): string {
  const env = location.env ?? process.env;
  if (location.configDir) return resolve(location.configDir);
  if (env['CREDLESS_CONFIG_DIR']) return resolve(env['CREDLESS_CONFIG_DIR']);
  const xdg = env['XDG_CONFIG_HOME'];
  return join(xdg ? resolve(xdg) : join(homedir(), '.config'), 'credless');
}

export const sessionPath = (location: SessionLocation = {}) => join(configDirOf(location), 'session.json');

export async function readSession(location: SessionLocation = {}): Promise<Session | undefined> {
  let text: string;
  try {
    text = await readFile(sessionPath(location), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const session = JSON.parse(text) as Session;
    if (typeof session.accessToken === 'string' && typeof session.graphUrl === 'string') return session;
  } catch {
    // fall through: an unreadable session is as good as none, and login replaces it.
  }
  return undefined;
}

export async function writeSession(session: Session, location: SessionLocation = {}): Promise<string> {
  const dir = configDirOf(location);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = sessionPath(location);
  const temp = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    if (process.platform !== 'win32') await chmod(temp, 0o600);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  return path;
}

/** Removes the session; true when there was one. */
export async function deleteSession(location: SessionLocation = {}): Promise<boolean> {
  try {
    await unlink(sessionPath(location));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
