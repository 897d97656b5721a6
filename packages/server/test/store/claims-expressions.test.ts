import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CredlessError, type ErrorCode } from '@credless/core';
import { Migrator, sql } from 'kysely';
import { openDatabase } from '../../src/store/database.ts';
import { createKyselyDirectoryStore } from '../../src/store/kysely-directory-store.ts';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import { describeEachStore } from './store-suite.ts';

const START = Date.UTC(2026, 0, 1);
const GITHUB = 'https://token.actions.githubusercontent.com';
const GITLAB = 'https://gitlab.com';
const ORG = "claims['sub'] matches 'repo:contoso/*'";
const expression = (value: string) => ({ value, languageVersion: 1 });

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, params: Record<string, unknown> = {}) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CredlessError, `expected CredlessError ${code}, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const [key, value] of Object.entries(params)) assert.equal(error.params[key], value, `param ${key}`);
    return true;
  });
}

await describeEachStore('claims-expression credentials', (target) => {
  async function setup() {
    let now = START;
    const store = await target.openStore({ now: () => (now += 1000) });
    const tenant = await store.createTenant({ defaultDomain: 'contoso.test', displayName: 'Contoso' });
    const app = await store.createApplication(tenant.id, { displayName: 'deployer' });
    return { store, tenantId: tenant.id, appId: app.id };
  }

  test('create, get, list and find by issuer return both kinds', async () => {
    const { store, tenantId, appId } = await setup();
    const exact = await store.createFederatedIdentityCredential(tenantId, appId, {
      name: 'exact',
      issuer: GITHUB,
      subject: 'repo:contoso/web:ref:refs/heads/main',
    });
    const flexible = await store.createFederatedIdentityCredential(tenantId, appId, {
      name: 'flexible',
      issuer: GITHUB,
      claimsMatchingExpression: expression(ORG),
    });
    await store.createFederatedIdentityCredential(tenantId, appId, {
      name: 'gitlab',
      issuer: GITLAB,
      claimsMatchingExpression: expression("claims['sub'] matches 'project_path:contoso/*'"),
    });
    assert.equal(exact.claimsMatchingExpression, null);
    assert.equal(flexible.subject, null);
    assert.deepEqual(flexible.claimsMatchingExpression, { value: ORG, languageVersion: 1 });
    assert.deepEqual(await store.getFederatedIdentityCredential(tenantId, appId, 'flexible'), flexible);
    assert.deepEqual(
      (await store.listFederatedIdentityCredentials(tenantId, appId)).map((c) => c.name),
      ['exact', 'flexible', 'gitlab'],
    );
    assert.deepEqual(await store.findFederatedIdentityCredentialsByIssuer(tenantId, appId, GITHUB), [
      exact,
      flexible,
    ]);
  });

  test('subject XOR expression is enforced before anything is stored', async () => {
    const { store, tenantId, appId } = await setup();
    await rejectsWith(
      store.createFederatedIdentityCredential(tenantId, appId, {
        name: 'both',
        issuer: GITHUB,
        subject: 's',
        claimsMatchingExpression: expression(ORG),
      }),
      'invalid_value',
      { field: 'claimsMatchingExpression' },
    );
    await rejectsWith(
      store.createFederatedIdentityCredential(tenantId, appId, { name: 'neither', issuer: GITHUB }),
      'invalid_value',
      { field: 'subject' },
    );
    await rejectsWith(
      store.createFederatedIdentityCredential(tenantId, appId, {
        name: 'bad',
        issuer: GITHUB,
        claimsMatchingExpression: expression("claims['sub'] matches 'x' or claims['a'] eq 'b'"),
      }),
      'invalid_value',
      {
        field: 'claimsMatchingExpression',
        reason: "expected 'and' or the end of the expression at position 27",
      },
    );
    assert.deepEqual(await store.listFederatedIdentityCredentials(tenantId, appId), []);
  });

  test('the same issuer and expression text twice is refused; another issuer or text is not', async () => {
    const { store, tenantId, appId } = await setup();
    await store.createFederatedIdentityCredential(tenantId, appId, {
      name: 'first',
      issuer: GITHUB,
      claimsMatchingExpression: expression(ORG),
    });
    await rejectsWith(
      store.createFederatedIdentityCredential(tenantId, appId, {
        name: 'second',
        issuer: GITHUB,
        claimsMatchingExpression: expression(ORG),
      }),
      'fic_duplicate_issuer_expression',
      { issuer: GITHUB, expression: ORG, existing: 'first' },
    );
    await store.createFederatedIdentityCredential(tenantId, appId, {
      name: 'other-issuer',
      // Not GITLAB: a GitHub-shaped expression pins no gitlab.com owner (shared-issuer guard).
      issuer: 'https://issuer.example.com',
      claimsMatchingExpression: expression(ORG),
    });
    await store.createFederatedIdentityCredential(tenantId, appId, {
      name: 'other-text',
      issuer: GITHUB,
      claimsMatchingExpression: expression("claims['sub'] matches 'repo:contoso/*' "),
    });
    // Several expression credentials (all with a NULL subject) coexist under one issuer.
    assert.equal((await store.findFederatedIdentityCredentialsByIssuer(tenantId, appId, GITHUB)).length, 2);
  });

  test('migrating from 0001 keeps existing credentials, constraints, the index and cascades', async () => {
    const location = await target.freshLocation();
    const database = await openDatabase(location);
    try {
      const first = MIGRATIONS['0001_directory'];
      assert.ok(first);
      const migrator = new Migrator({
        db: database.db,
        provider: { getMigrations: async () => ({ '0001_directory': first }) },
        ...(location.schema !== undefined ? { migrationTableSchema: location.schema } : {}),
      });
      const { error } = await migrator.migrateToLatest();
      assert.equal(error, undefined);

      const db = database.db;
      await db
        .insertInto('tenants')
        .values({ id: 't1', default_domain: 'contoso.test', display_name: 'Contoso', created_at: START })
        .execute();
      await db
        .insertInto('applications')
        .values({
          id: 'a1',
          tenant_id: 't1',
          app_id: '00000000-0000-0000-0000-0000000000a1',
          display_name: 'old',
          identifier_uris: '[]',
          app_roles: '[]',
          required_resource_access: '[]',
          access_token_accepted_version: null,
          built_in: 0,
          created_at: START,
        })
        .execute();
      const oldRow = (id: string, name: string, subject: string) => ({
        id,
        tenant_id: 't1',
        application_id: 'a1',
        name,
        issuer: GITHUB,
        subject,
        audience: 'api://AzureADTokenExchange',
        description: name === 'main' ? 'kept' : null,
        created_at: START + id.length,
      });
      await db
        .insertInto('federated_identity_credentials')
        .values([oldRow('f1', 'main', 'repo:contoso/web:ref:refs/heads/main'), oldRow('f22', 'dev', 'dev')])
        .execute();

      const store = createKyselyDirectoryStore({ db, dialect: database.dialect });
      await store.migrate();

      const kept = await store.listFederatedIdentityCredentials('t1', 'a1');
      assert.deepEqual(kept, [
        {
          id: 'f1',
          tenantId: 't1',
          applicationId: 'a1',
          name: 'main',
          issuer: GITHUB,
          subject: 'repo:contoso/web:ref:refs/heads/main',
          claimsMatchingExpression: null,
          audiences: ['api://AzureADTokenExchange'],
          description: 'kept',
          createdDateTime: new Date(START + 2).toISOString(),
        },
        {
          id: 'f22',
          tenantId: 't1',
          applicationId: 'a1',
          name: 'dev',
          issuer: GITHUB,
          subject: 'dev',
          claimsMatchingExpression: null,
          audiences: ['api://AzureADTokenExchange'],
          description: null,
          createdDateTime: new Date(START + 3).toISOString(),
        },
      ]);
      const flexible = await store.createFederatedIdentityCredential('t1', 'a1', {
        name: 'flexible',
        issuer: GITHUB,
        claimsMatchingExpression: expression(ORG),
      });
      assert.equal(flexible.subject, null);

      // The database itself still refuses duplicate names and (issuer, subject); NULL subjects coexist.
      const raw = (id: string, name: string, subject: string | null) => ({
        ...oldRow(id, name, 'unused'),
        subject,
        claims_matching_expression: subject === null ? `claims['sub'] eq '${id}'` : null,
      });
      await assert.rejects(
        db
          .insertInto('federated_identity_credentials')
          .values(raw('x1', 'main', 'new'))
          .execute(),
      );
      await assert.rejects(
        db
          .insertInto('federated_identity_credentials')
          .values(raw('x2', 'other', 'dev'))
          .execute(),
      );
      await db
        .insertInto('federated_identity_credentials')
        .values(raw('x3', 'null-a', null))
        .execute();
      await db
        .insertInto('federated_identity_credentials')
        .values(raw('x4', 'null-b', null))
        .execute();

      const indexes =
        database.dialect === 'sqlite'
          ? await sql<{
              name: string;
            }>`select name from sqlite_master where type = 'index' and name = 'fic_issuer_idx'`.execute(db)
          : await sql<{
              name: string;
            }>`select indexname as name from pg_indexes where schemaname = current_schema() and indexname = 'fic_issuer_idx'`.execute(
              db,
            );
      assert.equal(indexes.rows.length, 1);
      assert.equal(await store.isKnownIssuer(GITHUB), true);

      // Foreign keys survived the rebuild: deleting the application removes its credentials.
      await db.deleteFrom('applications').where('id', '=', 'a1').execute();
      assert.deepEqual(await store.listFederatedIdentityCredentials('t1', 'a1'), []);
    } finally {
      await database.close();
    }
  });
});
