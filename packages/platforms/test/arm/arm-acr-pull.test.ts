/**
 * `az aks update --attach-acr`, as az carries it out and as people do it by hand: an Azure RBAC AcrPull role
 * assignment for the kubelet identity on the registry's scope. Image pulls are checked by the registry
 * application's app-role assignment, so the assignment must reach it — and its deletion must take it away.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_PULL_ROLE_ID } from '../../src/index.ts';
import { ACR, AKS, type ArmFixture, createBody, startArmFixture } from './arm-fixture.ts';

const AUTHORIZATION = 'api-version=2022-04-01';
const ASSIGNMENT = '5d2b0c3e-6f0a-4c55-9f5e-0a1b2c3d4e5f';

describe('ARM AcrPull role assignments', () => {
  let f: ArmFixture;
  before(async () => {
    f = await startArmFixture();
  });
  after(() => f?.close());

  test('an AcrPull assignment on a registry lets the principal pull; deleting it stops that', async () => {
    const cluster = await f.arm('PUT', `${f.cluster('rg-aks', 'pull-aks')}?${AKS}`, f.admin, createBody());
    assert.equal(cluster.status, 201, JSON.stringify(cluster.body));
    await f.pollOperation(String(cluster.headers['azure-asyncoperation']));
    const shown = await f.arm('GET', `${f.cluster('rg-aks', 'pull-aks')}?${AKS}`, f.admin);
    const kubelet: string = shown.body.properties.identityProfile.kubeletidentity.objectId;
    const registry = f.registry('rg-aks', 'pullacr01');
    const made = await f.arm('PUT', `${registry}?${ACR}`, f.admin, {
      location: 'westeurope',
      sku: { name: 'Basic' },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));

    const store = f.stack.credless.store;
    const pulls = async () => {
      const registryApp = (await store.listApplications(f.tid)).find((app) =>
        app.identifierUris.includes('https://pullacr01.azurecr.io'),
      );
      assert.ok(registryApp);
      const registryPrincipal = await store.getServicePrincipalByAppId(f.tid, registryApp.appId);
      return (await store.listAppRoleAssignmentsByPrincipal(f.tid, kubelet)).filter(
        (a) => a.resourceId === registryPrincipal?.id && a.appRoleId === ACR_PULL_ROLE_ID,
      ).length;
    };
    assert.equal(await pulls(), 0, 'no pull before the assignment');

    const assignment = `${registry}/providers/Microsoft.Authorization/roleAssignments/${ASSIGNMENT}?${AUTHORIZATION}`;
    const body = {
      properties: {
        roleDefinitionId: `${f.sub}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL_ROLE_ID}`,
        principalId: kubelet,
        principalType: 'ServicePrincipal',
      },
    };
    const assigned = await f.arm('PUT', assignment, f.admin, body);
    assert.equal(assigned.status, 201, JSON.stringify(assigned.body));
    assert.equal(await pulls(), 1, 'the AcrPull assignment reaches the registry');
    const again = await f.arm('PUT', assignment, f.admin, body);
    assert.equal(again.status, 201, JSON.stringify(again.body));
    assert.equal(await pulls(), 1, 'idempotent');

    const deleted = await f.arm('DELETE', assignment, f.admin);
    assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
    assert.equal(await pulls(), 0, 'deleting the assignment takes the pull away');
  });
});
