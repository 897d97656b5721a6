/**
 * Migration 0012 in the store: applications' hashed client secrets, the tenant's client secret policy,
 * delegated permission grants, and group ids of members — on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CredlessError, type ErrorCode, type StoredPasswordCredential } from '@credless/core';
import { describeEachStore } from './store-suite.ts';

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CredlessError, `expected ${code}, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

const credential = (keyId: string): StoredPasswordCredential => ({
  keyId,
  displayName: 'ci',
  hint: 'abc',
  startDateTime: '2026-01-01T00:00:00.000Z',
  endDateTime: '2026-01-02T00:00:00.000Z',
  secretHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA',
});

await describeEachStore('client secrets and permission grants in the store', (target) => {
  const setUp = async () => {
    const store = await target.openStore();
    const tenant = await store.createTenant({ defaultDomain: 'contoso.example', displayName: 'Contoso' });
    const other = await store.createTenant({ defaultDomain: 'fabrikam.example', displayName: 'Fabrikam' });
    const app = await store.createApplication(tenant.id, { displayName: 'api' });
    const principal = await store.createServicePrincipal(tenant.id, { appId: app.appId });
    return { store, tenant, other, app, principal };
  };

  test('password credentials: add, read back with the application, remove; per tenant', async () => {
    const { store, tenant, other, app } = await setUp();
    assert.equal(app.passwordCredentials, undefined, 'absent until there is one');
    await store.createPasswordCredential(tenant.id, app.id, credential('k1'));
    await store.createPasswordCredential(tenant.id, app.id, credential('k2'));
    await rejectsWith(store.createPasswordCredential(tenant.id, app.id, credential('k1')), 'invalid_value');
    await rejectsWith(store.createPasswordCredential(other.id, app.id, credential('k3')), 'not_found');
    const read = await store.getApplicationByAppId(tenant.id, app.appId);
    assert.deepEqual(read?.passwordCredentials, [credential('k1'), credential('k2')]);
    await store.deletePasswordCredential(tenant.id, app.id, 'k1');
    await rejectsWith(store.deletePasswordCredential(tenant.id, app.id, 'k1'), 'not_found');
    assert.deepEqual((await store.getApplication(tenant.id, app.id))?.passwordCredentials, [
      credential('k2'),
    ]);
  });

  test('client secret policy: set, shown on the tenant, checked, reset', async () => {
    const { store, tenant, other } = await setUp();
    assert.equal(tenant.clientSecretPolicy, undefined);
    await store.updateClientSecretPolicy(tenant.id, { mode: 'deny', maxLifetimeSeconds: 3600 });
    assert.deepEqual((await store.findTenant(tenant.id))?.clientSecretPolicy, {
      mode: 'deny',
      maxLifetimeSeconds: 3600,
    });
    assert.equal((await store.findTenant(other.id))?.clientSecretPolicy, undefined);
    const bad = [
      { mode: 'off', maxLifetimeSeconds: 3600 },
      { mode: 'audit', maxLifetimeSeconds: 10 },
      { mode: 'audit', maxLifetimeSeconds: 1.5 },
      { mode: 'audit', maxLifetimeSeconds: 10 * 365 * 86_400 },
    ];
    for (const policy of bad) {
      await rejectsWith(store.updateClientSecretPolicy(tenant.id, policy as never), 'invalid_value');
    }
    await store.updateClientSecretPolicy(tenant.id, null);
    assert.equal((await store.findTenant(tenant.id))?.clientSecretPolicy, undefined);
  });

  test('oauth2 permission grants: create, list, get, update scope, delete; go with a principal', async () => {
    const { store, tenant, other, principal } = await setUp();
    const resource = (await store.listServicePrincipals(tenant.id))[0]!;
    const grant = await store.createOAuth2PermissionGrant(tenant.id, {
      clientId: principal.id,
      resourceId: resource.id,
      consentType: 'AllPrincipals',
      scope: 'User.Read',
    });
    assert.equal(grant.principalId, null);
    assert.deepEqual(await store.listOAuth2PermissionGrants(tenant.id), [grant]);
    assert.deepEqual(await store.listOAuth2PermissionGrants(other.id), []);
    assert.equal(await store.getOAuth2PermissionGrant(other.id, grant.id), undefined);
    const updated = await store.updateOAuth2PermissionGrantScope(tenant.id, grant.id, 'User.Read Mail.Read');
    assert.equal(updated.scope, 'User.Read Mail.Read');
    await rejectsWith(store.updateOAuth2PermissionGrantScope(other.id, grant.id, 'x'), 'not_found');
    const refused: Array<Parameters<typeof store.createOAuth2PermissionGrant>[1]> = [
      { clientId: principal.id, resourceId: resource.id, consentType: 'Everyone' as never, scope: 'a' },
      { clientId: principal.id, resourceId: resource.id, consentType: 'Principal', scope: 'a' },
      { clientId: 'no-such-sp', resourceId: resource.id, consentType: 'AllPrincipals', scope: 'a' },
      { clientId: principal.id, resourceId: resource.id, consentType: 'AllPrincipals', scope: 'a\nb' },
    ];
    for (const input of refused) {
      await rejectsWith(store.createOAuth2PermissionGrant(tenant.id, input), 'invalid_value');
    }
    await store.deleteOAuth2PermissionGrant(tenant.id, grant.id);
    await rejectsWith(store.deleteOAuth2PermissionGrant(tenant.id, grant.id), 'not_found');

    await store.createOAuth2PermissionGrant(tenant.id, {
      clientId: principal.id,
      resourceId: resource.id,
      consentType: 'AllPrincipals',
      scope: 'User.Read',
    });
    await store.deleteServicePrincipal(tenant.id, principal.id);
    assert.deepEqual(await store.listOAuth2PermissionGrants(tenant.id), []);
  });

  test('group ids of members: direct groups of several objects, per tenant', async () => {
    const { store, tenant, other, principal } = await setUp();
    const outer = await store.createGroup(tenant.id, { displayName: 'outer', mailNickname: 'outer' });
    const inner = await store.createGroup(tenant.id, { displayName: 'inner', mailNickname: 'inner' });
    await store.createGroupMember(tenant.id, inner.id, principal.id);
    await store.createGroupMember(tenant.id, outer.id, inner.id);
    assert.deepEqual(await store.listGroupIdsOfMembers(tenant.id, [principal.id]), [inner.id]);
    assert.deepEqual(
      (await store.listGroupIdsOfMembers(tenant.id, [principal.id, inner.id])).sort(),
      [inner.id, outer.id].sort(),
    );
    assert.deepEqual(await store.listGroupIdsOfMembers(other.id, [principal.id]), []);
    assert.deepEqual(await store.listGroupIdsOfMembers(tenant.id, []), []);
  });
});
