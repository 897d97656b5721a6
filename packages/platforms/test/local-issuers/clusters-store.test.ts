/** Cluster records and emulated-issuer keys in the store (migration 0008), on SQLite and PostgreSQL. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createLocalCluster, findClusterById } from '../../src/local-issuers/clusters.ts';
import {
  generateIssuerSigningKey,
  importIssuerPrivateKey,
} from '../../src/local-issuers/issuer-signing-key.ts';
import { describeEachStore } from '../support/store-suite.ts';

const BASE = 'https://localhost:8443';
const kek = new Uint8Array(randomBytes(32));

await describeEachStore('local clusters', (target) => {
  async function setup() {
    const store = await target.openStore();
    const tenant = await store.createTenant({ defaultDomain: 'contoso.test', displayName: 'Contoso' });
    return { store, tenantId: tenant.id };
  }

  test('create, show (names case-insensitive), list by resource group, find by issuer and id, delete', async () => {
    const { store, tenantId } = await setup();
    const version = await store.getDirectoryVersion();
    const { cluster, created } = await createLocalCluster(
      { store, kek },
      { tenantId, baseUrl: BASE, resourceGroup: 'rg-dev', name: 'dev-aks', enableWorkloadIdentity: true },
    );
    assert.equal(created, true);
    assert.ok((await store.getDirectoryVersion()) > version, 'a directory write (replicas hear of it)');
    await createLocalCluster(
      { store, kek },
      { tenantId, baseUrl: BASE, resourceGroup: 'rg-other', name: 'b' },
    );

    const shown = await store.getCluster(tenantId, 'RG-DEV', 'DEV-AKS');
    assert.deepEqual(shown, cluster);
    assert.deepEqual(await store.findClusterByIssuer(cluster.issuerUrl), cluster);
    assert.deepEqual(await findClusterById(store, cluster.id.toUpperCase()), cluster);
    assert.deepEqual(
      (await store.listClusters(tenantId, 'rg-dev')).map((c) => c.name),
      ['dev-aks'],
    );
    assert.equal((await store.listClusters(tenantId)).length, 2);

    // The stored private key decrypts with the KEK and only with it.
    await importIssuerPrivateKey(cluster.signingKey, kek);
    await assert.rejects(
      importIssuerPrivateKey(cluster.signingKey, new Uint8Array(32)),
      /key-encryption key/,
    );

    await store.deleteCluster(tenantId, 'rg-dev', 'dev-aks');
    assert.equal(await store.getCluster(tenantId, 'rg-dev', 'dev-aks'), undefined);
    assert.equal(await store.findClusterByIssuer(cluster.issuerUrl), undefined);
    await assert.rejects(store.deleteCluster(tenantId, 'rg-dev', 'dev-aks'), { code: 'not_found' });
  });

  test('creating again is idempotent and only switches features on', async () => {
    const { store, tenantId } = await setup();
    const first = await createLocalCluster(
      { store, kek },
      { tenantId, baseUrl: BASE, resourceGroup: 'rg', name: 'c' },
    );
    assert.equal(first.cluster.workloadIdentityEnabled, false);
    const second = await createLocalCluster(
      { store, kek },
      { tenantId, baseUrl: BASE, resourceGroup: 'rg', name: 'c', enableWorkloadIdentity: true },
    );
    assert.equal(second.created, false);
    assert.equal(second.cluster.workloadIdentityEnabled, true);
    assert.equal(second.cluster.signingKey.kid, first.cluster.signingKey.kid);
    assert.equal(second.cluster.issuerUrl, first.cluster.issuerUrl);
    const third = await createLocalCluster(
      { store, kek },
      { tenantId, baseUrl: BASE, resourceGroup: 'rg', name: 'c' },
    );
    assert.equal(third.cluster.workloadIdentityEnabled, true);
  });

  test('invalid names are refused', async () => {
    const { store, tenantId } = await setup();
    for (const [resourceGroup, name] of [
      ['rg', '-bad'],
      ['rg', 'a'.repeat(64)],
      ['rg/x', 'ok'],
    ] as const) {
      await assert.rejects(
        createLocalCluster({ store, kek }, { tenantId, baseUrl: BASE, resourceGroup, name }),
        { code: 'invalid_value' },
      );
    }
  });

  test('an emulated issuer keeps the first key stored, even when several race', async () => {
    const { store } = await setup();
    assert.equal(await store.getEmulatedIssuerKey('github-actions'), undefined);
    const keys = await Promise.all([1, 2, 3].map(() => generateIssuerSigningKey(kek, Date.now())));
    const stored = await Promise.all(keys.map((key) => store.insertEmulatedIssuerKey('github-actions', key)));
    assert.equal(new Set(stored.map((key) => key.kid)).size, 1);
    assert.deepEqual(await store.getEmulatedIssuerKey('github-actions'), stored[0]);
  });
});
