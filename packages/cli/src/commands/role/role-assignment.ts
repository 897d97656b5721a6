/**
 * `credless role assignment create|list|delete`: `az role assignment` over credless's Resource Manager
 * (Microsoft.Authorization), as az does it — the role resolved through `roleDefinitions`, the assignee
 * through Graph, then roleAssignments' PUT/GET/DELETE — so offline (in-process) and logged in print the
 * same az-shaped results (`--query id -o tsv` works as in the seed), authorized by the API.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { CredlessError, normalizeScope, scopeSubscription } from '@credless/core';
import type { GraphApi } from '../../session/graph-api.ts';
import { type ArmAnswer, armError, type ManagementApi } from '../../session/management-api.ts';

const API = 'api-version=2022-04-01';
const PROVIDER = '/providers/Microsoft.Authorization';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEFINITION_ID = /\/providers\/Microsoft\.Authorization\/roleDefinitions\/([0-9a-f-]{36})$/i;

interface ArmRoleDefinition {
  id: string;
  name: string;
  properties: { roleName: string };
}

interface ArmRoleAssignment {
  id: string;
  name: string;
  type: string;
  properties: {
    roleDefinitionId: string;
    principalId: string;
    principalType: string;
    scope: string;
    createdOn: string;
    updatedOn: string;
  };
}

/** `az role assignment` output, member for member (the null ones are always null locally). */
export function roleAssignmentView(assignment: ArmRoleAssignment, roleName: string, principalName?: string) {
  const { properties: p } = assignment;
  const resourceGroup = /\/resourceGroups\/([^/]+)/i.exec(p.scope)?.[1];
  return {
    condition: null,
    conditionVersion: null,
    createdBy: null,
    createdOn: p.createdOn,
    delegatedManagedIdentityResourceId: null,
    description: null,
    id: assignment.id,
    name: assignment.name,
    principalId: p.principalId,
    ...(principalName !== undefined ? { principalName } : {}),
    principalType: p.principalType,
    ...(resourceGroup !== undefined ? { resourceGroup } : {}),
    roleDefinitionId: p.roleDefinitionId,
    roleDefinitionName: roleName,
    scope: p.scope,
    type: assignment.type,
    updatedBy: null,
    updatedOn: p.updatedOn,
  };
}

export type RoleAssignmentView = ReturnType<typeof roleAssignmentView>;

const definitionsPath = (arm: ManagementApi) =>
  `/subscriptions/${arm.subscriptionId}${PROVIDER}/roleDefinitions`;

async function allDefinitions(arm: ManagementApi): Promise<ArmRoleDefinition[]> {
  return (await arm.call<{ value: ArmRoleDefinition[] }>('GET', `${definitionsPath(arm)}?${API}`)).body.value;
}

/** A role by name (as az: `roleName eq`), guid or ARM id; unknown → the catalogue's message with the known roles. */
async function resolveRole(arm: ManagementApi, role: string): Promise<ArmRoleDefinition> {
  const value = role.trim();
  const guid = DEFINITION_ID.exec(value)?.[1] ?? (GUID.test(value) ? value : undefined);
  let found: ArmRoleDefinition | undefined;
  if (guid !== undefined) {
    const answer = await arm.send('GET', `${definitionsPath(arm)}/${guid}?${API}`);
    if (answer.status === 200) found = answer.body as ArmRoleDefinition;
    else if (answer.status !== 404) throw armError(answer, 'GET roleDefinitions');
  } else {
    const filter = encodeURIComponent(`roleName eq '${value.replaceAll("'", "''")}'`);
    const answer = await arm.call<{ value: ArmRoleDefinition[] }>(
      'GET',
      `${definitionsPath(arm)}?$filter=${filter}&${API}`,
    );
    found = answer.body.value[0];
  }
  if (found) return found;
  const known = (await allDefinitions(arm)).map((definition) => `'${definition.properties.roleName}'`);
  throw new CredlessError('role_definition_not_found', { role, known: known.join(', ') });
}

/** A Graph object, or undefined when there is none (404). */
async function graphObject(api: GraphApi, path: string): Promise<Record<string, unknown> | undefined> {
  const answer = await api.send('GET', `${api.session.graphUrl}${path}`);
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) return api.call('GET', path); // the Graph client's error for anything else
  return JSON.parse(answer.text) as Record<string, unknown>;
}

interface Assignee {
  principalId: string;
  principalType: 'ServicePrincipal' | 'Group';
}

/** An appId or service principal object id (as az accepts), or a group object id. */
async function resolveAssignee(api: GraphApi, assignee: string): Promise<Assignee> {
  const value = assignee.trim();
  if (GUID.test(value)) {
    const byAppId = await api.call<{ value: Array<{ id: string }> }>(
      'GET',
      `/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${value}'`)}`,
    );
    const sp = byAppId.value[0] ?? (await graphObject(api, `/servicePrincipals/${value}`));
    if (sp) return { principalId: sp.id as string, principalType: 'ServicePrincipal' };
    const group = await graphObject(api, `/groups/${value}`);
    if (group) return { principalId: group['id'] as string, principalType: 'Group' };
  }
  throw new CredlessError('role_assignee_not_found', { assignee: value });
}

/** az's scope check (a subscription, group or resource id of the caller's subscription), before any request. */
function checkScope(arm: ManagementApi, scope: string): string {
  const normalized = normalizeScope(scope);
  const reason =
    normalized === undefined
      ? 'expected /subscriptions/<id>[/resourceGroups/<group>[/providers/<namespace>/<type>/<name>…]] ' +
        '(e.g. the output of `credless cluster show --query id -o tsv`)'
      : scopeSubscription(normalized)?.toLowerCase() !== arm.subscriptionId.toLowerCase()
        ? `this tenant's subscription is /subscriptions/${arm.subscriptionId}`
        : undefined;
  if (reason !== undefined) {
    throw new CredlessError('role_assignment_scope_invalid', { scope: scope.slice(0, 300), reason });
  }
  return normalized as string;
}

export interface CreateRoleAssignmentOptions {
  role: string;
  assignee: string;
  scope: string;
}

/** Creates the assignment; again with the same role, assignee and scope returns the existing one (as az). */
export async function createRoleAssignment(
  api: GraphApi,
  options: CreateRoleAssignmentOptions,
): Promise<RoleAssignmentView> {
  const arm = await api.management();
  const scope = checkScope(arm, options.scope);
  const role = await resolveRole(arm, options.role);
  const assignee = await resolveAssignee(api, options.assignee);
  const created = await arm.send('PUT', `${scope}${PROVIDER}/roleAssignments/${randomUUID()}?${API}`, {
    properties: { roleDefinitionId: role.id, ...assignee },
  });
  if (created.status === 200 || created.status === 201) {
    return roleAssignmentView(created.body as ArmRoleAssignment, role.properties.roleName);
  }
  const exists =
    (created.body as { error?: { code?: string } } | undefined)?.error?.code === 'RoleAssignmentExists';
  if (!exists) throw armError(created, 'PUT roleAssignments');
  const same = (await listAt(arm, scope, assignee.principalId)).filter(
    (assignment) =>
      assignment.properties.scope.toLowerCase() === scope.toLowerCase() &&
      assignment.properties.roleDefinitionId.toLowerCase() === role.id.toLowerCase(),
  );
  if (!same[0]) throw armError(created, 'PUT roleAssignments');
  return roleAssignmentView(same[0], role.properties.roleName);
}

/** At `scope` (and above it), or the whole subscription; of one principal when given. */
async function listAt(
  arm: ManagementApi,
  scope: string | undefined,
  principalId: string | undefined,
): Promise<ArmRoleAssignment[]> {
  const filter =
    scope !== undefined
      ? 'atScope()'
      : principalId !== undefined
        ? `principalId eq '${principalId}'`
        : undefined;
  const query = filter === undefined ? API : `$filter=${encodeURIComponent(filter)}&${API}`;
  const at = scope ?? `/subscriptions/${arm.subscriptionId}`;
  const { body } = await arm.call<{ value: ArmRoleAssignment[] }>(
    'GET',
    `${at}${PROVIDER}/roleAssignments?${query}`,
  );
  return body.value.filter((a) => principalId === undefined || a.properties.principalId === principalId);
}

export interface ListRoleAssignmentsOptions {
  assignee?: string;
  role?: string;
  scope?: string;
  includeInherited?: boolean;
}

async function matching(
  api: GraphApi,
  arm: ManagementApi,
  options: ListRoleAssignmentsOptions,
): Promise<ArmRoleAssignment[]> {
  const scope = options.scope === undefined ? undefined : checkScope(arm, options.scope);
  const principalId =
    options.assignee === undefined ? undefined : (await resolveAssignee(api, options.assignee)).principalId;
  const role = options.role === undefined ? undefined : await resolveRole(arm, options.role);
  return (await listAt(arm, scope, principalId)).filter(
    (assignment) =>
      (role === undefined ||
        assignment.properties.roleDefinitionId.toLowerCase() === role.id.toLowerCase()) &&
      (scope === undefined ||
        options.includeInherited === true ||
        assignment.properties.scope.toLowerCase() === scope.toLowerCase()),
  );
}

/** `az role assignment list`, with principalName and roleDefinitionName as az shows them. */
export async function listRoleAssignments(
  api: GraphApi,
  options: ListRoleAssignmentsOptions = {},
): Promise<RoleAssignmentView[]> {
  const arm = await api.management();
  const found = await matching(api, arm, options);
  if (found.length === 0) return [];
  const roleNames = new Map(
    (await allDefinitions(arm)).map((definition) => [
      definition.id.toLowerCase(),
      definition.properties.roleName,
    ]),
  );
  const names = new Map<string, string>();
  for (const { principalId, principalType } of found.map((assignment) => assignment.properties)) {
    if (names.has(principalId)) continue;
    const object =
      principalType === 'Group'
        ? await graphObject(api, `/groups/${principalId}`)
        : await graphObject(api, `/servicePrincipals/${principalId}`);
    names.set(
      principalId,
      String((principalType === 'Group' ? object?.['displayName'] : object?.['appId']) ?? ''),
    );
  }
  return found.map((assignment) =>
    roleAssignmentView(
      assignment,
      roleNames.get(assignment.properties.roleDefinitionId.toLowerCase()) ?? '',
      names.get(assignment.properties.principalId),
    ),
  );
}

export interface DeleteRoleAssignmentsOptions extends ListRoleAssignmentsOptions {
  ids?: string[];
}

/** By `--ids`, or every assignment matching `--assignee/--role/--scope` (at least one is needed). */
export async function deleteRoleAssignment(
  api: GraphApi,
  options: DeleteRoleAssignmentsOptions,
): Promise<void> {
  const arm = await api.management();
  const remove = async (id: string) => {
    const answer: ArmAnswer<unknown> = await arm.send('DELETE', `${id.trim()}?${API}`);
    // ARM answers 204 for an assignment that is not there: for the CLI, as before, that is not found.
    if (answer.status === 204) throw new CredlessError('not_found', { id });
    if (answer.status !== 200) throw armError(answer, 'DELETE roleAssignments');
  };
  if (options.ids !== undefined && options.ids.length > 0) {
    for (const id of options.ids) await remove(id);
    return;
  }
  if (options.assignee === undefined && options.role === undefined && options.scope === undefined) {
    throw new CredlessError('invalid_value', {
      field: 'ids',
      reason: 'give --ids, or at least one of --assignee, --role and --scope',
    });
  }
  for (const assignment of await matching(api, arm, options)) await remove(assignment.id);
}
