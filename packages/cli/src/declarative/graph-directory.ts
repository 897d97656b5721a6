/**
 * DirectoryApi over Microsoft Graph v1.0 REST (standard paths and bodies), with a bearer token
 * provider: what a remote or CI apply uses — against credless's Graph-compatible API, or Graph itself.
 * @module
 */
import { CommandError, EXIT } from '../exit-codes.ts';
import type { DirectoryApi, GraphApplication, GraphFederatedCredential } from './directory-api.ts';

/** One Graph request: `path` relative to the Graph base; parsed JSON of a 2xx answer, else it throws. */
export type GraphCall = <T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
) => Promise<T>;

export interface GraphDirectoryOptions {
  /** Graph base URL including the version, e.g. https://localhost:8443/v1.0 (for messages and paging). */
  baseUrl: string;
  call: GraphCall;
  /** The appId of the identity calling (never pruned). */
  callerAppId(): Promise<string | undefined>;
}

export interface FetchGraphOptions {
  baseUrl: string;
  /** A Graph access token (called per request; cache in the provider). */
  getToken(): Promise<string>;
  /** An undici dispatcher (e.g. one trusting a local CA); default: Node's global one. */
  dispatcher?: unknown;
}

const exitCodeForStatus = (status: number): number =>
  status === 400 || status === 422
    ? EXIT.invalidInput
    : status === 404
      ? EXIT.notFound
      : status === 409
        ? EXIT.conflict
        : EXIT.failure;

/** A Graph request that failed: the method, path, status and Graph's error code and message. */
export class GraphRequestError extends CommandError {
  readonly status: number;
  readonly code: string | undefined;
  constructor(method: string, path: string, status: number, code: string | undefined, message: string) {
    super(
      `Graph ${method} ${path}: ${status}${code ? ` ${code}` : ''}: ${message}`,
      exitCodeForStatus(status),
    );
    this.status = status;
    this.code = code;
  }
}

/** Graph's key syntax: `'…'` with quotes doubled, URL-encoded. */
const key = (value: string) => encodeURIComponent(`'${value.replaceAll("'", "''")}'`);

/** The calling application's appId, from its token (not verified: only to keep it out of --prune). */
function callerAppId(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    const appId = payload.appid ?? payload.azp;
    return typeof appId === 'string' ? appId : undefined;
  } catch {
    return undefined;
  }
}

const toApplication = (raw: Record<string, unknown>): GraphApplication => {
  const api = raw['api'] as { requestedAccessTokenVersion?: 1 | 2 | null } | null | undefined;
  return {
    id: raw['id'] as string,
    appId: raw['appId'] as string,
    displayName: raw['displayName'] as string,
    identifierUris: (raw['identifierUris'] as string[] | undefined) ?? [],
    appRoles: (raw['appRoles'] as GraphApplication['appRoles'] | undefined) ?? [],
    requiredResourceAccess:
      (raw['requiredResourceAccess'] as GraphApplication['requiredResourceAccess'] | undefined) ?? [],
    api: { requestedAccessTokenVersion: api?.requestedAccessTokenVersion ?? null },
  };
};

const toCredential = (raw: Record<string, unknown>): GraphFederatedCredential => ({
  id: raw['id'] as string,
  name: raw['name'] as string,
  issuer: raw['issuer'] as string,
  subject: (raw['subject'] as string | null | undefined) ?? null,
  claimsMatchingExpression:
    (raw['claimsMatchingExpression'] as GraphFederatedCredential['claimsMatchingExpression'] | undefined) ??
    null,
  audiences: (raw['audiences'] as string[] | undefined) ?? [],
  description: (raw['description'] as string | null | undefined) ?? null,
});

/** A create names only the match target that is set (Graph v1.0 does not know claimsMatchingExpression). */
function createBody(body: Omit<GraphFederatedCredential, 'id'>): Record<string, unknown> {
  const { subject, claimsMatchingExpression, ...rest } = body;
  return { ...rest, ...(subject === null ? { claimsMatchingExpression } : { subject }) };
}

/** Graph over fetch with a bearer token provider (a remote or CI apply; Graph itself too). */
export function fetchGraph(options: FetchGraphOptions): GraphDirectoryOptions {
  const base = options.baseUrl.replace(/\/+$/, '');
  const call: GraphCall = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await options.getToken()}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    } as RequestInit);
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new GraphRequestError(
        method,
        path.split('?')[0] ?? path,
        response.status,
        error?.code,
        error?.message ?? (text.slice(0, 200) || response.statusText),
      );
    }
    return parsed as T;
  };
  return { baseUrl: base, call, callerAppId: async () => callerAppId(await options.getToken()) };
}

export function graphDirectory(options: GraphDirectoryOptions): DirectoryApi {
  const base = options.baseUrl.replace(/\/+$/, '');
  const { call } = options;

  /** Every page of a collection (following @odata.nextLink). */
  async function list(path: string): Promise<Array<Record<string, unknown>>> {
    const items: Array<Record<string, unknown>> = [];
    let next: string | undefined = path;
    while (next) {
      const page: { value?: Array<Record<string, unknown>>; '@odata.nextLink'?: string } = await call(
        'GET',
        next,
      );
      items.push(...(page.value ?? []));
      const link = page['@odata.nextLink'];
      if (link && !link.startsWith(base)) throw new Error(`Graph paged to ${link}, outside ${base}`);
      next = link ? link.slice(base.length) : undefined;
    }
    return items;
  }

  const fic = (applicationId: string, name?: string) =>
    `/applications/${applicationId}/federatedIdentityCredentials${name === undefined ? '' : `(name=${key(name)})`}`;

  return {
    target: base,

    async protectedAppIds() {
      const appId = await options.callerAppId();
      return appId ? [appId] : [];
    },

    listApplications: async () => (await list('/applications')).map(toApplication),
    createApplication: async (body) => toApplication(await call('POST', '/applications', body)),
    patchApplication: async (id, patch) => {
      await call('PATCH', `/applications/${id}`, patch);
    },
    deleteApplication: async (id) => {
      await call('DELETE', `/applications/${id}`);
    },

    listFederatedCredentials: async (applicationId) => (await list(fic(applicationId))).map(toCredential),
    createFederatedCredential: async (applicationId, body) => {
      await call('POST', fic(applicationId), createBody(body));
    },
    patchFederatedCredential: async (applicationId, name, patch) => {
      await call('PATCH', fic(applicationId, name), patch);
    },
    deleteFederatedCredential: async (applicationId, name) => {
      await call('DELETE', fic(applicationId, name));
    },

    listServicePrincipals: async () =>
      (await list('/servicePrincipals')).map((raw) => ({
        id: raw['id'] as string,
        appId: raw['appId'] as string,
        displayName: raw['displayName'] as string,
        appRoles: (raw['appRoles'] as GraphApplication['appRoles'] | undefined) ?? [],
      })),
    createServicePrincipal: async (appId) => {
      const raw = await call('POST', '/servicePrincipals', { appId });
      return {
        id: raw['id'] as string,
        appId: raw['appId'] as string,
        displayName: raw['displayName'] as string,
        appRoles: (raw['appRoles'] as GraphApplication['appRoles'] | undefined) ?? [],
      };
    },
    deleteServicePrincipal: async (id) => {
      await call('DELETE', `/servicePrincipals/${id}`);
    },
    listAppRoleAssignments: async (principalId) =>
      (await list(`/servicePrincipals/${principalId}/appRoleAssignments`)).map((raw) => ({
        id: raw['id'] as string,
        principalId: raw['principalId'] as string,
        resourceId: raw['resourceId'] as string,
        appRoleId: raw['appRoleId'] as string,
      })),
    createAppRoleAssignment: async (assignment) => {
      await call('POST', `/servicePrincipals/${assignment.resourceId}/appRoleAssignedTo`, assignment);
    },
    deleteAppRoleAssignment: async (principalId, assignmentId) => {
      await call('DELETE', `/servicePrincipals/${principalId}/appRoleAssignments/${assignmentId}`);
    },

    listGroups: async () =>
      (await list('/groups')).map((raw) => ({
        id: raw['id'] as string,
        displayName: raw['displayName'] as string,
        mailNickname: raw['mailNickname'] as string,
        description: (raw['description'] as string | null | undefined) ?? null,
      })),
    createGroup: async (body) => {
      const raw = await call('POST', '/groups', {
        displayName: body.displayName,
        mailNickname: body.mailNickname,
        mailEnabled: false,
        securityEnabled: true,
        ...(body.description === null ? {} : { description: body.description }),
      });
      return {
        id: raw['id'] as string,
        displayName: raw['displayName'] as string,
        mailNickname: raw['mailNickname'] as string,
        description: (raw['description'] as string | null | undefined) ?? null,
      };
    },
    patchGroup: async (id, patch) => {
      await call('PATCH', `/groups/${id}`, patch);
    },
    deleteGroup: async (id) => {
      await call('DELETE', `/groups/${id}`);
    },
    listGroupMembers: async (groupId) =>
      (await list(`/groups/${groupId}/members`)).map((raw) => raw['id'] as string),
    addGroupMember: async (groupId, memberId) => {
      await call('POST', `/groups/${groupId}/members/$ref`, {
        '@odata.id': `${base}/directoryObjects/${memberId}`,
      });
    },
    removeGroupMember: async (groupId, memberId) => {
      await call('DELETE', `/groups/${groupId}/members/${memberId}/$ref`);
    },
  };
}
