/**
 * Registries on credless's Resource Manager (what `az acr create/list/show` call), backed by credless's
 * registries (directory applications): ACR's wire shape, the name check, placement of a registry made
 * by `credless acr create`, and `az acr build`'s first call refused with a message naming `credless acr build`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRegistry } from '../../src/index.ts';
import { ACR, type ArmFixture, GROUPS, startArmFixture } from './arm-fixture.ts';

describe('ARM registries', () => {
  let f: ArmFixture;
  before(async () => {
    f = await startArmFixture();
  });
  after(() => f?.close());

  test('az acr create/show/list; a `credless acr create` registry is placed by its first PUT; az acr build is refused', async () => {
    const available = await f.arm(
      'POST',
      `${f.sub}/providers/Microsoft.ContainerRegistry/checkNameAvailability?${ACR}`,
      f.admin,
      { name: 'devacr01', type: 'Microsoft.ContainerRegistry/registries' },
    );
    assert.deepEqual(available.body, { nameAvailable: true });
    const created = await f.arm('PUT', `${f.registry('rg-aks', 'devacr01')}?${ACR}`, f.admin, {
      location: 'westeurope',
      sku: { name: 'Basic' },
      properties: { adminUserEnabled: false },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.properties.loginServer, 'devacr01.azurecr.io');
    assert.equal(created.body.properties.provisioningState, 'Succeeded');
    assert.equal(
      (
        await f.arm('PUT', `${f.registry('rg-aks', 'devacr01')}?${ACR}`, f.admin, {
          location: 'westeurope',
          sku: { name: 'Basic' },
        })
      ).status,
      200,
    );
    const shown = await f.arm('GET', `${f.registry('rg-aks', 'DEVACR01')}?${ACR}`, f.admin);
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.body, created.body);
    const lower = await f.arm('GET', `${f.registry('rg-aks', 'devacr01').toLowerCase()}?${ACR}`, f.admin);
    assert.deepEqual(lower.body, created.body);
    const taken = await f.arm(
      'POST',
      `${f.sub}/providers/Microsoft.ContainerRegistry/checkNameAvailability?${ACR}`,
      f.admin,
      { name: 'devacr01', type: 'Microsoft.ContainerRegistry/registries' },
    );
    assert.equal(taken.body.nameAvailable, false);
    assert.equal(taken.body.reason, 'AlreadyExists');

    // One made by credless's own CLI: listed unplaced, then placed in the group a PUT names.
    await createRegistry({ store: f.stack.credless.store, tenantId: f.tid }, 'cliacr01');
    const listed = await f.arm(
      'GET',
      `${f.sub}/providers/Microsoft.ContainerRegistry/registries?${ACR}`,
      f.admin,
    );
    assert.deepEqual(
      listed.body.value.map((r: { id: string }) => r.id),
      [f.registry('credless-registries', 'cliacr01'), f.registry('rg-aks', 'devacr01')],
    );
    const placed = await f.arm('PUT', `${f.registry('rg-other', 'cliacr01')}?${ACR}`, f.admin, {
      location: 'northeurope',
      sku: { name: 'standard' },
    });
    assert.equal(placed.status, 200, JSON.stringify(placed.body));
    assert.deepEqual([placed.body.location, placed.body.sku.name], ['northeurope', 'Standard']);
    const inGroup = await f.arm(
      'GET',
      `${f.sub}/resourceGroups/rg-other/providers/Microsoft.ContainerRegistry/registries?${ACR}`,
      f.admin,
    );
    assert.deepEqual(
      inGroup.body.value.map((r: { name: string }) => r.name),
      ['cliacr01'],
    );
    // The token service still resolves the registry by its login server.
    const app = await f.stack.credless.store.findApplicationByIdentifier(
      f.tid,
      'https://cliacr01.azurecr.io',
    );
    assert.equal(app?.identifierUris[0], 'https://cliacr01.azurecr.io');

    const filter = encodeURIComponent(
      "resourceType eq 'Microsoft.ContainerRegistry/registries' and name eq 'DEVACR01'",
    );
    const byName = await f.arm('GET', `${f.sub}/resources?$filter=${filter}&${GROUPS}`, f.admin);
    assert.deepEqual(
      byName.body.value.map((r: { id: string }) => r.id),
      [f.registry('rg-aks', 'devacr01')],
    );

    const build = await f.arm(
      'POST',
      `${f.registry('rg-aks', 'devacr01', '/listBuildSourceUploadUrl')}?api-version=2019-06-01-preview`,
      f.admin,
    );
    assert.equal(build.status, 400);
    assert.equal(build.body.error.code, 'FeatureNotSupported');
    assert.match(build.body.error.message, /no Azure Blob storage/);
    assert.match(build.body.error.message, /credless acr build --registry devacr01/);
  });
});
