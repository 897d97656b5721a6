/**
 * The CLI's command functions, called directly against a real SQLite store in a temp directory.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { type AppRole, CredlessError, GRAPH_APP_ID, GRAPH_APP_ROLES } from '@credless/core';
import { type DirectoryStore, ensureDefaultTenant, openDirectoryStore } from '@credless/server';
import { createApplication, listApplications, showApplication } from '../src/commands/ad/app.ts';
import {
  createFederatedCredential,
  listFederatedCredentials,
} from '../src/commands/ad/federated-credential.ts';
import { addPermission, adminConsent } from '../src/commands/ad/permission.ts';
import { createServicePrincipal, showServicePrincipal } from '../src/commands/ad/sp.ts';
import { readJsonArray, readJsonParameter } from '../src/commands/parameters.ts';
import type { DirectoryContext } from '../src/context.ts';
import { ChangesPendingError, EXIT, exitCodeFor, UsageError } from '../src/exit-codes.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const USER_READ_ALL = 'df021288-bdef-4463-88db-98f22de89214';
const GROUP_READ_ALL = '5b567255-7703-4780-807c-7be8301ae99b';
const FIC = {
  name: 'payments-worker',
  issuer: 'https://oidc.cluster.example',
  subject: 'system:serviceaccount:payments:worker',
};

let dir: string;
let store: DirectoryStore;
let ctx: DirectoryContext;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credless-cli-'));
  store = await openDirectoryStore({ dataDir: join(dir, 'data') });
  await store.migrate();
  const tenantId = await ensureDefaultTenant(store, {
    domain: 'credless.local',
    displayName: 'Credless Local',
  });
  ctx = { store, tenantId };
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function rejectsWith(promise: Promise<unknown>, code: string, messagePart?: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CredlessError, `expected a CredlessError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (messagePart) assert.match(error.message, messagePart);
    return true;
  });
}

async function rejectsWithUsage(promise: Promise<unknown>, messagePart: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.match(error.message, messagePart);
    return true;
  });
}

describe('ad app', () => {
  test('createApplication returns a new application with a GUID appId, listed and showable', async () => {
    const app = await createApplication(ctx, { displayName: 'payments-worker' });
    assert.match(app.appId, GUID);
    assert.match(app.id, GUID);
    assert.notEqual(app.id, app.appId);
    assert.equal(app.displayName, 'payments-worker');
    assert.equal(app.tenantId, ctx.tenantId);
    assert.equal(app.builtIn, false);
    assert.deepEqual(app.identifierUris, []);
    assert.deepEqual(app.requiredResourceAccess, []);
    assert.deepEqual(
      (await listApplications(ctx)).map((a) => a.appId),
      [app.appId],
    );
    assert.deepEqual(await showApplication(ctx, app.appId), app);
    assert.deepEqual(await showApplication(ctx, app.id), app);
  });

  test('createApplication keeps identifier URIs and app roles', async () => {
    const role: AppRole = {
      id: '7c8b2a1e-0d6b-4c52-9f3e-1b2a3c4d5e6f',
      value: 'Orders.Read',
      displayName: 'Read orders',
      description: 'Read orders',
      allowedMemberTypes: ['Application'],
      isEnabled: true,
      origin: 'Application',
    };
    const app = await createApplication(ctx, {
      displayName: 'orders-api',
      identifierUris: ['api://orders'],
      appRoles: [role],
    });
    assert.deepEqual(app.identifierUris, ['api://orders']);
    assert.deepEqual(app.appRoles, [role]);
  });

  test('an empty display name is a usage error', async () => {
    await rejectsWithUsage(createApplication(ctx, { displayName: '   ' }), /--display-name/);
  });

  test('show: unknown id → not_found; the built-in Graph app is not shown', async () => {
    await rejectsWith(showApplication(ctx, '0f0e0d0c-0000-4000-8000-000000000000'), 'not_found');
    await rejectsWith(showApplication(ctx, GRAPH_APP_ID), 'not_found');
  });
});

describe('ad sp create', () => {
  test('creating twice returns the same service principal', async () => {
    const app = await createApplication(ctx, { displayName: 'worker' });
    const first = await createServicePrincipal(ctx, app.appId);
    const second = await createServicePrincipal(ctx, app.id);
    assert.deepEqual(second, first);
    assert.equal(first.appId, app.appId);
    assert.equal(first.applicationId, app.id);
    assert.equal(first.accountEnabled, true);
    const mine = (await store.listServicePrincipals(ctx.tenantId)).filter((sp) => sp.appId === app.appId);
    assert.equal(mine.length, 1);
    assert.deepEqual(await showServicePrincipal(ctx, app.appId), first);
    assert.deepEqual(await showServicePrincipal(ctx, first.id), first);
  });

  test('for an unknown application → not_found', async () => {
    await rejectsWith(createServicePrincipal(ctx, '0f0e0d0c-0000-4000-8000-000000000000'), 'not_found');
  });
});

describe('ad app federated-credential create', () => {
  test('the same content again returns the same credential', async () => {
    const app = await createApplication(ctx, { displayName: 'worker' });
    const first = await createFederatedCredential(ctx, app.appId, { ...FIC });
    assert.deepEqual(first.audiences, ['api://AzureADTokenExchange']);
    assert.equal(first.description, null);
    const again = await createFederatedCredential(ctx, app.appId, { ...FIC });
    assert.deepEqual(again, first);
    // Spelling out the defaults is the same content.
    const explicit = await createFederatedCredential(ctx, app.id, {
      ...FIC,
      audiences: ['api://AzureADTokenExchange'],
      description: null,
    });
    assert.deepEqual(explicit, first);
    assert.equal((await listFederatedCredentials(ctx, app.appId)).length, 1);
  });

  const changes: Array<{ change: Record<string, unknown>; fields: string }> = [
    { change: { subject: 'system:serviceaccount:payments:other' }, fields: 'subject' },
    { change: { subject: FIC.subject.toUpperCase() }, fields: 'subject' },
    { change: { issuer: 'https://other-issuer.example' }, fields: 'issuer' },
    { change: { audiences: ['api://custom'] }, fields: 'audiences' },
    { change: { description: 'now with a description' }, fields: 'description' },
    { change: { issuer: 'https://other-issuer.example', subject: 'x' }, fields: 'issuer, subject' },
  ];
  for (const { change, fields } of changes) {
    test(`different ${fields} under the same name → duplicate_value naming ${fields}`, async () => {
      const app = await createApplication(ctx, { displayName: 'worker' });
      const first = await createFederatedCredential(ctx, app.appId, { ...FIC });
      await rejectsWith(
        createFederatedCredential(ctx, app.appId, { ...FIC, ...change }),
        'duplicate_value',
        new RegExp(`payments-worker \\(with a different ${fields};`),
      );
      assert.deepEqual(await listFederatedCredentials(ctx, app.appId), [first]);
    });
  }

  test('invalid parameters → invalid_value naming the field', async () => {
    const app = await createApplication(ctx, { displayName: 'worker' });
    await rejectsWith(
      createFederatedCredential(ctx, app.appId, { ...FIC, issuer: 'http://insecure.example' }),
      'invalid_value',
      /'issuer'/,
    );
    await rejectsWith(
      createFederatedCredential(ctx, app.appId, { ...FIC, name: 'x' }),
      'invalid_value',
      /'name'/,
    );
  });

  test('same issuer and subject under another name → the store refuses it', async () => {
    const app = await createApplication(ctx, { displayName: 'worker' });
    await createFederatedCredential(ctx, app.appId, { ...FIC });
    await rejectsWith(
      createFederatedCredential(ctx, app.appId, { ...FIC, name: 'another-name' }),
      'fic_duplicate_issuer_subject',
    );
  });

  test('for an unknown application → not_found', async () => {
    await rejectsWith(
      createFederatedCredential(ctx, '0f0e0d0c-0000-4000-8000-000000000000', { ...FIC }),
      'not_found',
    );
  });
});

describe('ad app permission add / admin-consent', () => {
  async function clientWithPrincipal(displayName = 'worker') {
    const app = await createApplication(ctx, { displayName });
    const sp = await createServicePrincipal(ctx, app.appId);
    return { app, sp };
  }

  test('add records Graph application permissions; adding again changes nothing', async () => {
    const { app } = await clientWithPrincipal();
    const options = { id: app.appId, api: GRAPH_APP_ID, apiPermissions: [`${USER_READ_ALL}=Role`] };
    const updated = await addPermission(ctx, options);
    const expected = [{ resourceAppId: GRAPH_APP_ID, resourceAccess: [{ id: USER_READ_ALL, type: 'Role' }] }];
    assert.deepEqual(updated.requiredResourceAccess, expected);
    assert.deepEqual((await addPermission(ctx, options)).requiredResourceAccess, expected);
    const merged = await addPermission(ctx, {
      ...options,
      apiPermissions: [`${GROUP_READ_ALL}=Role`, `${USER_READ_ALL}=Role`],
    });
    assert.deepEqual(merged.requiredResourceAccess, [
      {
        resourceAppId: GRAPH_APP_ID,
        resourceAccess: [
          { id: USER_READ_ALL, type: 'Role' },
          { id: GROUP_READ_ALL, type: 'Role' },
        ],
      },
    ]);
    assert.deepEqual(
      (await showApplication(ctx, app.id)).requiredResourceAccess,
      merged.requiredResourceAccess,
    );
  });

  test('an id that is not an app role of the API → invalid_value; nothing recorded', async () => {
    const { app } = await clientWithPrincipal();
    await rejectsWith(
      addPermission(ctx, {
        id: app.appId,
        api: GRAPH_APP_ID,
        apiPermissions: ['0f0e0d0c-0000-4000-8000-000000000000=Role'],
      }),
      'invalid_value',
      /is not an app role of Microsoft Graph/,
    );
    assert.deepEqual((await showApplication(ctx, app.id)).requiredResourceAccess, []);
  });

  const badEntries: Array<[string, RegExp]> = [
    [`${USER_READ_ALL}=Scope`, /delegated permission/],
    ['=Scope', /must look like/],
    ['=Role', /must look like/],
    [USER_READ_ALL, /must look like/],
    [`${USER_READ_ALL}=role`, /must look like/],
    [`${USER_READ_ALL}=Role=Role`, /must look like/],
  ];
  for (const [entry, message] of badEntries) {
    test(`'${entry}' → UsageError`, async () => {
      const { app } = await clientWithPrincipal();
      await rejectsWithUsage(
        addPermission(ctx, { id: app.appId, api: GRAPH_APP_ID, apiPermissions: [entry] }),
        message,
      );
    });
  }

  test('an unknown API → not_found', async () => {
    const { app } = await clientWithPrincipal();
    await rejectsWith(
      addPermission(ctx, {
        id: app.appId,
        api: '0f0e0d0c-0000-4000-8000-000000000000',
        apiPermissions: [`${USER_READ_ALL}=Role`],
      }),
      'not_found',
    );
  });

  test('admin-consent grants each requested role once, however often it runs', async () => {
    const { app, sp } = await clientWithPrincipal();
    await addPermission(ctx, {
      id: app.appId,
      api: GRAPH_APP_ID,
      apiPermissions: [`${USER_READ_ALL}=Role`, `${GROUP_READ_ALL}=Role`],
    });
    const graph = await store.getServicePrincipalByAppId(ctx.tenantId, GRAPH_APP_ID);
    assert.ok(graph);
    const granted = await adminConsent(ctx, app.appId);
    assert.deepEqual(
      granted.map((a) => [a.principalId, a.resourceId, a.appRoleId]),
      [
        [sp.id, graph.id, USER_READ_ALL],
        [sp.id, graph.id, GROUP_READ_ALL],
      ],
    );
    const again = await adminConsent(ctx, app.id);
    assert.deepEqual(again, granted);
    const held = await store.listAppRoleAssignmentsByPrincipal(ctx.tenantId, sp.id);
    assert.deepEqual(held.map((a) => a.appRoleId).sort(), [GROUP_READ_ALL, USER_READ_ALL].sort());
    assert.ok(GRAPH_APP_ROLES.some((r) => r.id === USER_READ_ALL));
  });

  test('a custom API role given only id and value gets Graph defaults and can be consented', async () => {
    const roleId = '7c8b2a1e-5d3f-4a9b-8c2d-1e0f3a4b5c6d';
    const api = await createApplication(ctx, {
      displayName: 'orders-api',
      appRoles: [{ id: roleId, value: 'Orders.Read' } as AppRole],
    });
    await createServicePrincipal(ctx, api.appId);
    assert.deepEqual(api.appRoles[0], {
      id: roleId,
      value: 'Orders.Read',
      displayName: 'Orders.Read',
      description: 'Orders.Read',
      allowedMemberTypes: ['Application'],
      isEnabled: true,
      origin: 'Application',
    });
    const client = await createApplication(ctx, { displayName: 'orders-client' });
    await createServicePrincipal(ctx, client.appId);
    await addPermission(ctx, { id: client.appId, api: api.appId, apiPermissions: [`${roleId}=Role`] });
    const granted = await adminConsent(ctx, client.appId);
    assert.deepEqual(
      granted.map((assignment) => assignment.appRoleId),
      [roleId],
    );
  });

  test('admin-consent with nothing requested grants nothing', async () => {
    const { app } = await clientWithPrincipal();
    assert.deepEqual(await adminConsent(ctx, app.appId), []);
  });

  test('admin-consent without the client service principal → not_found saying how to create it', async () => {
    const app = await createApplication(ctx, { displayName: 'no-sp' });
    await addPermission(ctx, { id: app.appId, api: GRAPH_APP_ID, apiPermissions: [`${USER_READ_ALL}=Role`] });
    await rejectsWith(
      adminConsent(ctx, app.appId),
      'not_found',
      new RegExp(`credless ad sp create --id ${app.appId}`),
    );
  });

  test('admin-consent for an API without a service principal → not_found', async () => {
    const api = await createApplication(ctx, {
      displayName: 'orders-api',
      appRoles: [
        {
          ...(GRAPH_APP_ROLES[0] as AppRole),
          id: '7c8b2a1e-0d6b-4c52-9f3e-1b2a3c4d5e6f',
          value: 'Orders.Read',
        },
      ],
    });
    const { app } = await clientWithPrincipal();
    await addPermission(ctx, {
      id: app.appId,
      api: api.appId,
      apiPermissions: ['7c8b2a1e-0d6b-4c52-9f3e-1b2a3c4d5e6f=Role'],
    });
    await rejectsWith(adminConsent(ctx, app.appId), 'not_found', new RegExp(api.appId));
  });
});

describe('JSON parameters', () => {
  test('@file and inline give the same object', async () => {
    const file = join(dir, 'fic.json');
    await writeFile(file, JSON.stringify(FIC));
    assert.deepEqual(await readJsonParameter(`@${file}`), FIC);
    assert.deepEqual(await readJsonParameter(JSON.stringify(FIC)), FIC);
  });

  const refused: Array<[string, string, RegExp]> = [
    ['malformed JSON', '{name: x}', /--parameters: the inline value is not valid JSON/],
    ['an array', '[{"name":"x"}]', /must be a JSON object/],
    ['null', 'null', /must be a JSON object/],
    ['a string', '"x"', /must be a JSON object/],
    [
      'a missing file',
      '@/nonexistent/credless/fic.json',
      /cannot read \/nonexistent\/credless\/fic.json: ENOENT/,
    ],
  ];
  for (const [what, value, message] of refused) {
    test(`${what} → UsageError`, async () => rejectsWithUsage(readJsonParameter(value), message));
  }

  test('malformed JSON in a file names the file', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{"name":');
    await rejectsWithUsage(readJsonParameter(`@${file}`), new RegExp(`${file} is not valid JSON`));
  });

  test('readJsonArray wants an array', async () => {
    assert.deepEqual(await readJsonArray('[1,2]', '--app-roles'), [1, 2]);
    await rejectsWithUsage(readJsonArray('{}', '--app-roles'), /--app-roles: the value must be a JSON array/);
  });
});

describe('exitCodeFor', () => {
  const cases: Array<[string, unknown, number]> = [
    ['UsageError', new UsageError('bad flag'), EXIT.invalidInput],
    ['not_found', new CredlessError('not_found', { id: 'x' }), EXIT.notFound],
    [
      'duplicate_value',
      new CredlessError('duplicate_value', { objectType: 'A', field: 'b', value: 'c' }),
      EXIT.conflict,
    ],
    ['invalid_value', new CredlessError('invalid_value', { field: 'a', reason: 'b' }), EXIT.invalidInput],
    [
      'fic_duplicate_issuer_subject (400)',
      new CredlessError('fic_duplicate_issuer_subject', { issuer: 'i', subject: 's', existing: 'e' }),
      EXIT.invalidInput,
    ],
    ['a 401 STS error', new CredlessError('assertion_signature_invalid', { reason: 'r' }), EXIT.failure],
    ['server_error', new CredlessError('server_error'), EXIT.failure],
    ['ChangesPendingError', new ChangesPendingError('plan: changes pending'), EXIT.changesPending],
    ['a plain Error', new Error('boom'), EXIT.failure],
    ['a TypeError', new TypeError('x is undefined'), EXIT.failure],
    ['a thrown string', 'boom', EXIT.failure],
  ];
  for (const [what, error, code] of cases) {
    test(`${what} → ${code}`, () => assert.equal(exitCodeFor(error), code));
  }

  test('the codes are documented and distinct', () => {
    assert.deepEqual(EXIT, {
      ok: 0,
      failure: 1,
      invalidInput: 2,
      notFound: 3,
      conflict: 4,
      noMatch: 5,
      changesPending: 6,
    });
    assert.equal(new Set(Object.values(EXIT)).size, Object.keys(EXIT).length);
  });
});
