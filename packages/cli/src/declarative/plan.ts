/**
 * The planner: desired state (the file) + current state (the directory, as plain data) → an ordered
 * list of actions. Pure. Converges: planning against the result of applying a plan yields no actions.
 * Deletes (objects, credentials, consent, memberships not in the file) only when `prune` is on;
 * the identity running the apply, the local administrator, credless's local platforms' identities and
 * built-in resources are never deleted.
 * @module
 */
import type { Action, Plan, PlannedApplicationBody, PlannedRequiredResourceAccess } from './actions.ts';
import type { ApplicationSpec, FederatedCredentialSpec, IdentityFile } from './definition.ts';
import { appChanges, ficChanges } from './diff.ts';
import type { DirectoryState, FederatedCredentialBody } from './directory-api.ts';
import { planGroups } from './plan-groups.ts';
import { type CurrentApplication, desiredAppRoles, PlanError, Resolver } from './resolve.ts';

export { PlanError } from './resolve.ts';

export interface PlanOptions {
  prune?: boolean;
}

interface DesiredGrant {
  resource: PlannedRequiredResourceAccess['resource'];
  resourceName: string;
  resourceSpId: string | undefined;
  appRoleId: string;
  role: string;
}

interface DesiredApplication {
  spec: ApplicationSpec;
  current: CurrentApplication | undefined;
  body: PlannedApplicationBody;
  grants: DesiredGrant[];
  /** File applications this one's permissions reference that do not exist yet. */
  dependsOn: string[];
}

export function ficBody(spec: FederatedCredentialSpec): FederatedCredentialBody {
  return {
    name: spec.name,
    issuer: spec.issuer,
    subject: spec.subject ?? null,
    claimsMatchingExpression: spec.claimsMatchingExpression
      ? { value: spec.claimsMatchingExpression.value, languageVersion: 1 }
      : null,
    audiences: spec.audiences,
    description: spec.description ?? null,
  };
}

function desiredApplication(resolver: Resolver, spec: ApplicationSpec, index: number): DesiredApplication {
  const where = `applications[${index}]`;
  const current = resolver.application(spec.displayName, `${where}.displayName`);
  const access: PlannedRequiredResourceAccess[] = [];
  const grants: DesiredGrant[] = [];
  const dependsOn: string[] = [];
  const problems: string[] = [];
  spec.apiPermissions.forEach((permission, j) => {
    const at = `${where}.apiPermissions[${j}]`;
    const api = resolver.api(permission, at);
    const roles = resolver.roleIds(api, permission.roles, at);
    if ('displayName' in api.ref && api.ref.displayName !== spec.displayName)
      dependsOn.push(api.ref.displayName);
    const key = JSON.stringify(api.ref);
    let entry = access.find((candidate) => JSON.stringify(candidate.resource) === key);
    if (!entry) {
      entry = { resource: api.ref, resourceAccess: [], resourceName: api.name, roleNames: {} };
      access.push(entry);
    }
    for (const role of roles) {
      if (!entry.resourceAccess.some((item) => item.id === role.id))
        entry.resourceAccess.push({ id: role.id, type: 'Role' });
      entry.roleNames[role.id] = role.value;
      if (!permission.adminConsent) continue;
      if (!api.hasServicePrincipal) {
        problems.push(
          `${at}.adminConsent: ${api.name} has no service principal, so nothing can be granted on it (create one, or set adminConsent: false)`,
        );
        break;
      }
      if (!grants.some((g) => g.appRoleId === role.id && JSON.stringify(g.resource) === key)) {
        grants.push({
          resource: api.ref,
          resourceName: api.name,
          resourceSpId: api.servicePrincipalId,
          appRoleId: role.id,
          role: role.value,
        });
      }
    }
  });
  if (problems.length > 0) throw new PlanError(problems);
  const body: PlannedApplicationBody = {
    displayName: spec.displayName,
    identifierUris: [...new Set(spec.identifierUris)],
    appRoles: desiredAppRoles(spec, current),
    requiredResourceAccess: access,
    api: { requestedAccessTokenVersion: spec.accessTokenAcceptedVersion },
  };
  return { spec, current, body, grants, dependsOn };
}

/** Creates in an order where every application comes after the file applications it requests roles on. */
function creationOrder(desired: DesiredApplication[]): DesiredApplication[] {
  const pending = new Map(desired.filter((d) => !d.current).map((d) => [d.spec.displayName, d]));
  const ordered: DesiredApplication[] = [];
  const visiting = new Set<string>();
  const visit = (app: DesiredApplication, chain: string[]) => {
    const name = app.spec.displayName;
    if (!pending.has(name)) return;
    if (visiting.has(name)) {
      throw new PlanError([
        `applications ${[...chain, name].map((n) => `'${n}'`).join(' → ')} request permissions on each other; ` +
          'add the permissions of one of them in a second apply',
      ]);
    }
    visiting.add(name);
    for (const dependency of app.dependsOn) {
      const next = pending.get(dependency);
      if (next) visit(next, [...chain, name]);
    }
    visiting.delete(name);
    pending.delete(name);
    ordered.push(app);
  };
  for (const app of desired) visit(app, []);
  return ordered;
}

function federatedCredentialActions(
  app: DesiredApplication,
  prune: boolean,
  isProtected: boolean,
): { actions: Action[]; unmanaged: number } {
  const name = app.spec.displayName;
  const current = app.current?.federatedIdentityCredentials ?? [];
  const wanted = new Set(app.spec.federatedCredentials.map((fic) => fic.name));
  const deletes: Action[] = [];
  let unmanaged = 0;
  for (const fic of current) {
    // A protected application's credentials are how it signs in (the emulated GitHub Actions
    // deployer's is also what marks it as credless's own): a file naming it adds, never removes.
    if (wanted.has(fic.name) || isProtected) continue;
    if (prune) deletes.push({ kind: 'federatedCredential', op: 'delete', app: name, name: fic.name });
    else unmanaged += 1;
  }
  const updates: Action[] = [];
  const creates: Action[] = [];
  for (const spec of app.spec.federatedCredentials) {
    const body = ficBody(spec);
    const existing = current.find((fic) => fic.name === spec.name);
    if (!existing) {
      creates.push({ kind: 'federatedCredential', op: 'create', app: name, name: spec.name, body });
      continue;
    }
    const { changes, patch } = ficChanges(existing, body);
    if (changes.length > 0)
      updates.push({ kind: 'federatedCredential', op: 'update', app: name, name: spec.name, patch, changes });
  }
  // Deletes first: a renamed credential keeps its (issuer, subject), which must be free again.
  return { actions: [...deletes, ...updates, ...creates], unmanaged };
}

function consentActions(
  resolver: Resolver,
  app: DesiredApplication,
  prune: boolean,
): { actions: Action[]; unmanaged: number } {
  const name = app.spec.displayName;
  const sp = app.current ? resolver.servicePrincipalOf(app.current.appId) : undefined;
  const held = sp?.appRoleAssignments ?? [];
  const actions: Action[] = [];
  let unmanaged = 0;
  // A protected application keeps the roles it holds (the administrator's Graph roles are its power).
  if (prune && sp && !resolver.state.protectedAppIds.includes(sp.appId)) {
    for (const assignment of held) {
      if (
        app.grants.some(
          (g) => g.resourceSpId === assignment.resourceId && g.appRoleId === assignment.appRoleId,
        )
      )
        continue;
      const resource = resolver.state.servicePrincipals.find(
        (candidate) => candidate.id === assignment.resourceId,
      );
      actions.push({
        kind: 'appRoleAssignment',
        op: 'delete',
        app: name,
        principalId: sp.id,
        assignmentId: assignment.id,
        resourceName: resource?.displayName ?? assignment.resourceId,
        role:
          resource?.appRoles.find((role) => role.id === assignment.appRoleId)?.value ?? assignment.appRoleId,
      });
    }
  } else {
    unmanaged += held.filter(
      (a) => !app.grants.some((g) => g.resourceSpId === a.resourceId && g.appRoleId === a.appRoleId),
    ).length;
  }
  for (const grant of app.grants) {
    const exists = held.some((a) => a.resourceId === grant.resourceSpId && a.appRoleId === grant.appRoleId);
    if (exists) continue;
    actions.push({
      kind: 'appRoleAssignment',
      op: 'create',
      app: name,
      resource: grant.resource,
      resourceName: grant.resourceName,
      appRoleId: grant.appRoleId,
      role: grant.role,
    });
  }
  return { actions, unmanaged };
}

export function plan(file: IdentityFile, state: DirectoryState, options: PlanOptions = {}): Plan {
  const prune = options.prune ?? false;
  const resolver = new Resolver(file, state);
  const problems: string[] = [];
  const desired: DesiredApplication[] = [];
  file.applications.forEach((spec, i) => {
    try {
      desired.push(desiredApplication(resolver, spec, i));
    } catch (error) {
      if (error instanceof PlanError) problems.push(...error.problems);
      else throw error;
    }
  });
  const groupActions = planGroups(file, state, resolver, prune, problems);
  if (problems.length > 0) throw new PlanError(problems);

  const actions: Action[] = [...groupActions.creates, ...groupActions.updates];
  let unmanaged = groupActions.unmanaged;
  for (const app of creationOrder(desired)) {
    const { changes } = appChanges(undefined, app.body, state);
    actions.push({ kind: 'application', op: 'create', name: app.spec.displayName, body: app.body, changes });
  }
  for (const app of desired) {
    if (!app.current) continue;
    const { changes, patch } = appChanges(app.current, app.body, state);
    if (changes.length > 0) {
      actions.push({
        kind: 'application',
        op: 'update',
        name: app.spec.displayName,
        id: app.current.id,
        patch,
        changes,
      });
    }
  }
  for (const app of desired) {
    if (app.spec.servicePrincipal && !(app.current && resolver.servicePrincipalOf(app.current.appId))) {
      actions.push({ kind: 'servicePrincipal', op: 'create', app: app.spec.displayName });
    }
  }
  for (const app of desired) {
    const isProtected = app.current !== undefined && state.protectedAppIds.includes(app.current.appId);
    const fics = federatedCredentialActions(app, prune, isProtected);
    actions.push(...fics.actions);
    unmanaged += fics.unmanaged;
  }
  for (const app of desired) {
    const consent = consentActions(resolver, app, prune);
    actions.push(...consent.actions);
    unmanaged += consent.unmanaged;
  }
  actions.push(...groupActions.members);

  // `servicePrincipal: false` with one in the directory: it goes only with prune (its consent with it),
  // never a protected application's (the administrator signs in through its principal).
  for (const app of desired) {
    const sp = app.current && resolver.servicePrincipalOf(app.current.appId);
    if (app.spec.servicePrincipal || !sp || state.protectedAppIds.includes(sp.appId)) continue;
    if (prune) actions.push({ kind: 'servicePrincipal', op: 'delete', app: app.spec.displayName, id: sp.id });
    else unmanaged += 1;
  }

  const wanted = new Set(file.applications.map((spec) => spec.displayName));
  const referenced = referencedAppIds(file, desired, resolver);
  const keptPlatformIdentities: string[] = [];
  for (const app of state.applications) {
    if (wanted.has(app.displayName) || referenced.has(app.appId)) continue;
    if (state.localPlatformAppIds?.includes(app.appId)) {
      keptPlatformIdentities.push(app.displayName);
      continue;
    }
    if (state.protectedAppIds.includes(app.appId)) continue;
    if (prune)
      actions.push({
        kind: 'application',
        op: 'delete',
        name: app.displayName,
        id: app.id,
        appId: app.appId,
      });
    else unmanaged += 1;
  }
  actions.push(...groupActions.deletes);
  return {
    actions,
    unmanaged,
    ...(keptPlatformIdentities.length > 0 ? { keptPlatformIdentities: keptPlatformIdentities.sort() } : {}),
  };
}

/** Directory applications the file uses without declaring them (APIs, group members): never pruned. */
function referencedAppIds(
  file: IdentityFile,
  desired: DesiredApplication[],
  resolver: Resolver,
): Set<string> {
  const ids = new Set<string>();
  for (const app of desired) {
    for (const entry of app.body.requiredResourceAccess)
      if ('appId' in entry.resource) ids.add(entry.resource.appId);
  }
  for (const group of file.groups) {
    for (const member of group.members) {
      const found = resolver.spec(member) ? undefined : resolver.application(member, 'groups');
      if (found) ids.add(found.appId);
    }
  }
  return ids;
}
