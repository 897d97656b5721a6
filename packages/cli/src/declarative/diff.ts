/**
 * Field-level differences between what the directory holds and what the file wants, for the
 * properties plan/apply manage. Order-only differences (lists compared as sets) are not changes, so
 * applying never churns.
 * @module
 */
import type { AppRole } from '@credless/core';
import type { Change, PlannedApplicationBody } from './actions.ts';
import type { DirectoryState, FederatedCredentialBody, GraphFederatedCredential } from './directory-api.ts';
import type { CurrentApplication } from './resolve.ts';

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

const roleKey = (role: AppRole) =>
  JSON.stringify([
    role.id.toLowerCase(),
    role.displayName,
    role.description,
    [...role.allowedMemberTypes].sort(),
    role.isEnabled,
  ]);

function roleChanges(before: readonly AppRole[], after: readonly AppRole[]): Change[] {
  const changes: Change[] = [];
  for (const role of after) {
    const old = before.find((candidate) => candidate.value === role.value);
    if (!old) {
      changes.push({ path: 'appRoles', after: role.value });
      continue;
    }
    if (roleKey(old) === roleKey(role)) continue;
    for (const field of ['id', 'displayName', 'description', 'allowedMemberTypes', 'isEnabled'] as const) {
      if (JSON.stringify(old[field]) !== JSON.stringify(role[field]))
        changes.push({ path: `appRoles["${role.value}"].${field}`, before: old[field], after: role[field] });
    }
  }
  for (const role of before) {
    if (!after.some((candidate) => candidate.value === role.value))
      changes.push({ path: 'appRoles', before: role.value });
  }
  return changes;
}

/** `resourceAppId/roleId` → a readable `Resource Role.Value`, from the current directory. */
function currentPermissionLabels(
  app: CurrentApplication | undefined,
  state: DirectoryState,
): Map<string, string> {
  const labels = new Map<string, string>();
  for (const entry of app?.requiredResourceAccess ?? []) {
    const sp = state.servicePrincipals.find((candidate) => candidate.appId === entry.resourceAppId);
    const resourceApp = state.applications.find((candidate) => candidate.appId === entry.resourceAppId);
    const roles = sp?.appRoles ?? resourceApp?.appRoles ?? [];
    const name = sp?.displayName ?? resourceApp?.displayName ?? entry.resourceAppId;
    for (const access of entry.resourceAccess) {
      const value = roles.find((role) => role.id === access.id)?.value ?? access.id;
      labels.set(
        `${entry.resourceAppId}/${access.id}`,
        `${name} ${value}${access.type === 'Scope' ? ' (delegated)' : ''}`,
      );
    }
  }
  return labels;
}

function desiredPermissionLabels(body: PlannedApplicationBody): Map<string, string> {
  const labels = new Map<string, string>();
  for (const entry of body.requiredResourceAccess) {
    const key = 'appId' in entry.resource ? entry.resource.appId : `pending:${entry.resource.displayName}`;
    for (const access of entry.resourceAccess) {
      labels.set(`${key}/${access.id}`, `${entry.resourceName} ${entry.roleNames[access.id] ?? access.id}`);
    }
  }
  return labels;
}

/** Changes from `current` (undefined: a new application) to `desired`, and the PATCH that makes them. */
export function appChanges(
  current: CurrentApplication | undefined,
  desired: PlannedApplicationBody,
  state: DirectoryState,
): { changes: Change[]; patch: Partial<PlannedApplicationBody> } {
  const changes: Change[] = [];
  const patch: Partial<PlannedApplicationBody> = {};
  const uris = current?.identifierUris ?? [];
  if (!sameSet(uris, desired.identifierUris)) {
    changes.push({
      path: 'identifierUris',
      ...(current ? { before: uris } : {}),
      after: desired.identifierUris,
    });
    patch.identifierUris = desired.identifierUris;
  }
  const roles = roleChanges(current?.appRoles ?? [], desired.appRoles);
  if (roles.length > 0) {
    changes.push(...roles);
    patch.appRoles = desired.appRoles;
  }
  const version = current?.api?.requestedAccessTokenVersion ?? null;
  if (version !== desired.api.requestedAccessTokenVersion) {
    changes.push({
      path: 'accessTokenAcceptedVersion',
      ...(current ? { before: version } : {}),
      after: desired.api.requestedAccessTokenVersion,
    });
    patch.api = desired.api;
  }
  const before = currentPermissionLabels(current, state);
  const after = desiredPermissionLabels(desired);
  const permissionChanges: Change[] = [];
  for (const [key, label] of after)
    if (!before.has(key)) permissionChanges.push({ path: 'apiPermissions', after: label });
  for (const [key, label] of before)
    if (!after.has(key)) permissionChanges.push({ path: 'apiPermissions', before: label });
  if (permissionChanges.length > 0) {
    changes.push(...permissionChanges);
    patch.requiredResourceAccess = desired.requiredResourceAccess;
  }
  return { changes, patch };
}

const expressionText = (fic: { claimsMatchingExpression: { value: string } | null }) =>
  fic.claimsMatchingExpression?.value ?? null;

/** Changes from a stored credential to the file's, and the PATCH that makes them. */
export function ficChanges(
  current: GraphFederatedCredential,
  desired: FederatedCredentialBody,
): { changes: Change[]; patch: Partial<Omit<FederatedCredentialBody, 'name'>> } {
  const changes: Change[] = [];
  const patch: Partial<Omit<FederatedCredentialBody, 'name'>> = {};
  if (current.issuer !== desired.issuer) {
    changes.push({ path: 'issuer', before: current.issuer, after: desired.issuer });
    patch.issuer = desired.issuer;
  }
  const subjectChanged = (current.subject ?? null) !== desired.subject;
  const expressionChanged = expressionText(current) !== expressionText(desired);
  if (subjectChanged)
    changes.push({ path: 'subject', before: current.subject ?? null, after: desired.subject });
  if (expressionChanged) {
    changes.push({
      path: 'claimsMatchingExpression',
      before: expressionText(current),
      after: expressionText(desired),
    });
  }
  // Only what changed: Graph v1.0 itself knows no claimsMatchingExpression (a switch changes both).
  if (subjectChanged) patch.subject = desired.subject;
  if (expressionChanged) patch.claimsMatchingExpression = desired.claimsMatchingExpression;
  if (!sameSet(current.audiences, desired.audiences)) {
    changes.push({ path: 'audiences', before: current.audiences, after: desired.audiences });
    patch.audiences = desired.audiences;
  }
  if ((current.description ?? null) !== desired.description) {
    changes.push({ path: 'description', before: current.description ?? null, after: desired.description });
    patch.description = desired.description;
  }
  return { changes, patch };
}
