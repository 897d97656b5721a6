/**
 * `credless login`: a federated service-principal login (`--service-principal -u <appId> --tenant …
 * --federated-token <jwt|@file>`, exactly as azure/login runs az) or the local administrator of a data
 * directory (`credless login` / `--local`). Either way the STS issues a Graph token, which is kept in the
 * session file until it expires; the federated token itself is never stored.
 * @module
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GRAPH_RESOURCE_URI, JWT_BEARER_ASSERTION_TYPE } from '@credless/core';
import { requireDataDirectory } from '../context.ts';
import { CommandError, EXIT, UsageError } from '../exit-codes.ts';
import { parseJsonBody, sendRequest } from './https-json.ts';
import { MANAGEMENT_SCOPE } from './management-api.ts';
import {
  deleteSession,
  readSession,
  type Session,
  type SessionLocation,
  sessionPath,
  writeSession,
} from './session-store.ts';

export interface LoginOptions extends SessionLocation {
  servicePrincipal?: boolean;
  local?: boolean;
  /** The application (client) id. */
  username?: string;
  tenant?: string;
  federatedToken?: string;
  /** credless base URL; default $CREDLESS_AUTHORITY, else the local server's URL. */
  authority?: string;
  /** Graph-compatible API base; default <authority>/v1.0. */
  graphUrl?: string;
  /** Extra CA to trust; default the data directory's local CA when present. */
  caFile?: string;
  dataDir?: string;
  now?: () => number;
}

/** What login and `account show` print (az prints the account; never a token). */
export interface AccountView {
  tenantId: string;
  user: { name: string; type: 'servicePrincipal' };
  kind: Session['kind'];
  authority: string;
  graphUrl: string;
  expiresOn: string;
  sessionFile: string;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const MAX_TOKEN_BYTES = 64 * 1024;

function claimsOf(jwt: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
  } catch {
    return {};
  }
}

async function readFederatedToken(value: string): Promise<string> {
  let text = value;
  if (value.startsWith('@')) {
    try {
      text = await readFile(value.slice(1), 'utf8');
    } catch (error) {
      throw new UsageError(
        `--federated-token: cannot read ${value.slice(1)}: ${(error as NodeJS.ErrnoException).code}`,
      );
    }
  }
  const token = text.trim();
  if (token.length > MAX_TOKEN_BYTES) throw new UsageError('--federated-token: larger than 64 KiB');
  if (!JWT_SHAPE.test(token)) throw new UsageError('--federated-token: not a JWT (header.payload.signature)');
  return token;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

// The server package is imported where it is needed, not at the top: it is most of a command's
// start-up time, and a logged-in `ad …` command needs it only to refresh the local admin's token.
export async function resolveAuthority(
  options: LoginOptions,
  env: NodeJS.ProcessEnv,
): Promise<{ authority: string; dataDir: string; graphUrl: string }> {
  const { loadAddressConfig } = await import('@credless/server');
  const config = loadAddressConfig(env, options.dataDir ? { dataDir: options.dataDir } : {});
  const authority = trimSlash(
    options.authority ?? env['CREDLESS_AUTHORITY'] ?? config.publicUrl ?? `https://localhost:${config.port}`,
  );
  try {
    const url = new URL(authority);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
  } catch {
    throw new UsageError(`--authority: '${authority}' is not an http(s) URL`);
  }
  const graphUrl = trimSlash(options.graphUrl ?? config.graphBaseUrl ?? `${authority}/v1.0`);
  return { authority, dataDir: config.dataDir, graphUrl };
}

export async function caFileFor(options: LoginOptions, dataDir: string): Promise<string | undefined> {
  if (options.caFile) {
    try {
      await access(options.caFile);
    } catch {
      throw new UsageError(`--ca-file: cannot read ${options.caFile}`);
    }
    return options.caFile;
  }
  const local = join(dataDir, 'tls', 'ca.crt');
  return access(local).then(
    () => local,
    () => undefined,
  );
}

interface IssuedToken {
  accessToken: string;
  expiresOn: string;
}

async function tokenRequest(
  authority: string,
  tenant: string,
  form: Record<string, string>,
  caPem: string | undefined,
  now: () => number,
  scope = `${GRAPH_RESOURCE_URI}/.default`,
): Promise<IssuedToken> {
  const answer = await sendRequest('POST', `${authority}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...form, scope }).toString(),
    ...(caPem ? { caPem } : {}),
  });
  const body = parseJsonBody(answer) as Record<string, unknown> | undefined;
  if (answer.status !== 200 || typeof body?.['access_token'] !== 'string') {
    const reason = body?.['error_description'] ?? body?.['error'] ?? `HTTP ${answer.status}`;
    throw new CommandError(`login failed: ${String(reason).split('\r\n')[0]}`, EXIT.failure);
  }
  return {
    accessToken: body['access_token'],
    expiresOn: new Date(now() + Number(body['expires_in'] ?? 3600) * 1000).toISOString(),
  };
}

type LocalAdminToken = IssuedToken & { tenantId: string; clientId: string };

/** A Graph token (or one for `scope`) for the local administrator of `dataDir` (certificate client assertion). */
export async function requestLocalAdminToken(options: {
  authority: string;
  dataDir: string;
  caPem?: string;
  now?: () => number;
  scope?: string;
}): Promise<LocalAdminToken> {
  const now = options.now ?? Date.now;
  const { createAdminAssertion, readAdminIdentity } = await import('@credless/server');
  await requireDataDirectory(options.dataDir);
  const identity = await readAdminIdentity(options.dataDir);
  if (!identity) {
    throw new CommandError(
      `no administrator identity in ${join(options.dataDir, 'admin')}: start credless once with this data directory (credless up), or log in with --service-principal`,
      EXIT.failure,
    );
  }
  const endpoint = `${options.authority}/${identity.tenantId}/oauth2/v2.0/token`;
  const token = await tokenRequest(
    options.authority,
    identity.tenantId,
    {
      grant_type: 'client_credentials',
      client_id: identity.clientId,
      client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
      client_assertion: await createAdminAssertion(identity, endpoint, now()),
    },
    options.caPem,
    now,
    options.scope,
  );
  return { ...token, tenantId: identity.tenantId, clientId: identity.clientId };
}

/** The session of a data directory's local administrator, holding its token. */
export function localAdminSession(
  token: LocalAdminToken,
  where: { authority: string; graphUrl: string; dataDir: string; caFile?: string | undefined },
): Session {
  return {
    kind: 'local-admin',
    authority: where.authority,
    graphUrl: where.graphUrl,
    tenantId: token.tenantId,
    clientId: token.clientId,
    dataDir: where.dataDir,
    ...(where.caFile ? { caFile: where.caFile } : {}),
    accessToken: token.accessToken,
    expiresOn: token.expiresOn,
  };
}

const viewOf = (session: Session, location: SessionLocation): AccountView => ({
  tenantId: session.tenantId,
  user: { name: session.clientId, type: 'servicePrincipal' },
  kind: session.kind,
  authority: session.authority,
  graphUrl: session.graphUrl,
  expiresOn: session.expiresOn,
  sessionFile: sessionPath(location),
});

export async function login(options: LoginOptions): Promise<AccountView> {
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const { authority, dataDir, graphUrl } = await resolveAuthority(options, env);
  const caFile = await caFileFor(options, dataDir);
  const caPem = caFile ? await readFile(caFile, 'utf8') : undefined;
  let session: Session;
  if (options.servicePrincipal) {
    if (options.local) throw new UsageError('--local and --service-principal exclude each other');
    const missing = [
      ['-u/--username', options.username],
      ['--tenant', options.tenant],
      ['--federated-token', options.federatedToken],
    ].filter(([, value]) => !value);
    if (missing.length > 0) {
      throw new UsageError(`--service-principal needs ${missing.map(([flag]) => flag).join(', ')}`);
    }
    const assertion = await readFederatedToken(options.federatedToken as string);
    const form = {
      grant_type: 'client_credentials',
      client_id: options.username as string,
      client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
      client_assertion: assertion,
    };
    const token = await tokenRequest(authority, options.tenant as string, form, caPem, now);
    // Resource Manager's token too, while the federated token is at hand (it is never stored): role commands.
    const management = await tokenRequest(
      authority,
      options.tenant as string,
      form,
      caPem,
      now,
      MANAGEMENT_SCOPE,
    );
    const claims = claimsOf(token.accessToken);
    session = {
      kind: 'service-principal',
      authority,
      graphUrl,
      tenantId: typeof claims['tid'] === 'string' ? claims['tid'] : (options.tenant as string),
      clientId: options.username as string,
      ...(caFile ? { caFile } : {}),
      ...token,
      managementAccessToken: management.accessToken,
    };
  } else {
    if (options.username || options.federatedToken) {
      throw new UsageError('-u and --federated-token need --service-principal');
    }
    const token = await requestLocalAdminToken({ authority, dataDir, ...(caPem ? { caPem } : {}), now });
    if (options.tenant && options.tenant !== token.tenantId) {
      throw new UsageError(`--tenant: the local administrator belongs to tenant ${token.tenantId}`);
    }
    session = localAdminSession(token, { authority, graphUrl, dataDir, caFile });
  }
  await writeSession(session, options);
  return viewOf(session, options);
}

export async function logout(location: SessionLocation): Promise<void> {
  await deleteSession(location);
}

export async function showAccount(location: SessionLocation): Promise<AccountView> {
  const session = await readSession(location);
  if (!session) throw new CommandError('not logged in: run credless login', EXIT.failure);
  return viewOf(session, location);
}
