import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type AppRole,
  CredlessError,
  type ErrorCode,
  GRAPH_APP_ID,
  GRAPH_APP_ROLES,
  GRAPH_DISPLAY_NAME,
  GRAPH_RESOURCE_URI,
  MANAGEMENT_APP_ID,
  MANAGEMENT_RESOURCE_URIS,
  PORTAL_APP_ID,
} from '@credless/core';
import type { KyselyDirectoryStore } from '../../src/store/kysely-directory-store.ts';
import { describeEachStore } from './store-suite.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const START = Date.UTC(2026, 0, 1);
// Not a shared issuer: the shared-issuer guard (issuer policy) is tested in issuer-policies.test.ts.
const ISSUER = 'https://issuer.example.com';
const READER_ROLE: AppRole = {
  id: '8c2d9a4e-1f3b-4a6c-9d7e-0b1a2c3d4e5f',
  value: 'Widgets.Read',
  displayName: 'Read widgets',
  description: 'Read widgets',
  allowedMemberTypes: ['Application'],
  isEnabled: true,
  origin: 'Application',
};
const USER_ONLY_ROLE: AppRole = {
  ...READER_ROLE,
  id: '1d2e3f40-5a6b-4c7d-8e9f-a0b1c2d3e4f5',
  value: 'Users.Only',
  allowedMemberTypes: ['User'],
};

/** Each call moves time on by a second: deterministic, distinct timestamps. */
function steppingClock(): () => number {
  let now = START;
  return () => {
    now += 1000;
    return now;
  };
}

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, params: Record<string, unknown> = {}) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CredlessError, `expected CredlessError ${code}, got ${String(error)}`);
    assert.equal(error.code, code);
    for (const [key, value] of Object.entries(params)) assert.equal(error.params[key], value, `param ${key}`);
    return true;
  });
}

const fic = (name: string, subject: string, extra: Record<string, unknown> = {}) => ({
  name,
  issuer: ISSUER,
  subject,
  ...extra,
});

await describeEachStore('directory store', (target) => {
  const open = (options: Parameters<typeof target.openStore>[0] = {}) =>
    target.openStore({ now: steppingClock(), ...options });

  async function withTenant(store: KyselyDirectoryStore, domain = 'contoso.credless.local') {
    return store.createTenant({ defaultDomain: domain, displayName: 'Contoso' });
  }

  test('migrate is idempotent', async () => {
    const store = await open();
    await store.migrate();
    await store.migrate();
    assert.equal(await store.getDirectoryVersion(), 0);
  });

  test('tenants: create, find by id and by domain (case-insensitive), list, update', async () => {
    const store = await open();
    const tenant = await store.createTenant({
      defaultDomain: 'Contoso.Credless.Local',
      displayName: 'Contoso',
    });
    assert.match(tenant.id, GUID);
    assert.equal(tenant.defaultDomain, 'contoso.credless.local');
    assert.equal(tenant.createdDateTime, new Date(START + 1000).toISOString());
    assert.deepEqual(await store.findTenant(tenant.id), tenant);
    assert.deepEqual(await store.findTenant(tenant.id.toUpperCase()), tenant);
    assert.deepEqual(await store.findTenant('CONTOSO.credless.local'), tenant);
    assert.equal(await store.findTenant('fabrikam.credless.local'), undefined);
    assert.equal(await store.findTenant('00000000-0000-0000-0000-000000000000'), undefined);

    const fixedId = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    const second = await store.createTenant({
      id: fixedId.toUpperCase(),
      defaultDomain: 'f.test',
      displayName: 'F',
    });
    assert.equal(second.id, fixedId);
    assert.deepEqual(
      (await store.listTenants()).map((t) => t.id),
      [tenant.id, fixedId],
    );
    const renamed = await store.updateTenant(tenant.id, { displayName: 'Contoso Ltd' });
    assert.equal(renamed.displayName, 'Contoso Ltd');
    assert.equal((await store.findTenant(tenant.id))?.displayName, 'Contoso Ltd');
    await rejectsWith(store.updateTenant(fixedId.replace('7', '8'), { displayName: 'x' }), 'not_found');
  });

  test('tenants: duplicate domain or id, invalid domain', async () => {
    const store = await open();
    const tenant = await withTenant(store);
    await rejectsWith(
      store.createTenant({ defaultDomain: 'CONTOSO.credless.local', displayName: 'Again' }),
      'duplicate_value',
      {
        objectType: 'Tenant',
        field: 'defaultDomain',
      },
    );
    await rejectsWith(
      store.createTenant({ id: tenant.id, defaultDomain: 'other.test', displayName: 'Again' }),
      'duplicate_value',
      {
        field: 'id',
      },
    );
    await rejectsWith(
      store.createTenant({ defaultDomain: 'not a domain', displayName: 'X' }),
      'invalid_value',
    );
    await rejectsWith(
      store.createTenant({ id: 'nope', defaultDomain: 'x.test', displayName: 'X' }),
      'invalid_value',
    );
    assert.equal((await store.listTenants()).length, 1);
  });

  test('every tenant gets the built-in Graph and Service Management API applications and principals', async () => {
    const store = await open();
    const tenant = await withTenant(store);
    const graph = await store.getApplicationByAppId(tenant.id, GRAPH_APP_ID);
    assert.ok(graph);
    assert.equal(graph.displayName, GRAPH_DISPLAY_NAME);
    assert.deepEqual(graph.identifierUris, [GRAPH_RESOURCE_URI]);
    assert.equal(graph.appRoles.length, 12);
    assert.deepEqual(graph.appRoles, [...GRAPH_APP_ROLES]);
    assert.equal(graph.accessTokenAcceptedVersion, 1);
    assert.equal(graph.builtIn, true);
    assert.equal((await store.findApplicationByIdentifier(tenant.id, GRAPH_RESOURCE_URI))?.id, graph.id);
    const sp = await store.getServicePrincipalByAppId(tenant.id, GRAPH_APP_ID);
    assert.equal(sp?.applicationId, graph.id);
    assert.equal(sp?.displayName, GRAPH_DISPLAY_NAME);
    // Azure Resource Manager's resource: both identifiers resolve to it; its tokens carry no roles.
    const management = await store.getApplicationByAppId(tenant.id, MANAGEMENT_APP_ID);
    assert.deepEqual(management?.identifierUris, [...MANAGEMENT_RESOURCE_URIS]);
    assert.deepEqual(management?.appRoles, []);
    assert.equal(management?.builtIn, true);
    for (const uri of MANAGEMENT_RESOURCE_URIS) {
      assert.equal((await store.findApplicationByIdentifier(tenant.id, uri))?.id, management?.id);
    }
    assert.ok(await store.getServicePrincipalByAppId(tenant.id, MANAGEMENT_APP_ID));
    assert.deepEqual(await store.listApplications(tenant.id), []);
    assert.deepEqual(
      (await store.listApplications(tenant.id, { includeBuiltIn: true })).map((a) => a.id).sort(),
      [graph.id, management?.id, (await store.getApplicationByAppId(tenant.id, PORTAL_APP_ID))?.id].sort(),
    );
  });

  test('applications: create, get, by appId, by identifier URI, list, update', async () => {
    const store = await open();
    const tenant = await withTenant(store);
    const app = await store.createApplication(tenant.id, {
      displayName: 'widgets',
      identifierUris: ['api://widgets', 'https://widgets.example'],
      appRoles: [READER_ROLE],
    });
    assert.match(app.id, GUID);
    assert.match(app.appId, GUID);
    assert.equal(app.builtIn, false);
    assert.equal(app.accessTokenAcceptedVersion, null);
    assert.deepEqual(app.requiredResourceAccess, []);
    assert.deepEqual(await store.getApplication(tenant.id, app.id), app);
    assert.deepEqual(await store.getApplicationByAppId(tenant.id, app.appId), app);
    assert.deepEqual(await store.findApplicationByIdentifier(tenant.id, app.appId), app);
    assert.deepEqual(await store.findApplicationByIdentifier(tenant.id, 'https://widgets.example'), app);
    assert.equal(await store.findApplicationByIdentifier(tenant.id, 'https://widgets.example/'), undefined);
    assert.equal(await store.findApplicationByIdentifier(tenant.id, 'API://widgets'), undefined);
    assert.deepEqual(await store.listApplications(tenant.id), [app]);

    const updated = await store.updateApplication(tenant.id, app.id, {
      displayName: 'widgets v2',
      identifierUris: ['api://widgets-v2'],
      accessTokenAcceptedVersion: 2,
    });
    assert.equal(updated.displayName, 'widgets v2');
    assert.equal(updated.accessTokenAcceptedVersion, 2);
    assert.deepEqual(updated.appRoles, [READER_ROLE]);
    assert.deepEqual(await store.getApplication(tenant.id, app.id), updated);
    assert.equal(await store.findApplicationByIdentifier(tenant.id, 'api://widgets'), undefined);
    assert.equal((await store.findApplicationByIdentifier(tenant.id, 'api://widgets-v2'))?.id, app.id);
    await rejectsWith(
      store.updateApplication(tenant.id, crypto.randomUUID(), { displayName: 'x' }),
      'not_found',
    );
  });

  test('applications: duplicate identifier URI or appId is refused and changes nothing', async () => {
    const store = await open();
    const tenant = await withTenant(store);
    const first = await store.createApplication(tenant.id, {
      displayName: 'a',
      identifierUris: ['api://shared'],
    });
    const version = await store.getDirectoryVersion();
    await rejectsWith(
      store.createApplication(tenant.id, {
        displayName: 'b',
        identifierUris: ['api://free', 'api://shared'],
      }),
      'duplicate_value',
      { objectType: 'Application', field: 'identifierUris', value: 'api://shared' },
    );
    await rejectsWith(
      store.createApplication(tenant.id, { displayName: 'c', identifierUris: [GRAPH_RESOURCE_URI] }),
      'duplicate_value',
    );
    await rejectsWith(
      store.createApplication(tenant.id, { displayName: 'd', appId: first.appId }),
      'duplicate_value',
      {
        field: 'appId',
      },
    );
    const second = await store.createApplication(tenant.id, { displayName: 'e' });
    await rejectsWith(
      store.updateApplication(tenant.id, second.id, { identifierUris: ['api://shared'] }),
      'duplicate_value',
    );
    assert.equal(await store.findApplicationByIdentifier(tenant.id, 'api://free'), undefined);
    assert.equal((await store.listApplications(tenant.id)).length, 2);
    assert.equal(await store.getDirectoryVersion(), version + 1);
    // Re-stating its own URI is not a conflict.
    await store.updateApplication(tenant.id, first.id, { identifierUris: ['api://shared'] });
  });

  test('service principals: create, copy display name, missing app, duplicate, delete', async () => {
    const store = await open();
    const tenant = await withTenant(store);
    const app = await store.createApplication(tenant.id, { displayName: 'worker' });
    const sp = await store.createServicePrincipal(tenant.id, { appId: app.appId });
    assert.match(sp.id, GUID);
    assert.equal(sp.displayName, 'worker');
    assert.equal(sp.applicationId, app.id);
    assert.equal(sp.accountEnabled, true);
    assert.equal(sp.appRoleAssignmentRequired, false);
    assert.deepEqual(await store.getServicePrincipal(tenant.id, sp.id), sp);
    assert.deepEqual(await store.getServicePrincipalByAppId(tenant.id, app.appId), sp);
    // Graph's, the Service Management API's, the portal's and this one.
    assert.equal((await store.listServicePrincipals(tenant.id)).length, 4);
    const missing = crypto.randomUUID();
    await rejectsWith(store.createServicePrincipal(tenant.id, { appId: missing }), 'not_found', {
      id: missing,
    });
    await rejectsWith(store.createServicePrincipal(tenant.id, { appId: app.appId }), 'duplicate_value', {
      objectType: 'ServicePrincipal',
    });
    await store.updateApplication(tenant.id, app.id, { displayName: 'worker 2' });
    assert.equal((await store.getServicePrincipal(tenant.id, sp.id))?.displayName, 'worker 2');
    await store.deleteServicePrincipal(tenant.id, sp.id);
    assert.equal(await store.getServicePrincipal(tenant.id, sp.id), undefined);
    await rejectsWith(store.deleteServicePrincipal(tenant.id, sp.id), 'not_found');
  });

  test('app role assignments: idempotent create, validation, list, delete', async () => {
    const store = await open();
    const tenant = await withTenant(store);
    const api = await store.createApplication(tenant.id, {
      displayName: 'api',
      appRoles: [READER_ROLE, USER_ONLY_ROLE],
    });
    const apiSp = await store.createServicePrincipal(tenant.id, { appId: api.appId });
    const client = await store.createApplication(tenant.id, { displayName: 'client' });
    const clientSp = await store.createServicePrincipal(tenant.id, { appId: client.appId });
    const input = { principalId: clientSp.id, resourceId: apiSp.id, appRoleId: READER_ROLE.id };
    const assignment = await store.createAppRoleAssignment(tenant.id, input);
    assert.equal(assignment.principalType, 'ServicePrincipal');
    const version = await store.getDirectoryVersion();
    assert.deepEqual(await store.createAppRoleAssignment(tenant.id, input), assignment);
    assert.equal(await store.getDirectoryVersion(), version, 'repeating a create writes nothing');
    assert.deepEqual(await store.listAppRoleAssignmentsByPrincipal(tenant.id, clientSp.id), [assignment]);
    assert.deepEqual(await store.listAppRoleAssignmentsByResource(tenant.id, apiSp.id), [assignment]);

    await rejectsWith(
      store.createAppRoleAssignment(tenant.id, { ...input, appRoleId: crypto.randomUUID() }),
      'invalid_value',
      {
        field: 'appRoleId',
      },
    );
    await rejectsWith(
      store.createAppRoleAssignment(tenant.id, { ...input, appRoleId: USER_ONLY_ROLE.id }),
      'invalid_value',
      {
        field: 'appRoleId',
      },
    );
    await rejectsWith(
      store.createAppRoleAssignment(tenant.id, { ...input, principalId: crypto.randomUUID() }),
      'invalid_value',
      {
        field: 'principalId',
      },
    );
    await rejectsWith(
      store.createAppRoleAssignment(tenant.id, { ...input, resourceId: crypto.randomUUID() }),
      'invalid_value',
      {
        field: 'resourceId',
      },
    );
    // A Graph role for the client, granted by the built-in service principal.
    const graphSp = await store.getServicePrincipalByAppId(tenant.id, GRAPH_APP_ID);
    const graphRole = GRAPH_APP_ROLES[0]!;
    await store.createAppRoleAssignment(tenant.id, {
      principalId: clientSp.id,
      resourceId: graphSp!.id,
      appRoleId: graphRole.id,
    });
    assert.equal((await store.listAppRoleAssignmentsByPrincipal(tenant.id, clientSp.id)).length, 2);

    await store.deleteAppRoleAssignment(tenant.id, assignment.id);
    assert.deepEqual(await store.listAppRoleAssignmentsByResource(tenant.id, apiSp.id), []);
    await rejectsWith(store.deleteAppRoleAssignment(tenant.id, assignment.id), 'not_found');
  });

  test('tenant isolation: another tenant sees none of these objects', async () => {
    const store = await open();
    const a = await withTenant(store, 'a.test');
    const b = await withTenant(store, 'b.test');
    const app = await store.createApplication(a.id, { displayName: 'a-app', identifierUris: ['api://a'] });
    const sp = await store.createServicePrincipal(a.id, { appId: app.appId });
    await store.createFederatedIdentityCredential(
      a.id,
      app.id,
      fic('gh-main', 'repo:a/b:ref:refs/heads/main'),
    );
    assert.equal(await store.getApplicationByAppId(b.id, app.appId), undefined);
    assert.equal(await store.getApplication(b.id, app.id), undefined);
    assert.equal(await store.findApplicationByIdentifier(b.id, 'api://a'), undefined);
    assert.equal(await store.findApplicationByIdentifier(b.id, app.appId), undefined);
    assert.equal(await store.getServicePrincipal(b.id, sp.id), undefined);
    assert.deepEqual(await store.listFederatedIdentityCredentials(b.id, app.id), []);
    assert.deepEqual(await store.findFederatedIdentityCredentialsByIssuer(b.id, app.id, ISSUER), []);
    await rejectsWith(store.createServicePrincipal(b.id, { appId: app.appId }), 'not_found');
    await rejectsWith(store.createFederatedIdentityCredential(b.id, app.id, fic('x-1', 's')), 'not_found');
    await rejectsWith(store.deleteApplication(b.id, app.id), 'not_found');
    // The same identifier URI may exist in another tenant.
    await store.createApplication(b.id, { displayName: 'b-app', identifierUris: ['api://a'] });
  });

  test('signing keys: insert, list, delete', async () => {
    const store = await open();
    const tenant = await withTenant(store);
    const record = (kid: string, activateAt: number) => ({
      kid,
      tenantId: tenant.id,
      publicJwk: { kty: 'RSA' as const, n: `n-${kid}`, e: 'AQAB' },
      certificate: 'MIIB',
      x5t: `x5t-${kid}`,
      encryptedPrivateKey: 'eyJ.enc.jwe',
      createdAt: new Date(START),
      activateAt: new Date(activateAt),
      retireAt: new Date(activateAt + 86_400_000),
      expireAt: new Date(activateAt + 2 * 86_400_000),
    });
    const later = record('k2', START + 5000);
    const first = record('k1', START);
    await store.insertSigningKey(later);
    await store.insertSigningKey(first);
    assert.deepEqual(await store.listSigningKeys(tenant.id), [first, later]);
    await rejectsWith(store.insertSigningKey(first), 'duplicate_value', { field: 'kid' });
    await rejectsWith(store.insertSigningKey({ ...first, tenantId: crypto.randomUUID() }), 'not_found');
    const other = await withTenant(store, 'other.test');
    assert.deepEqual(await store.listSigningKeys(other.id), []);
    await store.deleteSigningKey(tenant.id, 'k1');
    assert.deepEqual(await store.listSigningKeys(tenant.id), [later]);
    await store.deleteSigningKey(tenant.id, 'k1');
  });

  test('directory version: every write bumps it, failed writes do not', async () => {
    const store = await open();
    const seen = [await store.getDirectoryVersion()];
    const bumped = async (write: () => Promise<unknown>) => {
      await write();
      const version = await store.getDirectoryVersion();
      assert.ok(version > seen.at(-1)!, `version ${version} after ${seen.at(-1)}`);
      seen.push(version);
    };
    const tenant = await withTenant(store);
    seen.push(await store.getDirectoryVersion());
    assert.ok(seen[1]! > seen[0]!);
    let appId = '';
    let appObjectId = '';
    await bumped(async () => {
      const app = await store.createApplication(tenant.id, { displayName: 'v', appRoles: [READER_ROLE] });
      appId = app.appId;
      appObjectId = app.id;
    });
    await bumped(() => store.updateApplication(tenant.id, appObjectId, { displayName: 'v2' }));
    await bumped(() => store.updateTenant(tenant.id, { displayName: 'C2' }));
    await bumped(() => store.createServicePrincipal(tenant.id, { appId }));
    await bumped(() => store.createFederatedIdentityCredential(tenant.id, appObjectId, fic('cred', 'sub')));
    await bumped(() => store.deleteFederatedIdentityCredential(tenant.id, appObjectId, 'cred'));
    await bumped(() => store.deleteApplication(tenant.id, appObjectId));
    const before = await store.getDirectoryVersion();
    await rejectsWith(store.createApplication(tenant.id, { displayName: '' }), 'invalid_value');
    await rejectsWith(store.deleteApplication(tenant.id, appObjectId), 'not_found');
    assert.equal(await store.getDirectoryVersion(), before);
  });
});
