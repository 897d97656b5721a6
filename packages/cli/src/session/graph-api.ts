/**
 * The CLI's one Graph client: over HTTPS as the logged-in session (attaching its token, refreshing the
 * local administrator's silently; a federated login must log in again once its token expires), or over
 * any other transport through `graphApiOver` (in-process-graph-api.ts); Graph error bodies become
 * CommandErrors with meaningful exit codes.
 * @module
 */
import { readFile } from 'node:fs/promises';
// The one status → exit code rule: core's, behind every catalogue code's exit code too.
import { exitCodeForStatus } from '@credless/core';
import { CommandError, EXIT } from '../exit-codes.ts';
import { type HttpAnswer, parseJsonBody, sendRequest } from './https-json.ts';
import { requestLocalAdminToken } from './login.ts';
import { ARM_HOST, MANAGEMENT_SCOPE, type ManagementApi, managementApiOver } from './management-api.ts';
import { readSession, type Session, type SessionLocation, writeSession } from './session-store.ts';

/** Renew this long before expiry (MSAL uses 5 minutes). */
const EXPIRY_MARGIN_MS = 300_000;

export interface GraphApi {
  readonly session: Session;
  /** Where the requests go, for messages: the Graph URL, or the data directory served in-process. */
  readonly target: string;
  /** Sends a request to an absolute URL on the session's credless; the raw answer. */
  send(method: string, url: string, body?: string, headers?: Record<string, string>): Promise<HttpAnswer>;
  /** `path` relative to the Graph base; parsed JSON for 2xx, otherwise a CommandError. */
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  /** Resource Manager over the same transport, as the same caller (role assignments). */
  management(): Promise<ManagementApi>;
}

/** A Graph error answer as a CommandError: Graph's message, its code, and what to do for 401/403. */
export function graphError(answer: HttpAnswer, what: string): CommandError {
  const body = parseJsonBody(answer) as { error?: { code?: string; message?: string } } | undefined;
  const message = body?.error?.message ?? (answer.text.slice(0, 500) || `HTTP ${answer.status}`);
  const code = body?.error?.code ? ` (${body.error.code})` : '';
  const hint =
    answer.status === 401
      ? ' — log in again: credless login'
      : answer.status === 403
        ? ' — the logged-in identity lacks the Graph role; grant it with credless ad app permission add + admin-consent'
        : '';
  return new CommandError(`${what}: ${message}${code}${hint}`, exitCodeForStatus(answer.status));
}

async function caPemOf(session: Session): Promise<string | undefined> {
  if (!session.caFile) return undefined;
  try {
    return await readFile(session.caFile, 'utf8');
  } catch (error) {
    throw new CommandError(
      `cannot read the CA file ${session.caFile} of the session: ${(error as NodeJS.ErrnoException).code}`,
      EXIT.failure,
    );
  }
}

export async function openGraphApi(
  location: SessionLocation,
  now: () => number = Date.now,
): Promise<GraphApi | undefined> {
  const stored = await readSession(location);
  if (!stored) return undefined;
  let session = stored;
  const caPem = await caPemOf(session);

  const token = async (): Promise<string> => {
    if (Date.parse(session.expiresOn) - EXPIRY_MARGIN_MS > now()) return session.accessToken;
    if (session.kind === 'local-admin' && session.dataDir) {
      const fresh = await requestLocalAdminToken({
        authority: session.authority,
        dataDir: session.dataDir,
        ...(caPem ? { caPem } : {}),
        now,
      });
      session = { ...session, accessToken: fresh.accessToken, expiresOn: fresh.expiresOn };
      await writeSession(session, location);
      return session.accessToken;
    }
    throw new CommandError(
      `the session of ${session.clientId} expired at ${session.expiresOn}; log in again with a fresh federated token: credless login --service-principal …`,
      EXIT.failure,
    );
  };

  const send = async (method: string, url: string, body?: string, headers: Record<string, string> = {}) => {
    if (new URL(url).origin !== new URL(session.graphUrl).origin) {
      // The token is for credless's Graph API only; never hand it to another host.
      throw new CommandError(
        `${url} is not on the credless Graph API (${session.graphUrl})`,
        EXIT.invalidInput,
      );
    }
    return sendRequest(method, url, {
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
        authorization: `Bearer ${await token()}`,
      },
      ...(body !== undefined ? { body } : {}),
      ...(caPem ? { caPem } : {}),
    });
  };

  // Resource Manager: the local administrator gets its ARM token as it gets its Graph token; a
  // federated login brought one. Sent to the session's credless under the ARM host name.
  let armToken: Promise<string> | undefined;
  const managementToken = (): Promise<string> => {
    if (session.kind === 'local-admin' && session.dataDir) {
      const dataDir = session.dataDir;
      armToken ??= requestLocalAdminToken({
        authority: session.authority,
        dataDir,
        ...(caPem ? { caPem } : {}),
        now,
        scope: MANAGEMENT_SCOPE,
      }).then((issued) => issued.accessToken);
      return armToken;
    }
    if (session.managementAccessToken && Date.parse(session.expiresOn) - EXPIRY_MARGIN_MS > now()) {
      return Promise.resolve(session.managementAccessToken);
    }
    throw new CommandError(
      `the session of ${session.clientId} has no valid Resource Manager token; log in again with a fresh federated token: credless login --service-principal …`,
      EXIT.failure,
    );
  };
  const management = async () =>
    managementApiOver(session.tenantId, async (method, path, body) =>
      sendRequest(method, `${session.authority}${path}`, {
        headers: {
          host: ARM_HOST,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          authorization: `Bearer ${await managementToken()}`,
        },
        ...(body !== undefined ? { body } : {}),
        ...(caPem ? { caPem } : {}),
      }),
    );

  return graphApiOver(() => session, send, session.graphUrl, management);
}

/**
 * The one Graph client over a transport (HTTPS for a session, in-process for a data directory):
 * `call` sends JSON to a path under the Graph base and turns error answers into CommandErrors.
 */
export function graphApiOver(
  current: () => Session,
  send: GraphApi['send'],
  target: string,
  management: () => Promise<ManagementApi> = async () => {
    throw new CommandError(`Resource Manager is not served over ${target}`, EXIT.failure);
  },
): GraphApi {
  return {
    get session() {
      return current();
    },
    target,
    send,
    management,
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      const answer = await send(
        method,
        `${current().graphUrl}${path}`,
        body === undefined ? undefined : JSON.stringify(body),
      );
      if (answer.status < 200 || answer.status >= 300) {
        throw graphError(answer, `${method.toUpperCase()} ${path.split('?')[0]}`);
      }
      return parseJsonBody(answer) as T;
    },
  };
}

/** A Graph entity without its `@odata.context` (what a command prints is the resource itself). */
export function withoutODataContext<T extends object>(entity: T): T {
  const { '@odata.context': _context, ...rest } = entity as T & { '@odata.context'?: unknown };
  return rest as T;
}
