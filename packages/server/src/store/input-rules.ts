/**
 * Checks on directory inputs that the store enforces whatever the caller (management API, CLI,
 * bootstrap): each failure is an `invalid_value` naming the field.
 * @module
 */
import type { AccessTokenVersion, AppRole, RequiredResourceAccess } from '@credless/core';
import { invalid } from './storage-errors.ts';

const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** DNS name: dot-separated labels of letters, digits and inner hyphens (lowercased before the check). */
const DOMAIN_PATTERN =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const MAX_DISPLAY_NAME = 256;
const MAX_IDENTIFIER_URI = 2000;

export const isGuid = (value: string): boolean => GUID_PATTERN.test(value);

/** Tenant ids are GUIDs, compared lowercased (Entra accepts them in any case). */
export function normalizeTenantId(id: string): string {
  const lowered = typeof id === 'string' ? id.trim().toLowerCase() : '';
  if (!isGuid(lowered)) throw invalid('id', `'${String(id).slice(0, 64)}' is not a GUID`);
  return lowered;
}

/** Domains are stored lowercased; a GUID-shaped domain would be ambiguous with a tenant id. */
export function normalizeDomain(domain: string): string {
  const lowered = typeof domain === 'string' ? domain.trim().toLowerCase() : '';
  if (!DOMAIN_PATTERN.test(lowered) || isGuid(lowered)) {
    throw invalid('defaultDomain', `'${String(domain).slice(0, 64)}' is not a valid domain name`);
  }
  return lowered;
}

export function checkDisplayName(displayName: unknown): string {
  if (typeof displayName !== 'string' || displayName.trim().length === 0) {
    throw invalid('displayName', 'must be a non-empty string');
  }
  if (displayName.length > MAX_DISPLAY_NAME)
    throw invalid('displayName', `must be at most ${MAX_DISPLAY_NAME} characters`);
  return displayName;
}

export function checkAppId(appId: unknown): string {
  if (typeof appId !== 'string' || !isGuid(appId.toLowerCase())) throw invalid('appId', 'must be a GUID');
  return appId;
}

/** Exact strings, duplicates within the list dropped (first occurrence kept). */
export function checkIdentifierUris(uris: unknown): string[] {
  if (!Array.isArray(uris)) throw invalid('identifierUris', 'must be an array of strings');
  for (const uri of uris) {
    if (typeof uri !== 'string' || uri.length === 0)
      throw invalid('identifierUris', 'values must be non-empty strings');
    if (uri.length > MAX_IDENTIFIER_URI) {
      throw invalid('identifierUris', `values must be at most ${MAX_IDENTIFIER_URI} characters`);
    }
  }
  return [...new Set(uris as string[])];
}

const MEMBER_TYPES = new Set(['Application', 'User']);

/**
 * Validates app roles and fills Graph's defaults for omitted fields (enabled, for applications, origin
 * Application, display name and description from the value), so a stored role is always complete.
 */
export function checkAppRoles(roles: unknown): AppRole[] {
  if (!Array.isArray(roles)) throw invalid('appRoles', 'must be an array');
  const ids = new Set<string>();
  const values = new Set<string>();
  return roles.map((entry: unknown): AppRole => {
    const role = entry as Partial<AppRole> | null;
    if (
      typeof role !== 'object' ||
      role === null ||
      typeof role.id !== 'string' ||
      !isGuid(role.id.toLowerCase())
    ) {
      throw invalid('appRoles', 'each role needs a GUID id');
    }
    if (typeof role.value !== 'string' || role.value.length === 0)
      throw invalid('appRoles', 'each role needs a value');
    if (ids.has(role.id)) throw invalid('appRoles', `duplicate role id '${role.id}'`);
    if (values.has(role.value)) throw invalid('appRoles', `duplicate role value '${role.value}'`);
    ids.add(role.id);
    values.add(role.value);
    const memberTypes = role.allowedMemberTypes ?? ['Application'];
    if (
      !Array.isArray(memberTypes) ||
      memberTypes.length === 0 ||
      !memberTypes.every((t) => MEMBER_TYPES.has(t))
    ) {
      throw invalid(
        'appRoles',
        `role '${role.value}': allowedMemberTypes must list 'Application' and/or 'User'`,
      );
    }
    if (role.isEnabled !== undefined && typeof role.isEnabled !== 'boolean') {
      throw invalid('appRoles', `role '${role.value}': isEnabled must be true or false`);
    }
    for (const field of ['displayName', 'description'] as const) {
      if (role[field] !== undefined && typeof role[field] !== 'string') {
        throw invalid('appRoles', `role '${role.value}': ${field} must be a string`);
      }
    }
    return {
      id: role.id,
      value: role.value,
      displayName: role.displayName ?? role.value,
      description: role.description ?? role.value,
      allowedMemberTypes: memberTypes,
      isEnabled: role.isEnabled ?? true,
      origin: 'Application',
    };
  });
}

export function checkRequiredResourceAccess(value: unknown): RequiredResourceAccess[] {
  if (!Array.isArray(value)) throw invalid('requiredResourceAccess', 'must be an array');
  return value as RequiredResourceAccess[];
}

export function checkAccessTokenVersion(value: unknown): AccessTokenVersion | null {
  if (value === null || value === undefined) return null;
  if (value !== 1 && value !== 2) throw invalid('accessTokenAcceptedVersion', 'must be 1, 2 or null');
  return value;
}
