/**
 * `credless ad app|sp|group …` through the Graph-compatible API of the logged-in session. Each
 * function is one az command; it validates its input before the first write, so a refused command
 * changes nothing.
 * @module
 */
import { CommandError, EXIT, UsageError } from '../../exit-codes.ts';
import type { GraphApi } from '../../session/graph-api.ts';

export type GraphObject = Record<string, unknown> & { id: string };
interface Collection<T = GraphObject> {
  value: T[];
}

/** An OData string literal inside a query string. */
const literal = (value: string) => encodeURIComponent(`'${value.replaceAll("'", "''")}'`);
const keySegment = (value: string) => encodeURIComponent(value.replaceAll("'", "''"));

/** GET that answers undefined for 404 (and for an id Graph refuses as malformed). */
async function find(api: GraphApi, path: string): Promise<GraphObject | undefined> {
  try {
    return await api.call<GraphObject>('GET', path);
  } catch (error) {
    if (
      error instanceof CommandError &&
      (error.exitCode === EXIT.notFound || error.exitCode === EXIT.invalidInput)
    ) {
      return undefined;
    }
    throw error;
  }
}

/** `--id` is an appId or an object id, as in az. */
export async function resolveGraphApplication(api: GraphApi, id: string): Promise<GraphObject> {
  if (!id.trim()) throw new UsageError('--id must not be empty');
  const found =
    (await find(api, `/applications(appId='${keySegment(id)}')`)) ??
    (await find(api, `/applications/${encodeURIComponent(id)}`));
  if (!found)
    throw new CommandError(`application '${id}' does not exist (give its appId or object id)`, EXIT.notFound);
  return found;
}

export async function resolveGraphServicePrincipal(api: GraphApi, id: string): Promise<GraphObject> {
  if (!id.trim()) throw new UsageError('--id must not be empty');
  const found =
    (await find(api, `/servicePrincipals(appId='${keySegment(id)}')`)) ??
    (await find(api, `/servicePrincipals/${encodeURIComponent(id)}`));
  if (!found) {
    throw new CommandError(
      `service principal '${id}' does not exist (give its appId or object id)`,
      EXIT.notFound,
    );
  }
  return found;
}

/** The service principal of an appId, or undefined. */
export async function principalOfAppId(api: GraphApi, appId: string): Promise<GraphObject | undefined> {
  const list = await api.call<Collection>('GET', `/servicePrincipals?$filter=appId eq ${literal(appId)}`);
  return list.value[0];
}

export interface GraphAppCreateOptions {
  displayName: string;
  identifierUris?: string[];
  appRoles?: unknown[];
}

/** Like az: every call creates a new application (display names are not unique in Entra). */
export async function graphCreateApplication(
  api: GraphApi,
  options: GraphAppCreateOptions,
): Promise<GraphObject> {
  if (!options.displayName.trim()) throw new UsageError('--display-name must not be empty');
  return api.call<GraphObject>('POST', '/applications', {
    displayName: options.displayName,
    ...(options.identifierUris ? { identifierUris: options.identifierUris } : {}),
    ...(options.appRoles ? { appRoles: options.appRoles } : {}),
  });
}

export interface ListOptions {
  displayName?: string;
  appId?: string;
  /** A raw OData $filter, as az's --filter. */
  filter?: string;
}

function filterOf(options: ListOptions): string {
  const clauses = [
    ...(options.displayName ? [`displayName eq ${literal(options.displayName)}`] : []),
    ...(options.appId ? [`appId eq ${literal(options.appId)}`] : []),
    ...(options.filter ? [encodeURIComponent(options.filter)] : []),
  ];
  return clauses.length ? `?$filter=${clauses.join('%20and%20')}` : '';
}

export async function graphListApplications(
  api: GraphApi,
  options: ListOptions = {},
): Promise<GraphObject[]> {
  return (await api.call<Collection>('GET', `/applications${filterOf(options)}`)).value;
}

export async function graphDeleteApplication(api: GraphApi, id: string): Promise<void> {
  const application = await resolveGraphApplication(api, id);
  await api.call('DELETE', `/applications/${application.id}`);
}

/** Creating twice returns the existing service principal (az would fail). */
export async function graphCreateServicePrincipal(api: GraphApi, id: string): Promise<GraphObject> {
  const application = await resolveGraphApplication(api, id);
  const appId = String(application['appId']);
  return (
    (await principalOfAppId(api, appId)) ?? api.call<GraphObject>('POST', '/servicePrincipals', { appId })
  );
}

export async function graphListServicePrincipals(
  api: GraphApi,
  options: ListOptions = {},
): Promise<GraphObject[]> {
  return (await api.call<Collection>('GET', `/servicePrincipals${filterOf(options)}`)).value;
}

export async function graphDeleteServicePrincipal(api: GraphApi, id: string): Promise<void> {
  const principal = await resolveGraphServicePrincipal(api, id);
  await api.call('DELETE', `/servicePrincipals/${principal.id}`);
}

export interface CreateForRbacResult {
  appId: string;
  displayName: string;
  tenant: string;
}

/**
 * `az ad sp create-for-rbac --name`: the application named so (reused when it exists, as az does) and
 * its service principal. Unlike az it never creates a password: workloads federate.
 */
export async function graphCreateForRbac(api: GraphApi, name: string): Promise<CreateForRbacResult> {
  if (!name.trim()) throw new UsageError('--name must not be empty');
  const named = await graphListApplications(api, { displayName: name });
  if (named.length > 1) {
    throw new CommandError(
      `${named.length} applications are named '${name}' (${named.map((a) => a['appId']).join(', ')}); choose a unique name`,
      EXIT.conflict,
    );
  }
  const application = named[0] ?? (await graphCreateApplication(api, { displayName: name }));
  const appId = String(application['appId']);
  if (!(await principalOfAppId(api, appId))) await api.call('POST', '/servicePrincipals', { appId });
  return { appId, displayName: String(application['displayName']), tenant: api.session.tenantId };
}

export interface GroupCreateOptions {
  displayName: string;
  mailNickname: string;
  description?: string;
}

/** Like az: a new security group each call. */
export async function graphCreateGroup(api: GraphApi, options: GroupCreateOptions): Promise<GraphObject> {
  if (!options.displayName.trim()) throw new UsageError('--display-name must not be empty');
  if (!options.mailNickname.trim()) throw new UsageError('--mail-nickname must not be empty');
  return api.call<GraphObject>('POST', '/groups', {
    displayName: options.displayName,
    mailNickname: options.mailNickname,
    mailEnabled: false,
    securityEnabled: true,
    ...(options.description !== undefined ? { description: options.description } : {}),
  });
}

/** `--group` is an object id or a display name, as in az. */
export async function graphShowGroup(api: GraphApi, group: string): Promise<GraphObject> {
  const byId = /^[0-9a-f-]{36}$/i.test(group) ? await find(api, `/groups/${group}`) : undefined;
  if (byId) return byId;
  const named = (await api.call<Collection>('GET', `/groups?$filter=displayName eq ${literal(group)}`)).value;
  if (named.length > 1) {
    throw new CommandError(`${named.length} groups are named '${group}'; give the object id`, EXIT.conflict);
  }
  if (!named[0]) throw new CommandError(`group '${group}' does not exist`, EXIT.notFound);
  return named[0];
}

export async function graphListGroups(
  api: GraphApi,
  options: { displayName?: string } = {},
): Promise<GraphObject[]> {
  return (await api.call<Collection>('GET', `/groups${filterOf(options)}`)).value;
}

export async function graphDeleteGroup(api: GraphApi, group: string): Promise<void> {
  const found = await graphShowGroup(api, group);
  await api.call('DELETE', `/groups/${found.id}`);
}
