import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type AppRole,
  CredlessError,
  DEFAULT_FEDERATION_AUDIENCE,
  DEFAULT_FIC_LIMIT_PER_APP,
  type ErrorCode,
  GRAPH_APP_ID,
  GRAPH_APP_ROLES,
} from '@credless/core';
import type { KyselyDirectoryStore } from '../../src/store/kysely-directory-store.ts';
import { describeEachStore, type TestStoreOptions } from './store-suite.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const START = Date.UTC(2026, 0, 1);
// Not a shared issuer: the shared-issuer guard (issuer policy) is tested in issuer-policies.test.ts.
const ISSUER = 'https://issuer.example.com';
const SUBJECT = 'repo:contoso/widgets:ref:refs/heads/main';

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, params: Record<string, unknown> = {}) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CredlessError, `expected CredlessError ${code}, got ${String(error)}`);
    assert.equal(error.code, code);
    for (const [key, value] of Object.entries(params)) assert.equal(error.params[key], value, `param ${key}`);
    return true;
  });
}

const fic = (name: string, subject = SUBJECT, extra: Record<string, unknown> = {}) => ({
  name,
  issuer: ISSUER,
  subject,
  ...extra,
});

await describeEachStore('federated identity credentials', (target) => {
  async function setup(options: TestStoreOptions = {}) {
    let now = START;
    const store = await target.openStore({ now: () => (now += 1000), ...options });
    const tenant = await store.createTenant({ defaultDomain: 'contoso.test', displayName: 'Contoso' });
    const app = await store.createApplication(tenant.id, { displayName: 'widgets' });
    return { store, tenantId: tenant.id, app };
  }

  async function fill(store: KyselyDirectoryStore, tenantId: string, appId: string, count: number) {
    for (let i = 0; i < count; i++) {
      await store.createFederatedIdentityCredential(tenantId, appId, fic(`cred-${i}`, `subject-${i}`));
    }
  }

  test('create applies defaults; get by id or name; list', async () => {
    const { store, tenantId, app } = await setup();
    const created = await store.createFederatedIdentityCredential(tenantId, app.id, fic('github-main'));
    assert.match(created.id, GUID);
    assert.equal(created.tenantId, tenantId);
    assert.equal(created.applicationId, app.id);
    assert.deepEqual(created.audiences, [DEFAULT_FEDERATION_AUDIENCE]);
    assert.equal(created.description, null);
    assert.equal(created.createdDateTime, new Date(Date.parse(app.createdDateTime) + 1000).toISOString());
    assert.deepEqual(await store.getFederatedIdentityCredential(tenantId, app.id, created.id), created);
    assert.deepEqual(await store.getFederatedIdentityCredential(tenantId, app.id, 'github-main'), created);
    assert.equal(await store.getFederatedIdentityCredential(tenantId, app.id, 'GITHUB-MAIN'), undefined);
    const custom = await store.createFederatedIdentityCredential(
      tenantId,
      app.id,
      fic('k8s', 'system:serviceaccount:ns:sa', { audiences: ['api://custom'], description: 'cluster' }),
    );
    assert.deepEqual(custom.audiences, ['api://custom']);
    assert.equal(custom.description, 'cluster');
    assert.deepEqual(await store.listFederatedIdentityCredentials(tenantId, app.id), [created, custom]);
  });

  test('duplicate name is a 409 duplicate_value', async () => {
    const { store, tenantId, app } = await setup();
    await store.createFederatedIdentityCredential(tenantId, app.id, fic('github-main'));
    const attempt = store.createFederatedIdentityCredential(tenantId, app.id, fic('github-main', 'other'));
    await rejectsWith(attempt, 'duplicate_value', {
      objectType: 'FederatedIdentityCredential',
      field: 'name',
      value: 'github-main',
    });
    await assert.rejects(
      store.createFederatedIdentityCredential(tenantId, app.id, fic('github-main', 'other')),
      (error: CredlessError) => error.status === 409,
    );
    // Names differing only in case are distinct.
    await store.createFederatedIdentityCredential(tenantId, app.id, fic('GitHub-Main', 'other'));
  });

  test('duplicate issuer+subject names the existing credential; comparison is case-sensitive', async () => {
    const { store, tenantId, app } = await setup();
    await store.createFederatedIdentityCredential(tenantId, app.id, fic('first'));
    await rejectsWith(
      store.createFederatedIdentityCredential(tenantId, app.id, fic('second')),
      'fic_duplicate_issuer_subject',
      {
        issuer: ISSUER,
        subject: SUBJECT,
        existing: 'first',
      },
    );
    const upper = await store.createFederatedIdentityCredential(
      tenantId,
      app.id,
      fic('upper', SUBJECT.toUpperCase()),
    );
    assert.equal(upper.subject, SUBJECT.toUpperCase());
    // A different issuer (even one differing by a trailing slash) is a different pair.
    await store.createFederatedIdentityCredential(tenantId, app.id, {
      name: 'slash',
      issuer: `${ISSUER}/`,
      subject: SUBJECT,
    });
    // The same pair on another application is fine.
    const other = await store.createApplication(tenantId, { displayName: 'other' });
    await store.createFederatedIdentityCredential(tenantId, other.id, fic('first'));
  });

  test('default limit of 20 per application', async () => {
    const { store, tenantId, app } = await setup();
    assert.equal(DEFAULT_FIC_LIMIT_PER_APP, 20);
    await fill(store, tenantId, app.id, 20);
    await rejectsWith(
      store.createFederatedIdentityCredential(tenantId, app.id, fic('cred-21', 'subject-21')),
      'fic_limit_reached',
      {
        limit: 20,
      },
    );
    assert.equal((await store.listFederatedIdentityCredentials(tenantId, app.id)).length, 20);
    // Per application: another one still has room.
    const other = await store.createApplication(tenantId, { displayName: 'other' });
    await store.createFederatedIdentityCredential(tenantId, other.id, fic('cred-0', 'subject-0'));
  });

  test('configured limit, unlimited store, and per-call override', async () => {
    const limited = await setup({ ficLimitPerApp: 2 });
    await fill(limited.store, limited.tenantId, limited.app.id, 2);
    await rejectsWith(
      limited.store.createFederatedIdentityCredential(limited.tenantId, limited.app.id, fic('third', 's3')),
      'fic_limit_reached',
      { limit: 2 },
    );
    await limited.store.createFederatedIdentityCredential(
      limited.tenantId,
      limited.app.id,
      fic('third', 's3'),
      {
        limit: null,
      },
    );
    await rejectsWith(
      limited.store.createFederatedIdentityCredential(limited.tenantId, limited.app.id, fic('fourth', 's4'), {
        limit: 3,
      }),
      'fic_limit_reached',
      { limit: 3 },
    );

    const unlimited = await setup({ ficLimitPerApp: null });
    await fill(unlimited.store, unlimited.tenantId, unlimited.app.id, 25);
    assert.equal(
      (await unlimited.store.listFederatedIdentityCredentials(unlimited.tenantId, unlimited.app.id)).length,
      25,
    );
  });

  test('invalid input is rejected before anything is written', async () => {
    const { store, tenantId, app } = await setup();
    const version = await store.getDirectoryVersion();
    await rejectsWith(
      store.createFederatedIdentityCredential(tenantId, app.id, fic('a b')),
      'invalid_value',
      { field: 'name' },
    );
    await rejectsWith(
      store.createFederatedIdentityCredential(tenantId, app.id, fic('-leading')),
      'invalid_value',
      {
        field: 'name',
      },
    );
    const longIssuer = `https://issuer.example/${'x'.repeat(600)}`;
    await rejectsWith(
      store.createFederatedIdentityCredential(tenantId, app.id, {
        name: 'long',
        issuer: longIssuer,
        subject: 's',
      }),
      'invalid_value',
      { field: 'issuer' },
    );
    await rejectsWith(
      store.createFederatedIdentityCredential(tenantId, app.id, {
        name: 'http',
        issuer: 'http://insecure.example',
        subject: 's',
      }),
      'invalid_value',
      { field: 'issuer' },
    );
    await rejectsWith(
      store.createFederatedIdentityCredential(
        tenantId,
        app.id,
        fic('two-aud', SUBJECT, { audiences: ['a', 'b'] }),
      ),
      'invalid_value',
      {
        field: 'audiences',
      },
    );
    await rejectsWith(
      store.createFederatedIdentityCredential(tenantId, crypto.randomUUID(), fic('no-app')),
      'not_found',
    );
    assert.equal(await store.getDirectoryVersion(), version);
    assert.deepEqual(await store.listFederatedIdentityCredentials(tenantId, app.id), []);
  });

  test('findByIssuer is exact; isKnownIssuer spans tenants', async () => {
    const { store, tenantId, app } = await setup();
    const created = await store.createFederatedIdentityCredential(tenantId, app.id, fic('github-main'));
    assert.deepEqual(await store.findFederatedIdentityCredentialsByIssuer(tenantId, app.id, ISSUER), [
      created,
    ]);
    assert.deepEqual(
      await store.findFederatedIdentityCredentialsByIssuer(tenantId, app.id, `${ISSUER}/`),
      [],
    );
    assert.deepEqual(
      await store.findFederatedIdentityCredentialsByIssuer(tenantId, app.id, ISSUER.toUpperCase()),
      [],
    );
    assert.equal(await store.isKnownIssuer(ISSUER), true);
    assert.equal(await store.isKnownIssuer(`${ISSUER}/`), false);
    assert.equal(await store.isKnownIssuer('https://unknown.example'), false);
    const other = await store.createTenant({ defaultDomain: 'other.test', displayName: 'Other' });
    const otherApp = await store.createApplication(other.id, { displayName: 'x' });
    await store.createFederatedIdentityCredential(other.id, otherApp.id, {
      name: 'aks',
      issuer: 'https://oidc.aks.example/abc/',
      subject: 'system:serviceaccount:a:b',
    });
    assert.equal(await store.isKnownIssuer('https://oidc.aks.example/abc/'), true);
  });

  test('delete by name or id', async () => {
    const { store, tenantId, app } = await setup();
    const a = await store.createFederatedIdentityCredential(tenantId, app.id, fic('cred-a', 'sa'));
    const b = await store.createFederatedIdentityCredential(tenantId, app.id, fic('cred-b', 'sb'));
    await store.deleteFederatedIdentityCredential(tenantId, app.id, 'cred-a');
    await store.deleteFederatedIdentityCredential(tenantId, app.id, b.id);
    assert.deepEqual(await store.listFederatedIdentityCredentials(tenantId, app.id), []);
    await rejectsWith(store.deleteFederatedIdentityCredential(tenantId, app.id, a.name), 'not_found', {
      id: 'cred-a',
    });
    assert.equal(await store.isKnownIssuer(ISSUER), false);
    // The name and the pair are free again.
    await store.createFederatedIdentityCredential(tenantId, app.id, fic('cred-a', 'sa'));
  });

  test('concurrent creates: one name wins, the limit holds', async () => {
    const { store, tenantId, app } = await setup({ ficLimitPerApp: 3 });
    const sameName = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        store.createFederatedIdentityCredential(tenantId, app.id, fic('racer', `s-${i}`)),
      ),
    );
    assert.equal(sameName.filter((r) => r.status === 'fulfilled').length, 1);
    for (const result of sameName.filter((r) => r.status === 'rejected')) {
      assert.equal((result.reason as CredlessError).code, 'duplicate_value');
    }
    const many = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        store.createFederatedIdentityCredential(tenantId, app.id, fic(`many-${i}`, `m-${i}`)),
      ),
    );
    assert.equal(many.filter((r) => r.status === 'fulfilled').length, 2);
    for (const result of many.filter((r) => r.status === 'rejected')) {
      assert.equal((result.reason as CredlessError).code, 'fic_limit_reached');
    }
    assert.equal((await store.listFederatedIdentityCredentials(tenantId, app.id)).length, 3);
  });

  test('deleteApplication cascades to its principal, assignments, credentials and URIs', async () => {
    const { store, tenantId, app: api } = await setup();
    const role: AppRole = {
      ...GRAPH_APP_ROLES[0]!,
      id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      value: 'Api.Call',
    };
    await store.updateApplication(tenantId, api.id, { appRoles: [role], identifierUris: ['api://widgets'] });
    const apiSp = await store.createServicePrincipal(tenantId, { appId: api.appId });
    const client = await store.createApplication(tenantId, { displayName: 'client' });
    const clientSp = await store.createServicePrincipal(tenantId, { appId: client.appId });
    const graphSp = (await store.getServicePrincipalByAppId(tenantId, GRAPH_APP_ID))!;
    const asResource = await store.createAppRoleAssignment(tenantId, {
      principalId: clientSp.id,
      resourceId: apiSp.id,
      appRoleId: role.id,
    });
    await store.createAppRoleAssignment(tenantId, {
      principalId: apiSp.id,
      resourceId: graphSp.id,
      appRoleId: GRAPH_APP_ROLES[1]!.id,
    });
    const clientToGraph = await store.createAppRoleAssignment(tenantId, {
      principalId: clientSp.id,
      resourceId: graphSp.id,
      appRoleId: GRAPH_APP_ROLES[1]!.id,
    });
    await store.createFederatedIdentityCredential(tenantId, api.id, fic('github-main'));

    await store.deleteApplication(tenantId, api.id);
    assert.equal(await store.getApplication(tenantId, api.id), undefined);
    assert.equal(await store.getServicePrincipal(tenantId, apiSp.id), undefined);
    assert.equal(await store.findApplicationByIdentifier(tenantId, 'api://widgets'), undefined);
    assert.deepEqual(await store.listFederatedIdentityCredentials(tenantId, api.id), []);
    assert.equal(await store.isKnownIssuer(ISSUER), false);
    assert.deepEqual(await store.listAppRoleAssignmentsByResource(tenantId, apiSp.id), []);
    assert.deepEqual(await store.listAppRoleAssignmentsByPrincipal(tenantId, apiSp.id), []);
    assert.deepEqual(await store.listAppRoleAssignmentsByPrincipal(tenantId, clientSp.id), [clientToGraph]);
    assert.notEqual(asResource.id, clientToGraph.id);
    assert.deepEqual(await store.listAppRoleAssignmentsByResource(tenantId, graphSp.id), [clientToGraph]);
    // The identifier URI is free again.
    await store.createApplication(tenantId, { displayName: 'successor', identifierUris: ['api://widgets'] });
  });
});
