/**
 * The `ad` commands' functions (packages/cli/src/commands/az), called directly against a data directory
 * in a temp directory, served in-process as the CLI does offline: the same Graph requests as a session.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { GRAPH_APP_ID, GRAPH_APP_ROLES } from '@credless/core';
import {
  graphAddPermission,
  graphCreateFederatedCredential,
  graphGrantPermissions,
  graphListFederatedCredentials,
} from '../src/commands/az/graph-credentials.ts';
import {
  type GraphObject,
  graphCreateApplication,
  graphCreateServicePrincipal,
  graphListApplications,
  graphListServicePrincipals,
  resolveGraphApplication,
  resolveGraphServicePrincipal,
} from '../src/commands/az/graph-objects.ts';
import { readJsonArray, readJsonParameter } from '../src/commands/parameters.ts';
import { EXIT, exitCodeFor, UsageError } from '../src/exit-codes.ts';
import type { GraphApi } from '../src/session/graph-api.ts';
import { openInProcessGraphApi } from '../src/session/in-process-graph-api.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const USER_READ_ALL = 'df021288-bdef-4463-88db-98f22de89214';
const GROUP_READ_ALL = '5b567255-7703-4780-807c-7be8301ae99b';
const UNKNOWN = '0f0e0d0c-0000-4000-8000-000000000000';
const FIC = {
  name: 'payments-worker',
  issuer: 'https://oidc.cluster.example',
  subject: 'system:serviceaccount:payments:worker',
};

let dir: string;
let api: GraphApi & { close(): Promise<void> };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credless-cli-'));
  api = await openInProcessGraphApi({ dataDir: join(dir, 'data') });
});
afterEach(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

/** Refused with `exit` (the CLI's exit code for it) and a message matching `messagePart`. */
async function rejectsWith(promise: Promise<unknown>, exit: number, messagePart?: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.equal(exitCodeFor(error), exit, String(error));
    if (messagePart) assert.match((error as Error).message, messagePart);
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

/** A Graph object without its OData annotations (a create answers with @odata.context, a list without). */
const withoutOData = (object: GraphObject) =>
  Object.fromEntries(Object.entries(object).filter(([key]) => !key.startsWith('@odata')));

const createApp = (displayName: string, extra: { identifierUris?: string[]; appRoles?: unknown[] } = {}) =>
  graphCreateApplication(api, { displayName, ...extra });

describe('ad app', () => {
  test('create returns a new application with a GUID appId, listed and showable', async () => {
    const app = await createApp('payments-worker');
    assert.match(String(app['appId']), GUID);
    assert.match(app.id, GUID);
    assert.notEqual(app.id, app['appId']);
    assert.equal(app['displayName'], 'payments-worker');
    assert.deepEqual(app['identifierUris'], []);
    assert.deepEqual(app['requiredResourceAccess'], []);
    assert.deepEqual(
      (await graphListApplications(api)).map((a) => a['appId']).filter((id) => id === app['appId']),
      [app['appId']],
    );
    assert.equal((await resolveGraphApplication(api, String(app['appId']))).id, app.id);
    assert.equal((await resolveGraphApplication(api, app.id))['appId'], app['appId']);
  });

  test('create keeps identifier URIs and app roles', async () => {
    const role = {
      id: '7c8b2a1e-0d6b-4c52-9f3e-1b2a3c4d5e6f',
      value: 'Orders.Read',
      displayName: 'Read orders',
      description: 'Read orders',
      allowedMemberTypes: ['Application'],
      isEnabled: true,
      origin: 'Application',
    };
    const app = await createApp('orders-api', { identifierUris: ['api://orders'], appRoles: [role] });
    assert.deepEqual(app['identifierUris'], ['api://orders']);
    assert.deepEqual(app['appRoles'], [role]);
  });

  test('an empty display name is a usage error', async () => {
    await rejectsWithUsage(createApp('   '), /--display-name/);
  });

  test('show: an unknown id → exit 3', async () => {
    await rejectsWith(resolveGraphApplication(api, UNKNOWN), EXIT.notFound);
  });
});

describe('ad sp create', () => {
  test('creating twice returns the same service principal', async () => {
    const app = await createApp('worker');
    const appId = String(app['appId']);
    const first = await graphCreateServicePrincipal(api, appId);
    const second = await graphCreateServicePrincipal(api, app.id);
    assert.deepEqual(withoutOData(second), withoutOData(first));
    assert.equal(first['appId'], appId);
    assert.equal(first['accountEnabled'], true);
    assert.equal((await graphListServicePrincipals(api, { appId })).length, 1);
    assert.equal((await resolveGraphServicePrincipal(api, appId)).id, first.id);
    assert.equal((await resolveGraphServicePrincipal(api, first.id)).id, first.id);
  });

  test('for an unknown application → exit 3', async () => {
    await rejectsWith(graphCreateServicePrincipal(api, UNKNOWN), EXIT.notFound);
  });
});

describe('ad app federated-credential create', () => {
  test('the same content again returns the same credential', async () => {
    const app = await createApp('worker');
    const appId = String(app['appId']);
    const first = await graphCreateFederatedCredential(api, appId, { ...FIC });
    assert.deepEqual(first['audiences'], ['api://AzureADTokenExchange']);
    assert.equal(first['description'] ?? null, null);
    const again = await graphCreateFederatedCredential(api, appId, { ...FIC });
    assert.deepEqual(withoutOData(again), withoutOData(first));
    // Spelling out the defaults is the same content.
    const explicit = await graphCreateFederatedCredential(api, app.id, {
      ...FIC,
      audiences: ['api://AzureADTokenExchange'],
      description: null,
    });
    assert.equal(explicit.id, first.id);
    assert.equal((await graphListFederatedCredentials(api, appId)).length, 1);
  });

  const EXPRESSION = "claims['sub'] matches 'repo:contoso/*'";
  const changes: Array<{ base?: Record<string, unknown>; change: Record<string, unknown>; fields: string }> =
    [
      { change: { subject: 'system:serviceaccount:payments:other' }, fields: 'subject' },
      { change: { subject: FIC.subject.toUpperCase() }, fields: 'subject' },
      { change: { issuer: 'https://other-issuer.example' }, fields: 'issuer' },
      { change: { audiences: ['api://custom'] }, fields: 'audiences' },
      { change: { description: 'now with a description' }, fields: 'description' },
      { change: { issuer: 'https://other-issuer.example', subject: 'x' }, fields: 'issuer, subject' },
      {
        base: {
          name: FIC.name,
          issuer: FIC.issuer,
          claimsMatchingExpression: { value: EXPRESSION, languageVersion: 1 },
        },
        change: { claimsMatchingExpression: { value: "claims['sub'] matches 'repo:*'", languageVersion: 1 } },
        fields: 'claimsMatchingExpression',
      },
    ];
  for (const { base = FIC, change, fields } of changes) {
    test(`different ${fields} under the same name → exit 4 naming ${fields}`, async () => {
      const app = await createApp('worker');
      const appId = String(app['appId']);
      const first = await graphCreateFederatedCredential(api, appId, { ...base });
      // The same content again is still fine.
      assert.equal((await graphCreateFederatedCredential(api, appId, { ...base })).id, first.id);
      await rejectsWith(
        graphCreateFederatedCredential(api, appId, { ...base, ...change }),
        EXIT.conflict,
        new RegExp(`'payments-worker' already exists on application ${appId} with a different ${fields};`),
      );
      assert.deepEqual(
        (await graphListFederatedCredentials(api, appId)).map((credential) => credential.id),
        [first.id],
      );
    });
  }

  test('invalid parameters → exit 2 naming the field', async () => {
    const appId = String((await createApp('worker'))['appId']);
    await rejectsWith(
      graphCreateFederatedCredential(api, appId, { ...FIC, issuer: 'http://insecure.example' }),
      EXIT.invalidInput,
      /'issuer'/,
    );
    await rejectsWith(
      graphCreateFederatedCredential(api, appId, { ...FIC, name: 'x' }),
      EXIT.invalidInput,
      /'name'/,
    );
  });

  test('same issuer and subject under another name → the directory refuses it (exit 2)', async () => {
    const appId = String((await createApp('worker'))['appId']);
    await graphCreateFederatedCredential(api, appId, { ...FIC });
    await rejectsWith(
      graphCreateFederatedCredential(api, appId, { ...FIC, name: 'another-name' }),
      EXIT.invalidInput,
      /InvalidFederatedIdentityCredentialValue/,
    );
  });

  test('for an unknown application → exit 3', async () => {
    await rejectsWith(graphCreateFederatedCredential(api, UNKNOWN, { ...FIC }), EXIT.notFound);
  });
});

describe('ad app permission add / admin-consent', () => {
  async function clientWithPrincipal(displayName = 'worker') {
    const app = await createApp(displayName);
    const sp = await graphCreateServicePrincipal(api, String(app['appId']));
    return { app, appId: String(app['appId']), sp };
  }
  const requested = async (id: string) => (await resolveGraphApplication(api, id))['requiredResourceAccess'];

  test('add records Graph application permissions; adding again changes nothing', async () => {
    const { appId } = await clientWithPrincipal();
    const options = { id: appId, api: GRAPH_APP_ID, apiPermissions: [`${USER_READ_ALL}=Role`] };
    const expected = [{ resourceAppId: GRAPH_APP_ID, resourceAccess: [{ id: USER_READ_ALL, type: 'Role' }] }];
    assert.deepEqual(await graphAddPermission(api, options), expected);
    assert.deepEqual(await graphAddPermission(api, options), expected);
    const merged = await graphAddPermission(api, {
      ...options,
      apiPermissions: [`${GROUP_READ_ALL}=Role`, `${USER_READ_ALL}=Role`],
    });
    assert.deepEqual(merged, [
      {
        resourceAppId: GRAPH_APP_ID,
        resourceAccess: [
          { id: USER_READ_ALL, type: 'Role' },
          { id: GROUP_READ_ALL, type: 'Role' },
        ],
      },
    ]);
    assert.deepEqual(await requested(appId), merged);
  });

  test('an id that is not an app role of the API → exit 2; nothing recorded', async () => {
    const { appId } = await clientWithPrincipal();
    await rejectsWith(
      graphAddPermission(api, { id: appId, api: GRAPH_APP_ID, apiPermissions: [`${UNKNOWN}=Role`] }),
      EXIT.invalidInput,
      /is not an application role of Microsoft Graph/,
    );
    assert.deepEqual(await requested(appId), []);
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
      const { appId } = await clientWithPrincipal();
      await rejectsWithUsage(
        graphAddPermission(api, { id: appId, api: GRAPH_APP_ID, apiPermissions: [entry] }),
        message,
      );
    });
  }

  test('an unknown API → exit 3', async () => {
    const { appId } = await clientWithPrincipal();
    await rejectsWith(
      graphAddPermission(api, { id: appId, api: UNKNOWN, apiPermissions: [`${USER_READ_ALL}=Role`] }),
      EXIT.notFound,
    );
  });

  test('admin-consent grants each requested role once, however often it runs', async () => {
    const { appId, sp } = await clientWithPrincipal();
    await graphAddPermission(api, {
      id: appId,
      api: GRAPH_APP_ID,
      apiPermissions: [`${USER_READ_ALL}=Role`, `${GROUP_READ_ALL}=Role`],
    });
    const graph = await resolveGraphServicePrincipal(api, GRAPH_APP_ID);
    const granted = await graphGrantPermissions(api, { id: appId });
    assert.deepEqual(
      granted.map((a) => [a['principalId'], a['resourceId'], a['appRoleId']]),
      [
        [sp.id, graph.id, USER_READ_ALL],
        [sp.id, graph.id, GROUP_READ_ALL],
      ],
    );
    await graphGrantPermissions(api, { id: appId });
    const held = await api.call<{ value: GraphObject[] }>(
      'GET',
      `/servicePrincipals/${sp.id}/appRoleAssignments`,
    );
    assert.deepEqual(held.value.map((a) => a['appRoleId']).sort(), [GROUP_READ_ALL, USER_READ_ALL].sort());
    assert.ok(GRAPH_APP_ROLES.some((r) => r.id === USER_READ_ALL));
  });

  test('a custom API role given only id and value gets Graph defaults and can be consented', async () => {
    const roleId = '7c8b2a1e-5d3f-4a9b-8c2d-1e0f3a4b5c6d';
    const orders = await createApp('orders-api', { appRoles: [{ id: roleId, value: 'Orders.Read' }] });
    const ordersAppId = String(orders['appId']);
    await graphCreateServicePrincipal(api, ordersAppId);
    assert.deepEqual((orders['appRoles'] as unknown[])[0], {
      id: roleId,
      value: 'Orders.Read',
      displayName: 'Orders.Read',
      description: 'Orders.Read',
      allowedMemberTypes: ['Application'],
      isEnabled: true,
      origin: 'Application',
    });
    const { appId } = await clientWithPrincipal('orders-client');
    await graphAddPermission(api, { id: appId, api: ordersAppId, apiPermissions: [`${roleId}=Role`] });
    const granted = await graphGrantPermissions(api, { id: appId });
    assert.deepEqual(
      granted.map((assignment) => assignment['appRoleId']),
      [roleId],
    );
  });

  test('permission add for an API without a service principal → exit 3 saying it needs one', async () => {
    const orders = await createApp('orders-api', {
      appRoles: [{ id: '7c8b2a1e-0d6b-4c52-9f3e-1b2a3c4d5e6f', value: 'Orders.Read' }],
    });
    const { appId } = await clientWithPrincipal();
    await rejectsWith(
      graphAddPermission(api, {
        id: appId,
        api: String(orders['appId']),
        apiPermissions: ['7c8b2a1e-0d6b-4c52-9f3e-1b2a3c4d5e6f=Role'],
      }),
      EXIT.notFound,
      new RegExp(`${String(orders['appId'])}' in this tenant \\(it needs a service principal\\)`),
    );
  });

  test('admin-consent with nothing requested grants nothing', async () => {
    const { appId } = await clientWithPrincipal();
    assert.deepEqual(await graphGrantPermissions(api, { id: appId }), []);
  });

  test('admin-consent without the client service principal → exit 3 saying how to create it', async () => {
    const appId = String((await createApp('no-sp'))['appId']);
    await graphAddPermission(api, {
      id: appId,
      api: GRAPH_APP_ID,
      apiPermissions: [`${USER_READ_ALL}=Role`],
    });
    await rejectsWith(
      graphGrantPermissions(api, { id: appId }),
      EXIT.notFound,
      new RegExp(`credless ad sp create --id ${appId}`),
    );
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
