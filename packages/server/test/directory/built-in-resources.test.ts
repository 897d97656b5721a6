/**
 * Tenants made before a resource was pre-registered get it at start (ensureDefaultTenant runs
 * ensureTenantResourceApplications): every tenant then has each built-in resource application and its
 * service principal, once, however often it runs and whatever part was already there.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MANAGEMENT_APP_ID } from '@credless/core';
import { ensureTenantResourceApplications } from '../../src/directory/built-in-resources.ts';
import { ensureDefaultTenant } from '../../src/directory/default-tenant.ts';
import { TENANT_RESOURCE_APPLICATIONS } from '../../src/store/built-in-applications.ts';
import { describeEachStore } from '../store/store-suite.ts';

await describeEachStore('built-in resource applications', (target) => {
  test('an older tenant without the Service Management API gets it, and nothing twice', async () => {
    const store = await target.openStore();
    const older = await store.createTenant({ defaultDomain: 'older.test', displayName: 'Older' });
    const partial = await store.createTenant({ defaultDomain: 'partial.test', displayName: 'Partial' });
    // As an older credless left them: no management application at all; an application without principal.
    const management = await store.getApplicationByAppId(older.id, MANAGEMENT_APP_ID);
    await store.deleteApplication(older.id, management?.id as string);
    const principal = await store.getServicePrincipalByAppId(partial.id, MANAGEMENT_APP_ID);
    await store.deleteServicePrincipal(partial.id, principal?.id as string);
    assert.equal(await store.getApplicationByAppId(older.id, MANAGEMENT_APP_ID), undefined);
    assert.equal(await store.getServicePrincipalByAppId(partial.id, MANAGEMENT_APP_ID), undefined);

    await ensureDefaultTenant(store, { domain: 'older.test', displayName: 'Older' });
    await ensureTenantResourceApplications(store); // again: changes nothing
    for (const tenant of [older, partial]) {
      const builtIns = await store.listApplications(tenant.id, { includeBuiltIn: true });
      const principals = await store.listServicePrincipals(tenant.id);
      for (const { appId } of TENANT_RESOURCE_APPLICATIONS) {
        assert.equal(
          builtIns.filter((app) => app.appId === appId).length,
          1,
          `${tenant.defaultDomain}: ${appId}`,
        );
        assert.equal(
          principals.filter((sp) => sp.appId === appId).length,
          1,
          `${tenant.defaultDomain}: ${appId}`,
        );
      }
    }
  });
});
