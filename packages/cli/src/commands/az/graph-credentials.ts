/**
 * `credless ad app federated-credential …` and `ad app permission …` through the Graph-compatible API.
 * Credential create is idempotent: the same content under the same name returns the existing
 * credential; different content under that name is a conflict (exit 4) naming the differing fields.
 * Consent grants app role assignments — what puts `roles` into the app's tokens.
 * @module
 */
import { type FederatedIdentityCredential, normalizeFederatedIdentityCredential } from '@credless/core';
import { CommandError, EXIT, UsageError } from '../../exit-codes.ts';
import type { GraphApi } from '../../session/graph-api.ts';
import { type GraphObject, principalOfAppId, resolveGraphApplication } from './graph-objects.ts';

const CREDENTIAL_FIELDS = [
  'name',
  'issuer',
  'subject',
  'audiences',
  'description',
  'claimsMatchingExpression',
];

/**
 * Checks a `--parameters` object before anything is sent: unknown fields (a typo such as `subjet`
 * would otherwise be dropped silently by some clients) and Graph's rules, with the field named.
 */
export function checkCredentialParameters(parameters: Record<string, unknown>) {
  const unknown = Object.keys(parameters).filter((key) => !CREDENTIAL_FIELDS.includes(key));
  if (unknown.length > 0) {
    throw new UsageError(
      `--parameters: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (allowed: ${CREDENTIAL_FIELDS.join(', ')})`,
    );
  }
  return normalizeFederatedIdentityCredential(parameters);
}

/** The fields in which an existing credential differs from the wanted one (empty: the same). */
export function credentialDifferences(
  existing: Pick<
    FederatedIdentityCredential,
    'issuer' | 'subject' | 'audiences' | 'description' | 'claimsMatchingExpression'
  >,
  wanted: ReturnType<typeof normalizeFederatedIdentityCredential>,
): string[] {
  const fields: string[] = [];
  if (existing.issuer !== wanted.issuer) fields.push('issuer');
  if (existing.subject !== wanted.subject) fields.push('subject');
  const expressionOf = (credential: { claimsMatchingExpression: { value: string } | null }) =>
    credential.claimsMatchingExpression?.value ?? null;
  if (expressionOf(existing) !== expressionOf(wanted)) fields.push('claimsMatchingExpression');
  if (existing.audiences[0] !== wanted.audiences[0]) fields.push('audiences');
  if ((existing.description ?? null) !== wanted.description) fields.push('description');
  return fields;
}

const credentialsPath = (application: GraphObject) =>
  `/applications/${application.id}/federatedIdentityCredentials`;
const byName = (application: GraphObject, name: string) =>
  `${credentialsPath(application)}(name='${encodeURIComponent(name.replaceAll("'", "''"))}')`;

export async function graphCreateFederatedCredential(
  api: GraphApi,
  id: string,
  parameters: Record<string, unknown>,
): Promise<GraphObject> {
  const wanted = checkCredentialParameters(parameters);
  const application = await resolveGraphApplication(api, id);
  let existing: GraphObject | undefined;
  try {
    existing = await api.call<GraphObject>('GET', byName(application, wanted.name));
  } catch (error) {
    if (!(error instanceof CommandError && error.exitCode === EXIT.notFound)) throw error;
  }
  if (existing) {
    const differing = credentialDifferences(existing as unknown as FederatedIdentityCredential, wanted);
    if (differing.length === 0) return existing;
    throw new CommandError(
      `federated credential '${wanted.name}' already exists on application ${String(application['appId'])} with a different ${differing.join(', ')}; delete it first (credless ad app federated-credential delete --id ${String(application['appId'])} --federated-credential-id ${wanted.name}) or choose another name`,
      EXIT.conflict,
    );
  }
  return api.call<GraphObject>('POST', credentialsPath(application), {
    name: wanted.name,
    issuer: wanted.issuer,
    ...(wanted.subject !== null ? { subject: wanted.subject } : {}),
    ...(wanted.claimsMatchingExpression ? { claimsMatchingExpression: wanted.claimsMatchingExpression } : {}),
    audiences: wanted.audiences,
    ...(wanted.description !== null ? { description: wanted.description } : {}),
  });
}

export async function graphListFederatedCredentials(api: GraphApi, id: string): Promise<GraphObject[]> {
  const application = await resolveGraphApplication(api, id);
  return (await api.call<{ value: GraphObject[] }>('GET', credentialsPath(application))).value;
}

export async function graphShowFederatedCredential(
  api: GraphApi,
  id: string,
  key: string,
): Promise<GraphObject> {
  const application = await resolveGraphApplication(api, id);
  return api.call<GraphObject>('GET', `${credentialsPath(application)}/${encodeURIComponent(key)}`);
}

export async function graphDeleteFederatedCredential(api: GraphApi, id: string, key: string): Promise<void> {
  const application = await resolveGraphApplication(api, id);
  const found = await api.call<GraphObject>(
    'GET',
    `${credentialsPath(application)}/${encodeURIComponent(key)}`,
  );
  await api.call('DELETE', `${credentialsPath(application)}/${found.id}`);
}

interface RequiredResourceAccess {
  resourceAppId: string;
  resourceAccess: Array<{ id: string; type: string }>;
}
interface AppRole {
  id: string;
  value?: string;
  allowedMemberTypes?: string[];
}

/** `<appRoleId>=Role`; delegated `=Scope` permissions do not apply to workloads. */
export function parsePermissionEntry(entry: string): { id: string; type: 'Role' } {
  const [id, type, ...rest] = entry.split('=');
  if (!id || rest.length > 0 || (type !== 'Role' && type !== 'Scope')) {
    throw new UsageError(`--api-permissions: '${entry}' must look like <permission id>=Role`);
  }
  if (type === 'Scope') {
    throw new UsageError(
      `--api-permissions: '${entry}' is a delegated permission; workloads need application permissions (=Role)`,
    );
  }
  return { id: id.toLowerCase(), type };
}

async function resourcePrincipal(api: GraphApi, appId: string): Promise<GraphObject> {
  const principal = await principalOfAppId(api, appId);
  if (!principal) {
    throw new CommandError(
      `no API with appId '${appId}' in this tenant (it needs a service principal)`,
      EXIT.notFound,
    );
  }
  return principal;
}

export async function graphAddPermission(
  api: GraphApi,
  options: { id: string; api: string; apiPermissions: string[] },
): Promise<RequiredResourceAccess[]> {
  const requested = options.apiPermissions
    .flatMap((entry) => entry.split(/\s+/).filter(Boolean))
    .map(parsePermissionEntry);
  if (requested.length === 0) throw new UsageError('--api-permissions: give at least one <id>=Role');
  const client = await resolveGraphApplication(api, options.id);
  const resource = await resourcePrincipal(api, options.api);
  const roles = (resource['appRoles'] ?? []) as AppRole[];
  for (const permission of requested) {
    if (!roles.some((role) => role.id === permission.id)) {
      throw new CommandError(
        `--api-permissions: '${permission.id}' is not an application role of ${String(resource['displayName'])} (${options.api})`,
        EXIT.invalidInput,
      );
    }
  }
  const current = (client['requiredResourceAccess'] ?? []) as RequiredResourceAccess[];
  const resourceAppId = String(resource['appId']);
  const entry = current.find((item) => item.resourceAppId === resourceAppId);
  const merged: RequiredResourceAccess = {
    resourceAppId,
    resourceAccess: [...(entry?.resourceAccess ?? [])],
  };
  for (const permission of requested) {
    if (!merged.resourceAccess.some((access) => access.id === permission.id && access.type === 'Role')) {
      merged.resourceAccess.push(permission);
    }
  }
  const next = [...current.filter((item) => item.resourceAppId !== resourceAppId), merged];
  await api.call('PATCH', `/applications/${client.id}`, { requiredResourceAccess: next });
  return next;
}

export async function graphListPermissions(api: GraphApi, id: string): Promise<RequiredResourceAccess[]> {
  const client = await resolveGraphApplication(api, id);
  return (client['requiredResourceAccess'] ?? []) as RequiredResourceAccess[];
}

/**
 * Grants the application permissions the app requests (of one API with `api`, else all): one app role
 * assignment each, skipping those already granted. Everything is resolved before the first grant.
 */
export async function graphGrantPermissions(
  api: GraphApi,
  options: { id: string; api?: string },
): Promise<GraphObject[]> {
  const client = await resolveGraphApplication(api, options.id);
  const appId = String(client['appId']);
  const principal = await principalOfAppId(api, appId);
  if (!principal) {
    throw new CommandError(
      `application ${appId} has no service principal to grant to; create it first: credless ad sp create --id ${appId}`,
      EXIT.notFound,
    );
  }
  const requests = ((client['requiredResourceAccess'] ?? []) as RequiredResourceAccess[]).filter(
    (entry) => options.api === undefined || entry.resourceAppId === options.api.toLowerCase(),
  );
  if (options.api !== undefined && requests.length === 0) {
    throw new CommandError(
      `application ${appId} requests no permissions of API ${options.api}; add them first: credless ad app permission add --id ${appId} --api ${options.api} --api-permissions <id>=Role`,
      EXIT.notFound,
    );
  }
  const plan: Array<{ resourceId: string; appRoleId: string }> = [];
  for (const entry of requests) {
    const resource = await resourcePrincipal(api, entry.resourceAppId);
    for (const access of entry.resourceAccess.filter((item) => item.type === 'Role')) {
      plan.push({ resourceId: resource.id, appRoleId: access.id });
    }
  }
  const held = (
    await api.call<{ value: GraphObject[] }>('GET', `/servicePrincipals/${principal.id}/appRoleAssignments`)
  ).value;
  const result: GraphObject[] = [];
  for (const grant of plan) {
    const existing = held.find(
      (assignment) =>
        assignment['resourceId'] === grant.resourceId && assignment['appRoleId'] === grant.appRoleId,
    );
    result.push(
      existing ??
        (await api.call<GraphObject>('POST', `/servicePrincipals/${grant.resourceId}/appRoleAssignedTo`, {
          principalId: principal.id,
          ...grant,
        })),
    );
  }
  return result;
}
