/**
 * `credless rest --method … --uri … [--body @file|json] [--headers …]`: an authenticated call to the
 * Graph-compatible API of the session, like `az rest` to Microsoft Graph. URIs may be
 * - `https://graph.microsoft.com/v1.0/…` (or `/beta/…`): rewritten to credless's Graph base;
 * - a URL on the credless Graph base, `/v1.0/…`, or a path like `/applications/…`;
 * - host-less and relative, as in the seed (`<object id>/federatedIdentityCredentials`): az would take
 *   it for an Azure resource id; credless has no ARM, so a leading object id is resolved to the
 *   application, service principal or group it names.
 * Non-2xx answers print Graph's error and exit 2 (400), 3 (404), 4 (409) or 1.
 * @module
 */
import { CommandError, EXIT, UsageError } from '../../exit-codes.ts';
import { type GraphApi, graphError } from '../../session/graph-api.ts';
import { parseJsonBody } from '../../session/https-json.ts';
import { readJsonValue } from '../parameters.ts';

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];
const MICROSOFT_GRAPH = /^https:\/\/graph\.microsoft\.com\/(v1\.0|beta)(?=\/|$|\?)/i;
const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?=\/|$|\?)/i;

export interface RestOptions {
  method?: string;
  uri: string;
  body?: string;
  /** `key=value` entries or one JSON object, as az's --headers. */
  headers?: string[];
}

async function collectionOf(api: GraphApi, objectId: string): Promise<string> {
  for (const collection of ['applications', 'servicePrincipals', 'groups']) {
    const answer = await api.send('GET', `${api.session.graphUrl}/${collection}/${objectId}?$select=id`);
    if (answer.status === 200) return collection;
  }
  throw new CommandError(
    `--uri: '${objectId}' is no application, service principal or group of this tenant; give a full URL such as https://graph.microsoft.com/v1.0/applications/<id>/…`,
    EXIT.notFound,
  );
}

/** The absolute URL on the credless Graph base that `uri` names. */
export async function resolveRestUri(api: GraphApi, uri: string): Promise<string> {
  const base = api.session.graphUrl;
  const trimmed = uri.trim();
  if (!trimmed) throw new UsageError('--uri must not be empty');
  if (MICROSOFT_GRAPH.test(trimmed)) return trimmed.replace(MICROSOFT_GRAPH, base);
  if (/^https?:\/\//i.test(trimmed)) {
    if (trimmed === base || trimmed.startsWith(`${base}/`) || trimmed.startsWith(`${base}?`)) return trimmed;
    throw new UsageError(
      `--uri: ${new URL(trimmed).origin} is not the credless Graph API (${base}); the session's token is only sent there`,
    );
  }
  const origin = new URL(base).origin;
  const basePath = new URL(base).pathname.replace(/\/+$/, '');
  if (trimmed.startsWith('/')) {
    return trimmed === basePath || trimmed.startsWith(`${basePath}/`)
      ? `${origin}${trimmed}`
      : `${base}${trimmed}`;
  }
  const objectId = OBJECT_ID.exec(trimmed)?.[0];
  if (objectId) return `${base}/${await collectionOf(api, objectId)}/${trimmed}`;
  return `${base}/${trimmed}`;
}

async function headersOf(entries: string[] | undefined): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  for (const entry of entries ?? []) {
    if (entry.trim().startsWith('{') || entry.startsWith('@')) {
      const parsed = await readJsonValue(entry, '--headers');
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new UsageError('--headers: a JSON value must be an object');
      }
      for (const [key, value] of Object.entries(parsed)) headers[key.toLowerCase()] = String(value);
      continue;
    }
    const at = entry.indexOf('=');
    if (at <= 0) throw new UsageError(`--headers: '${entry}' must look like Name=value`);
    headers[entry.slice(0, at).trim().toLowerCase()] = entry.slice(at + 1);
  }
  if (headers['authorization'] !== undefined) {
    throw new UsageError('--headers: Authorization is set from the session (credless login)');
  }
  return headers;
}

export async function rest(api: GraphApi, options: RestOptions): Promise<unknown> {
  const method = (options.method ?? 'get').toLowerCase();
  if (!METHODS.includes(method)) {
    throw new UsageError(`--method: '${options.method}' is not one of ${METHODS.join(', ')}`);
  }
  // Everything is checked before the request is sent.
  const body =
    options.body === undefined ? undefined : JSON.stringify(await readJsonValue(options.body, '--body'));
  const headers = await headersOf(options.headers);
  const url = await resolveRestUri(api, options.uri);
  const answer = await api.send(method.toUpperCase(), url, body, headers);
  if (answer.status < 200 || answer.status >= 300) {
    throw graphError(answer, `${method.toUpperCase()} ${new URL(url).pathname}`);
  }
  return parseJsonBody(answer);
}
