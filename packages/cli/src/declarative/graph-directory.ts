/**
 * DirectoryApi over Microsoft Graph v1.0 REST (standard paths and bodies): what every plan/apply
 * uses — credless's Graph-compatible API over a session or in-process (a data directory), or Graph itself.
 * @module
 */
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
  /** Where changes go, for messages (default: the Graph base URL). */
  target?: string;
}

/** Graph's key syntax: `'…'` with quotes doubled, URL-encoded. */
const key = (value: string) => encodeURIComponent(`'${value.replaceAll("'", "''")}'`);

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
    target: options.target ?? base,

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
