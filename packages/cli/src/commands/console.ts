/**
 * `credless console [--app <appId>]`: a fresh, single-use sign-in link to the web console of the
 * running credless, valid 5 minutes. Asked of the server through its API
 * (`POST /v1.0/credless/consoleSignInCodes`) as an authenticated caller: the `credless login` session,
 * or — with --data-dir/--authority, or without a session — the local administrator of the data
 * directory. The codes live in the server; nothing is written to the data directory.
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { SignInLink } from '@credless/server';
import { type GraphApi, graphApiOver, openGraphApi } from '../session/graph-api.ts';
import { sendRequest } from '../session/https-json.ts';
import { caFileFor, localAdminSession, requestLocalAdminToken, resolveAuthority } from '../session/login.ts';

export interface ConsoleOptions {
  /** Bind the session to this application (its Graph roles) instead of the caller. */
  app?: string;
  /** The data directory whose local administrator asks (default $CREDLESS_DATA_DIR or ./.credless). */
  dataDir?: string;
  /** The running credless (default $CREDLESS_AUTHORITY, else the configured local URL). */
  authority?: string;
  caFile?: string;
  env?: NodeJS.ProcessEnv;
}

/** The local administrator of a data directory, over HTTPS to the running server (no session file). */
async function localAdminApi(options: ConsoleOptions): Promise<GraphApi> {
  const env = options.env ?? process.env;
  const { authority, dataDir, graphUrl } = await resolveAuthority(options, env);
  const caFile = await caFileFor(options, dataDir);
  const caPem = caFile ? await readFile(caFile, 'utf8') : undefined;
  const token = await requestLocalAdminToken({ authority, dataDir, ...(caPem ? { caPem } : {}) });
  const session = localAdminSession(token, { authority, graphUrl, dataDir });
  const send: GraphApi['send'] = (method, url, body, headers = {}) =>
    sendRequest(method, url, {
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
        authorization: `Bearer ${session.accessToken}`,
      },
      ...(body !== undefined ? { body } : {}),
      ...(caPem ? { caPem } : {}),
    });
  return graphApiOver(() => session, send, graphUrl);
}

export async function consoleSignInLink(options: ConsoleOptions): Promise<SignInLink> {
  const explicit = options.dataDir !== undefined || options.authority !== undefined;
  const api =
    (explicit ? undefined : await openGraphApi({ ...(options.env ? { env: options.env } : {}) })) ??
    (await localAdminApi(options));
  return api.call<SignInLink>(
    'POST',
    '/credless/consoleSignInCodes',
    options.app ? { appId: options.app } : {},
  );
}

/** `-o text`: the link, whom it signs in as, and until when. */
export function formatSignInLink(link: SignInLink): string {
  const until = new Date(link.expiresDateTime).toLocaleTimeString();
  return [
    `Open the credless console as ${link.principal.displayName} (${link.principal.appId}):`,
    `  ${link.link}`,
    `The link works once, until ${until}; run credless console again for another.`,
    '',
  ].join('\n');
}
