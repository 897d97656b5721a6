/**
 * The local administrator cannot be locked out through the API: deleting its application or service
 * principal, disabling the principal, removing its last certificate or renaming it away from its name
 * would leave `credless login` failing until a restart re-creates it. Those changes are refused with
 * `local_admin_protected`; rotating its key (`credless admin rotate-key`) stays the way to replace it.
 * @module
 */
import { type Application, CredlessError } from '@credless/core';
import { ADMIN_APP_NAME, adminAppIdFor } from './admin-identity.ts';

/**
 * Whether an application is a tenant's local administrator: its appId derives from the tenant id;
 * stores from before that derivation know it only by its name (which is why renaming it is refused).
 */
export function isLocalAdministrator(app: Pick<Application, 'tenantId' | 'appId' | 'displayName'>): boolean {
  return app.appId === adminAppIdFor(app.tenantId) || app.displayName === ADMIN_APP_NAME;
}

/** A change that would lock the administrator out. */
export type AdministratorChange =
  | { kind: 'delete' }
  | { kind: 'deletePrincipal' }
  | { kind: 'update'; accountEnabled?: unknown; keyCredentials?: readonly unknown[]; displayName?: unknown };

function lockoutOf(change: AdministratorChange): string | undefined {
  switch (change.kind) {
    case 'delete':
      return 'deleting the application';
    case 'deletePrincipal':
      return 'deleting the service principal';
    case 'update':
      if (change.accountEnabled === false) return 'disabling the service principal (accountEnabled false)';
      if (change.keyCredentials !== undefined && change.keyCredentials.length === 0)
        return 'removing its last certificate (keyCredentials empty)';
      if (change.displayName !== undefined && change.displayName !== ADMIN_APP_NAME)
        return `renaming it (displayName stays ${ADMIN_APP_NAME})`;
      return undefined;
  }
}

/** Throws `local_admin_protected` when `change` to `app` would lock the local administrator out. */
export function refuseAdministratorLockout(
  app: Pick<Application, 'tenantId' | 'appId' | 'displayName'> | undefined,
  change: AdministratorChange,
): void {
  if (!app || !isLocalAdministrator(app)) return;
  const lockout = lockoutOf(change);
  if (lockout) throw new CredlessError('local_admin_protected', { change: lockout, appId: app.appId });
}
