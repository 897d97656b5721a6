/**
 * `az group delete` on a server without the local platforms: the group's cluster records (and their
 * role assignments) go with it, other groups' stay; a refused or unknown delete changes nothing.
 * (With the platforms, the same delete stops the clusters' runtimes: packages/platforms/test/arm.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ClusterRecord } from '../../src/index.ts';
import { type ArmFixture, startArmFixture } from './arm-fixture.ts';

const API = 'api-version=2021-04-01';

describe('ARM resource group delete takes its clusters', () => {
  let x: ArmFixture;
  before(async () => {
    x = await startArmFixture();
  });
  after(() => x.close());

  const record = (group: string, name: string): ClusterRecord => ({
    id: `${x.sub}/resourceGroups/${group}/providers/Microsoft.ContainerService/managedClusters/${name}`,
    tenantId: x.tid,
    subscriptionId: x.tid,
    resourceGroup: group,
    name,
    location: 'westeurope',
    issuerGuid: name,
    issuerUrl: `https://localhost/issuers/${name}/`,
    oidcIssuerEnabled: false,
    workloadIdentityEnabled: false,
    signingKey: {
      kid: `k-${name}`,
      publicJwk: { kty: 'RSA', n: `n-${name}`, e: 'AQAB' },
      encryptedPrivateKey: 'eyJ.enc.jwe',
      createdAt: new Date(),
    },
    createdAt: new Date(),
  });

  test('the group’s clusters and their role assignments go; a Reader’s delete and an unknown group change nothing', async () => {
    const store = x.f.credless.store;
    for (const group of ['rg-gone', 'rg-stays']) {
      const made = await x.arm('PUT', `${x.sub}/resourcegroups/${group}?${API}`, x.admin, {
        location: 'westeurope',
      });
      assert.equal(made.status, 201);
    }
    const gone = (await store.createCluster(record('rg-gone', 'c1'))).cluster;
    await store.createCluster(record('rg-stays', 'c2'));
    // Made by `credless cluster create` in a group ARM never created.
    await store.createCluster(record('rg-never', 'c3'));
    const reader = await x.workload();
    await x.assign(reader.oid, 'Reader', `${x.sub}/resourceGroups/rg-gone`);
    await x.assign(reader.oid, 'Contributor', gone.id);

    const refused = await x.arm('DELETE', `${x.sub}/resourcegroups/rg-gone?${API}`, reader.token);
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'AuthorizationFailed');
    assert.ok(await store.getCluster(x.tid, 'rg-gone', 'c1'));

    const unknown = await x.arm('DELETE', `${x.sub}/resourcegroups/rg-never?${API}`, x.admin);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'ResourceGroupNotFound');
    assert.ok(await store.getCluster(x.tid, 'rg-never', 'c3'));

    const deleted = await x.arm('DELETE', `${x.sub}/resourcegroups/RG-GONE?${API}`, x.admin);
    assert.equal(deleted.status, 202, JSON.stringify(deleted.body));
    assert.equal(await store.getCluster(x.tid, 'rg-gone', 'c1'), undefined);
    assert.ok(await store.getCluster(x.tid, 'rg-stays', 'c2'));
    assert.deepEqual(
      (await x.stored(reader.oid)).filter((assignment) => assignment.includes('rg-gone')),
      [],
      'the role assignments at and under the group went with it',
    );
  });
});
