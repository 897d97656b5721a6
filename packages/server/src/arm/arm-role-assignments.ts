/**
 * `Microsoft.Authorization/roleAssignments` at any scope of a tenant's subscription, over credless's
 * Azure RBAC store, for `az role assignment create|list|delete`: PUT by guid, GET and DELETE by id, and
 * the list at a scope with `$filter=atScope()`, `principalId eq '…'` or `assignedTo('…')`. Creating a
 * second assignment of the same role to the same principal at the same scope is ARM's 409
 * RoleAssignmentExists (az then shows the existing one). Only Owner and User Access Administrator at or
 * above the scope (and the local administrator) may write; Reader and up may read. Also serves
 * `roleDefinitions` (arm-role-definitions.ts): both live under the provider's one route.
 * @module
 */
import {
  CredlessError,
  findRoleDefinition,
  type RoleDefinition,
  roleDefinitionResourceId,
  scopeCovers,
  type Tenant,
} from '@credless/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type BuiltInResourceStore, ensureBuiltInApplication } from '../directory/built-in-resources.ts';
import type { GraphCaller } from '../graph/graph-token.ts';
import { AKS_SERVER_APPLICATION } from '../store/built-in-applications.ts';
import type { DirectoryStore, RoleAssignmentRecord, RolePrincipalType } from '../store/directory-store.ts';
import { roleAssignmentId } from '../store/role-assignments.ts';
import { type ArmAuthorizationStore, type ArmGrants, armGrantsOf } from './arm-authorization.ts';
import { armProviderRoute } from './arm-provider-routes.ts';
import type { RegistryPlatform } from './arm-providers-catalogue.ts';
import { localSubscriptionId, requireOwnSubscription } from './arm-resources.ts';
import {
  AUTHORIZATION_API_VERSIONS,
  type AuthorizationPath,
  answerRoleDefinitions,
  parseAuthorizationPath,
} from './arm-role-definitions.ts';

export type RoleAssignmentStore = ArmAuthorizationStore &
  BuiltInResourceStore &
  Pick<
    DirectoryStore,
    'createRoleAssignment' | 'deleteRoleAssignment' | 'getServicePrincipal' | 'getGroup' | 'getCluster'
  >;

export interface AuthorizationRouteDeps {
  store: RoleAssignmentStore;
  /** The ARM host names (the plugin's host constraint). */
  host: RegExp;
  caller(request: FastifyRequest): GraphCaller;
  tenantOf(request: FastifyRequest): Promise<Tenant>;
  /** Told of AcrPull assignments on registries (pulls are checked by app-role assignments). */
  registries?: Pick<RegistryPlatform, 'pullAccessChanged'>;
}

const TYPE = 'Microsoft.Authorization/roleAssignments';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PRINCIPAL_TYPES = new Set(['User', 'Group', 'ServicePrincipal', 'ForeignGroup', 'Device']);

export function toArmRoleAssignment(record: RoleAssignmentRecord) {
  const at = record.createdAt.toISOString();
  return {
    properties: {
      roleDefinitionId: record.roleDefinitionId,
      principalId: record.principalId,
      principalType: record.principalType,
      scope: record.scope,
      condition: null,
      conditionVersion: null,
      createdOn: at,
      updatedOn: at,
      createdBy: null,
      updatedBy: null,
      delegatedManagedIdentityResourceId: null,
      description: null,
    },
    id: record.id,
    type: TYPE,
    name: record.name,
  };
}

// ---- $filter: atScope(), principalId eq '<id>', assignedTo('<id>'), joined by `and`
interface AssignmentFilter {
  atScope: boolean;
  principalId?: string;
  /** assignedTo: the principal's groups count too. */
  withGroups: boolean;
}

const TERMS = [
  { pattern: /^atScope\(\)$/i, apply: (f: AssignmentFilter) => ({ ...f, atScope: true }) },
  {
    pattern: /^principalId\s+eq\s+'([0-9a-f-]{36})'$/i,
    apply: (f: AssignmentFilter, id: string) => ({ ...f, principalId: id }),
  },
  {
    pattern: /^assignedTo\('([0-9a-f-]{36})'\)$/i,
    apply: (f: AssignmentFilter, id: string) => ({ ...f, principalId: id, withGroups: true }),
  },
];

function parseFilter(raw: unknown): AssignmentFilter {
  let filter: AssignmentFilter = { atScope: false, withGroups: false };
  if (typeof raw !== 'string' || raw.trim() === '') return filter;
  for (const term of raw.trim().split(/\s+and\s+/i)) {
    const known = TERMS.map((t) => ({ t, match: t.pattern.exec(term.trim()) })).find((x) => x.match);
    if (!known?.match) {
      throw new CredlessError('arm_query_unsupported', {
        reason: `The filter '${raw.slice(0, 200)}' is not supported. Supported filters are either 'atScope()' or 'principalId eq '{value}'' or 'assignedTo('{value}')'.`,
      });
    }
    filter = known.t.apply(filter, (known.match[1] ?? '').toLowerCase());
  }
  return filter;
}

// ---- the PUT body: {"properties":{"roleDefinitionId","principalId","principalType"?}}
const invalidContent = (reason: string) => new CredlessError('arm_request_content_invalid', { reason });
const DEFINITION_ID =
  /^(?:\/subscriptions\/([^/]+))?\/providers\/Microsoft\.Authorization\/roleDefinitions\/([^/]+)$/i;

interface AssignmentBody {
  role: RoleDefinition;
  principalId: string;
  principalType: string | undefined;
}

function parseBody(body: unknown, subscriptionId: string): AssignmentBody {
  const properties = (body as { properties?: unknown } | null)?.properties;
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
    throw invalidContent(
      'the body must be a JSON object with properties.roleDefinitionId and properties.principalId',
    );
  }
  const { roleDefinitionId, principalId, principalType, condition } = properties as Record<string, unknown>;
  if (typeof roleDefinitionId !== 'string' || roleDefinitionId === '') {
    throw invalidContent('properties.roleDefinitionId must be a role definition id');
  }
  if (typeof principalId !== 'string' || !GUID.test(principalId)) {
    throw invalidContent('properties.principalId must be an object id (a GUID)');
  }
  if (principalType !== undefined && principalType !== null && !PRINCIPAL_TYPES.has(String(principalType))) {
    throw invalidContent(`properties.principalType must be one of ${[...PRINCIPAL_TYPES].join(', ')}`);
  }
  if (condition !== undefined && condition !== null) {
    throw invalidContent('conditions on role assignments are not supported by credless');
  }
  const match = DEFINITION_ID.exec(roleDefinitionId.trim());
  const ownSubscription = match?.[1] === undefined || match[1].toLowerCase() === subscriptionId;
  const role = match && ownSubscription ? findRoleDefinition(match[2] as string) : undefined;
  if (!role) throw new CredlessError('arm_role_definition_missing', { id: roleDefinitionId.slice(0, 300) });
  return {
    role,
    principalId: principalId.toLowerCase(),
    principalType: principalType === null ? undefined : (principalType as string | undefined),
  };
}

const CLUSTER_SCOPE =
  /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerService\/managedClusters\/([^/]+)(\/namespaces\/[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)?$/i;

/** The built-in AcrPull role definition (the registry application's app role has the same id). */
const ACR_PULL_ROLE_GUID = '7f951dda-4ed3-4680-a7ca-43fe172d538d';
const REGISTRY_SCOPE =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ContainerRegistry\/registries\/([^/]+)$/i;

/** The registry an AcrPull assignment lets its principal pull from, if it is one. */
export function pulledRegistry(assignment: {
  scope: string;
  roleDefinitionGuid?: string;
  roleDefinitionId: string;
}) {
  const role = assignment.roleDefinitionGuid ?? assignment.roleDefinitionId.split('/').pop();
  if (role?.toLowerCase() !== ACR_PULL_ROLE_GUID) return undefined;
  return REGISTRY_SCOPE.exec(assignment.scope)?.[1]?.toLowerCase();
}

export async function registerAuthorizationRoutes(
  app: FastifyInstance,
  deps: AuthorizationRouteDeps,
): Promise<void> {
  const routes = new RoleAssignmentRoutes(deps);
  await armProviderRoute(app, deps.host, {
    namespace: 'Microsoft.Authorization',
    methods: ['GET', 'PUT', 'DELETE'],
    config: { arm: { apiVersions: AUTHORIZATION_API_VERSIONS, resourceType: 'roleAssignments' } },
    handler: (request, reply) => routes.handle(request, reply),
  });
}

const routeNotFound = (request: FastifyRequest) =>
  new CredlessError('arm_route_not_found', { method: request.method, path: request.url.split('?')[0] });

function requireGrant(allowed: boolean, caller: GraphCaller, scope: string, action: string): void {
  if (allowed) return;
  throw new CredlessError('arm_authorization_failed', {
    client: caller.principalId ?? caller.appId ?? 'unknown',
    action: `Microsoft.Authorization/roleAssignments/${action}`,
    scope,
  });
}

/** The role assignment API over one store: the handlers of the provider's one route. */
class RoleAssignmentRoutes {
  readonly #deps: AuthorizationRouteDeps;
  readonly #store: RoleAssignmentStore;

  constructor(deps: AuthorizationRouteDeps) {
    this.#deps = deps;
    this.#store = deps.store;
  }

  async #pullAccessChanged(tenantId: string, assignment: RoleAssignmentRecord, granted: boolean) {
    const registry = pulledRegistry(assignment);
    if (registry !== undefined && this.#deps.registries?.pullAccessChanged)
      await this.#deps.registries.pullAccessChanged(tenantId, registry, assignment.principalId, granted);
  }

  /** A scope below a cluster must name an existing cluster (and at most one of its namespaces). */
  async #checkClusterScope(tenantId: string, scope: string): Promise<void> {
    if (!/\/managedClusters\//i.test(scope)) return;
    const cluster = CLUSTER_SCOPE.exec(scope);
    if (!cluster) {
      throw new CredlessError('role_assignment_scope_invalid', {
        scope,
        reason: 'below a cluster only /namespaces/<namespace> is a scope',
      });
    }
    if (!(await this.#store.getCluster(tenantId, cluster[1] as string, cluster[2] as string))) {
      throw new CredlessError('role_assignment_scope_invalid', {
        scope,
        reason: `no cluster '${cluster[2]}' in resource group '${cluster[1]}'`,
      });
    }
  }

  async #principalTypeOf(tenantId: string, principalId: string): Promise<RolePrincipalType> {
    if (await this.#store.getServicePrincipal(tenantId, principalId)) return 'ServicePrincipal';
    if (await this.#store.getGroup(tenantId, principalId)) return 'Group';
    throw new CredlessError('arm_principal_not_found', { id: principalId, tenant: tenantId });
  }

  async #list(request: FastifyRequest, tenant: Tenant, scope: string) {
    const filter = parseFilter((request.query as Record<string, unknown>)['$filter']);
    const principalIds =
      filter.principalId === undefined
        ? undefined
        : [
            filter.principalId,
            ...(filter.withGroups
              ? await this.#store.listGroupIdsOfMembers(tenant.id, [filter.principalId])
              : []),
          ];
    const records = await this.#store.listRoleAssignments(tenant.id, principalIds ? { principalIds } : {});
    // atScope(): at the scope or above it; otherwise below it too (what applies to or under it).
    const related = records.filter(
      (record) => scopeCovers(record.scope, scope) || (!filter.atScope && scopeCovers(scope, record.scope)),
    );
    return { value: related.map(toArmRoleAssignment) };
  }

  async #find(tenantId: string, scope: string, name: string) {
    const id = roleAssignmentId(scope, name).toLowerCase();
    const all = await this.#store.listRoleAssignments(tenantId);
    return { all, found: all.find((record) => record.id.toLowerCase() === id) };
  }

  async #put(request: FastifyRequest, reply: FastifyReply, tenant: Tenant, path: AuthorizationPath) {
    const subscription = localSubscriptionId(tenant.id);
    const body = parseBody(request.body, subscription);
    await this.#checkClusterScope(tenant.id, path.scope);
    const principalType = await this.#principalTypeOf(tenant.id, body.principalId);
    if (body.principalType !== undefined && body.principalType !== principalType) {
      throw new CredlessError('arm_principal_type_unmatched', {
        id: body.principalId,
        actual: principalType,
        given: body.principalType,
      });
    }
    const name = (path.name as string).toLowerCase();
    const { all, found } = await this.#find(tenant.id, path.scope, name);
    const sameName = found ?? all.find((record) => record.name === name);
    if (sameName) {
      const same =
        sameName.scope.toLowerCase() === path.scope.toLowerCase() &&
        sameName.roleDefinitionId.toLowerCase().endsWith(`/${body.role.name}`) &&
        sameName.principalId === body.principalId;
      if (!same) throw new CredlessError('arm_role_assignment_update_not_permitted');
      return reply.code(201).send(toArmRoleAssignment(sameName));
    }
    // An AKS role is useless without the AKS server app the kubelogin exec plugin gets tokens for.
    if (body.role.clusterDataActions)
      await ensureBuiltInApplication(this.#store, tenant.id, AKS_SERVER_APPLICATION);
    const { assignment, created } = await this.#store.createRoleAssignment(tenant.id, {
      scope: path.scope,
      roleDefinitionId: roleDefinitionResourceId(subscription, body.role.name),
      roleDefinitionGuid: body.role.name,
      roleDefinitionName: body.role.roleName,
      principalId: body.principalId,
      principalType,
      name,
    });
    if (!created) throw new CredlessError('arm_role_assignment_exists');
    await this.#pullAccessChanged(tenant.id, assignment, true);
    return reply.code(201).send(toArmRoleAssignment(assignment));
  }

  async #assignment(
    request: FastifyRequest,
    reply: FastifyReply,
    tenant: Tenant,
    path: AuthorizationPath,
    grants: ArmGrants,
  ) {
    const caller = this.#deps.caller(request);
    const name = path.name as string;
    if (!GUID.test(name)) {
      throw new CredlessError('arm_role_assignment_id_invalid', { name: name.slice(0, 100) });
    }
    switch (request.method) {
      case 'GET': {
        requireGrant(grants.covers(path.scope, false), caller, path.scope, 'read');
        const { found } = await this.#find(tenant.id, path.scope, name);
        if (!found) throw new CredlessError('arm_role_assignment_not_found', { name });
        return toArmRoleAssignment(found);
      }
      case 'PUT':
        requireGrant(grants.assigns(path.scope), caller, path.scope, 'write');
        return this.#put(request, reply, tenant, path);
      case 'DELETE': {
        requireGrant(grants.assigns(path.scope), caller, path.scope, 'delete');
        const { found } = await this.#find(tenant.id, path.scope, name);
        // As ARM: deleting what is not there is 204, not an error.
        if (!found) return reply.code(204).send();
        await this.#store.deleteRoleAssignment(tenant.id, found.id);
        await this.#pullAccessChanged(tenant.id, found, false);
        return toArmRoleAssignment(found);
      }
      default:
        throw routeNotFound(request);
    }
  }

  async handle(request: FastifyRequest, reply: FastifyReply) {
    const params = request.params as { subscriptionId: string; '*': string };
    const tenant = await this.#deps.tenantOf(request);
    const subscription = requireOwnSubscription(tenant, params.subscriptionId);
    const path = parseAuthorizationPath(`/subscriptions/${params.subscriptionId}/${params['*']}`);
    if (!path) throw routeNotFound(request);
    if (path.collection === 'roledefinitions') {
      if (request.method !== 'GET') throw routeNotFound(request);
      return answerRoleDefinitions(request, subscription, path);
    }
    const grants = await armGrantsOf(this.#store, this.#deps.caller(request));
    if (path.name !== undefined) return this.#assignment(request, reply, tenant, path, grants);
    if (request.method !== 'GET') throw routeNotFound(request);
    requireGrant(grants.covers(path.scope, false), this.#deps.caller(request), path.scope, 'read');
    return this.#list(request, tenant, path.scope);
  }
}
