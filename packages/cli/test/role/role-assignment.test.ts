/**
 * `credless role assignment …` through the API (Resource Manager + Graph), on both transports of the
 * CLI's one client: logged in (HTTPS to a real credless, Host management.azure.com) and offline
 * (in-process, the data directory's administrator) print the same az-shaped objects; a federated
 * login acts with its own ARM token, authorized by its role assignments; errors keep their exit codes.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connectInProcess } from '@credless/server';
import { createWorkloadScenario, startTestStack } from '@credless/testkit';
import {
  createRoleAssignment,
  deleteRoleAssignment,
  listRoleAssignments,
} from '../../src/commands/role/role-assignment.ts';
import { EXIT, exitCodeFor } from '../../src/exit-codes.ts';
import { type GraphApi, openGraphApi } from '../../src/session/graph-api.ts';
import { inProcessGraphApi } from '../../src/session/in-process-graph-api.ts';
import { login } from '../../src/session/login.ts';

const AKS_ADMIN = 'Azure Kubernetes Service RBAC Cluster Admin';

describe('role assignment commands through the API', () => {
  let x: {
    credless: Awaited<ReturnType<typeof startTestStack>>['credless'];
    issuer: Awaited<ReturnType<typeof startTestStack>>['issuer'];
    dir: string;
    federatedToken(subject: string): Promise<string>;
    close(): Promise<void>;
  };
  let online: GraphApi;
  let offline: GraphApi;
  let sub: string;
  let appId: string;
  let spId: string;

  before(async () => {
    // A real credless and a CLI session of its local administrator (HTTPS), in a temporary config directory.
    const stack = await startTestStack({ issuer: { kidStyle: 'kubernetes' } });
    const dir = await mkdtemp(join(tmpdir(), 'credless-role-'));
    x = {
      credless: stack.credless,
      issuer: stack.issuer,
      dir,
      federatedToken: (subject) =>
        stack.issuer.issueToken({ sub: subject, aud: 'api://AzureADTokenExchange' }),
      async close() {
        await stack.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
    const configDir = join(dir, 'admin');
    await login({ local: true, authority: x.credless.url, dataDir: x.credless.dataDir, configDir, env: {} });
    online = (await openGraphApi({ configDir })) as GraphApi;
    const connection = await connectInProcess(x.credless.app, {
      baseUrl: x.credless.url,
      graphUrl: x.credless.graphUrl,
      dataDir: x.credless.dataDir,
    });
    offline = inProcessGraphApi(connection, x.credless.dataDir, `the data directory ${x.credless.dataDir}`);
    sub = `/subscriptions/${x.credless.tenantId}`;
    const workload = await createWorkloadScenario(x.credless, {
      displayName: 'role-target',
      issuer: x.issuer.issuer,
      subject: 'repo:credless/roles:ref:refs/heads/main',
    });
    appId = workload.appId;
    spId = (await x.credless.store.getServicePrincipalByAppId(x.credless.tenantId, appId))?.id as string;
  });
  after(() => x.close());

  test('create (by appId) → again → list → delete: the same objects logged in and offline', async () => {
    const scope = `${sub}/resourceGroups/rg-cli`;
    const created = await createRoleAssignment(online, { role: AKS_ADMIN, assignee: appId, scope });
    assert.deepEqual(Object.keys(created), [
      'condition',
      'conditionVersion',
      'createdBy',
      'createdOn',
      'delegatedManagedIdentityResourceId',
      'description',
      'id',
      'name',
      'principalId',
      'principalType',
      'resourceGroup',
      'roleDefinitionId',
      'roleDefinitionName',
      'scope',
      'type',
      'updatedBy',
      'updatedOn',
    ]);
    assert.equal(created.principalId, spId);
    assert.equal(created.principalType, 'ServicePrincipal');
    assert.equal(created.roleDefinitionName, AKS_ADMIN);
    assert.equal(
      created.roleDefinitionId,
      `${sub}/providers/Microsoft.Authorization/roleDefinitions/b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b`,
    );
    assert.equal(created.resourceGroup, 'rg-cli');
    // Again, on the other transport (the seed's pipeline runs twice): the existing one, unchanged.
    const again = await createRoleAssignment(offline, {
      role: AKS_ADMIN.toLowerCase(),
      assignee: spId,
      scope,
    });
    assert.deepEqual(again, created);

    const listedOnline = await listRoleAssignments(online, { assignee: appId });
    const listedOffline = await listRoleAssignments(offline, { assignee: appId });
    assert.deepEqual(listedOffline, listedOnline);
    assert.equal(listedOnline.length, 1);
    const [{ principalName, ...listed }] = listedOnline as [typeof created & { principalName: string }];
    assert.equal(principalName, appId, "az's principalName of a service principal: its appId");
    assert.deepEqual(listed, created);
    assert.deepEqual(await listRoleAssignments(online, { scope: sub }), [], 'not at the subscription itself');
    assert.equal(
      (
        await listRoleAssignments(online, {
          scope: `${scope}/providers/Microsoft.ContainerRegistry/registries/r1`,
          includeInherited: true,
        })
      ).length,
      1,
    );
    assert.equal((await listRoleAssignments(online, { role: 'Reader', assignee: appId })).length, 0);

    await deleteRoleAssignment(offline, { assignee: appId, scope });
    assert.deepEqual(await listRoleAssignments(online, { assignee: appId }), []);
  });

  test('errors keep their messages and exit codes, nothing created', async () => {
    const cases: Array<[string, () => Promise<unknown>, number, RegExp]> = [
      [
        'unknown role',
        () => createRoleAssignment(offline, { role: 'Cluster Wizard', assignee: appId, scope: sub }),
        EXIT.invalidInput,
        /Role 'Cluster Wizard' doesn't exist\. Built-in roles: .*'AcrPull'/,
      ],
      [
        'unknown assignee',
        () =>
          createRoleAssignment(online, {
            role: 'Reader',
            assignee: '00000000-0000-0000-0000-00000000abcd',
            scope: sub,
          }),
        EXIT.invalidInput,
        /Cannot find a service principal or group/,
      ],
      [
        'scope outside the subscription',
        () =>
          createRoleAssignment(online, {
            role: 'Reader',
            assignee: appId,
            scope: '/subscriptions/00000000-0000-0000-0000-000000000001',
          }),
        EXIT.invalidInput,
        /this tenant's subscription is/,
      ],
      [
        'a cluster that does not exist (the API says so)',
        () =>
          createRoleAssignment(online, {
            role: AKS_ADMIN,
            assignee: appId,
            scope: `${sub}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/ghost`,
          }),
        EXIT.invalidInput,
        /no cluster 'ghost'.*\(InvalidScope\)/,
      ],
      [
        'delete of an id that is not there',
        () =>
          deleteRoleAssignment(online, {
            ids: [
              `${sub}/providers/Microsoft.Authorization/roleAssignments/00000000-0000-0000-0000-000000000002`,
            ],
          }),
        EXIT.notFound,
        /not found|does not exist/i,
      ],
      ['delete without a filter', () => deleteRoleAssignment(online, {}), EXIT.invalidInput, /give --ids/],
    ];
    for (const [label, act, exit, message] of cases) {
      const error = await act().then(
        () => assert.fail(`${label}: succeeded`),
        (caught: unknown) => caught,
      );
      assert.equal(exitCodeFor(error), exit, `${label}: ${String(error)}`);
      assert.match(String((error as Error).message), message, label);
    }
    assert.deepEqual(
      await x.credless.store.listRoleAssignments(x.credless.tenantId, { principalIds: [spId] }),
      [],
    );
  });

  test('a federated login acts with its own ARM token: refused until it is User Access Administrator', async () => {
    const subject = 'repo:credless/roles:environment:admin';
    const deployer = await createWorkloadScenario(x.credless, {
      displayName: 'role-deployer',
      issuer: x.issuer.issuer,
      subject,
      graphRoles: ['Application.Read.All', 'Group.Read.All'],
    });
    const configDir = join(x.dir, 'federated');
    await login({
      servicePrincipal: true,
      username: deployer.appId,
      tenant: x.credless.tenantId,
      federatedToken: await x.federatedToken(subject),
      authority: x.credless.url,
      dataDir: x.credless.dataDir,
      configDir,
      env: {},
    });
    const api = await openGraphApi({ configDir });
    assert.ok(api);
    const scope = `${sub}/resourceGroups/rg-federated`;
    const refused = await createRoleAssignment(api, { role: 'AcrPull', assignee: appId, scope }).catch(
      (e: Error) => e,
    );
    assert.ok(refused instanceof Error);
    assert.match(refused.message, /AuthorizationFailed/);
    assert.equal(exitCodeFor(refused), EXIT.failure);

    const deployerSp = await x.credless.store.getServicePrincipalByAppId(x.credless.tenantId, deployer.appId);
    await createRoleAssignment(offline, {
      role: 'User Access Administrator',
      assignee: deployerSp?.id as string,
      scope: sub,
    });
    const created = await createRoleAssignment(api, { role: 'AcrPull', assignee: appId, scope });
    assert.equal(created.roleDefinitionName, 'AcrPull');
    await deleteRoleAssignment(api, { ids: [created.id] });
  });
});
