/**
 * Managed clusters on credless's Resource Manager, by inject on a real credless with the local
 * platforms plugged in (what `az aks` calls): AKS's wire shape, PUT and DELETE as long-running
 * operations polled to Succeeded, the kubeconfig listClusterUserCredential returns, provider reads and
 * the generic resource list, and authorization by Azure RBAC role assignments.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AKS_SERVER_APP_ID } from '@credless/core';
import { parse } from 'yaml';
import { kubeletIdentifierUri } from '../../src/index.ts';
import { ACR, AKS, ARM, type ArmFixture, createBody, GROUPS, startArmFixture } from './arm-fixture.ts';

describe('ARM managed clusters', () => {
  let f: ArmFixture;
  before(async () => {
    f = await startArmFixture();
  });
  after(() => f?.close());

  test('az aks create: 201 + Azure-AsyncOperation polled to Succeeded; show, list, create again', async () => {
    const created = await f.arm('PUT', `${f.cluster('rg-aks', 'dev-aks')}?${AKS}`, f.admin, createBody());
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.headers['retry-after'], '1');
    const operationUrl = new URL(String(created.headers['azure-asyncoperation']));
    assert.equal(operationUrl.host, ARM);
    assert.match(
      operationUrl.pathname,
      new RegExp(
        `^${f.sub}/providers/Microsoft.ContainerService/locations/westeurope/operations/[A-Za-z0-9_-]+$`,
      ),
    );
    const { seen, last } = await f.pollOperation(String(created.headers['azure-asyncoperation']));
    assert.equal(seen.at(-1), 'Succeeded', seen.join(' → '));
    assert.ok(last.startTime && last.endTime && last.name);
    console.log(`# create operation statuses: ${seen.join(' → ')}`);

    const shown = await f.arm('GET', `${f.cluster('rg-aks', 'dev-aks')}?${AKS}`, f.admin);
    assert.equal(shown.status, 200);
    const props = shown.body.properties;
    assert.equal(shown.body.id, f.cluster('rg-aks', 'dev-aks'));
    assert.equal(shown.body.type, 'Microsoft.ContainerService/managedClusters');
    assert.equal(shown.body.location, 'westeurope');
    assert.equal(props.provisioningState, 'Succeeded');
    assert.equal(props.oidcIssuerProfile.enabled, true);
    assert.ok(
      props.oidcIssuerProfile.issuerURL.startsWith(`${f.stack.credless.url}/`),
      props.oidcIssuerProfile.issuerURL,
    );
    assert.deepEqual(props.securityProfile, { workloadIdentity: { enabled: true } });
    assert.equal(props.enableRBAC, true);
    assert.deepEqual(props.aadProfile, {
      managed: true,
      enableAzureRBAC: true,
      tenantID: f.tid,
      adminGroupObjectIDs: [],
    });
    // The kubelet identity exists with the cluster: the application `attach-acr` gives AcrPull.
    const stored = await f.stack.credless.store.getCluster(f.tid, 'rg-aks', 'dev-aks');
    assert.ok(stored);
    assert.equal(props.oidcIssuerProfile.issuerURL, stored.issuerUrl);
    const kubeletApp = await f.stack.credless.store.findApplicationByIdentifier(
      f.tid,
      kubeletIdentifierUri(stored),
    );
    assert.ok(kubeletApp);
    const kubeletSp = await f.stack.credless.store.getServicePrincipalByAppId(f.tid, kubeletApp.appId);
    assert.deepEqual(props.identityProfile.kubeletidentity, {
      clientId: kubeletApp.appId,
      objectId: kubeletSp?.id,
      resourceId: kubeletApp.id,
    });

    // ARM compares paths case-insensitively: the same cluster in another casing of its path.
    const lower = f.cluster('RG-AKS', 'DEV-AKS').toLowerCase();
    const other = await f.arm('GET', `${lower}?${AKS}`, f.admin);
    assert.equal(other.status, 200, JSON.stringify(other.body));
    assert.deepEqual(other.body, shown.body);

    // PUT again (what `az aks update` does): 200, the same cluster and issuer.
    const again = await f.arm('PUT', `${f.cluster('RG-AKS', 'dev-aks')}?${AKS}`, f.admin, shown.body);
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.properties.oidcIssuerProfile.issuerURL, props.oidcIssuerProfile.issuerURL);
    assert.equal(
      (await f.pollOperation(String(again.headers['azure-asyncoperation']))).seen.at(-1),
      'Succeeded',
    );

    for (const url of [
      `${f.sub}/providers/Microsoft.ContainerService/managedClusters?${AKS}`,
      `${f.sub}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters?${AKS}`,
    ]) {
      const listed = await f.arm('GET', url, f.admin);
      assert.equal(listed.status, 200);
      assert.deepEqual(
        listed.body.value.map((c: { name: string }) => c.name),
        ['dev-aks'],
      );
    }
    const empty = await f.arm(
      'GET',
      `${f.sub}/resourceGroups/rg-other/providers/Microsoft.ContainerService/managedClusters?${AKS}`,
      f.admin,
    );
    assert.deepEqual(empty.body, { value: [] });
  });

  test('az aks get-credentials: listClusterUserCredential/AdminCredential return the kubeconfig credless writes', async () => {
    for (const [action, user] of [
      ['listClusterUserCredential', 'clusterUser'],
      ['listClusterAdminCredential', 'clusterAdmin'],
    ] as const) {
      const answer = await f.arm('POST', `${f.cluster('rg-aks', 'dev-aks', `/${action}`)}?${AKS}`, f.admin);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const [entry] = answer.body.kubeconfigs;
      assert.equal(entry.name, user);
      const config = parse(Buffer.from(entry.value, 'base64').toString('utf8'));
      assert.equal(config['current-context'], 'dev-aks');
      const server = new URL(config.clusters[0].cluster.server);
      assert.equal(server.hostname, new URL(f.stack.credless.url).hostname);
      assert.equal(
        Number(server.port),
        await f.stack.credless.store.getClusterApiPort(f.cluster('rg-aks', 'dev-aks')),
      );
      assert.equal(
        Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString(),
        f.stack.credless.caCertPem,
      );
      assert.equal(config.users[0].name, `${user}_rg-aks_dev-aks`);
      const args: string[] = config.users[0].user.exec.args;
      assert.equal(args[args.indexOf('--server-id') + 1], AKS_SERVER_APP_ID);
      assert.equal(args[args.indexOf('--tenant-id') + 1], f.tid);
    }
  });

  test('provider reads and the generic resource list az uses to find a registry by name', async () => {
    const provider = await f.arm('GET', `${f.sub}/providers/Microsoft.ContainerService?${GROUPS}`, f.admin);
    assert.equal(provider.status, 200);
    assert.equal(provider.body.registrationState, 'Registered');
    const types = provider.body.resourceTypes.map((t: { resourceType: string }) => t.resourceType);
    assert.ok(types.includes('managedClusters'));
    assert.ok(provider.body.resourceTypes[0].apiVersions.includes('2022-11-01'));
    const registered = await f.arm(
      'POST',
      `${f.sub}/providers/microsoft.containerregistry/register?${GROUPS}`,
      f.admin,
    );
    assert.equal(registered.body.namespace, 'Microsoft.ContainerRegistry');
    const all = await f.arm('GET', `${f.sub}/providers?${GROUPS}`, f.admin);
    assert.deepEqual(
      all.body.value.map((p: { namespace: string }) => p.namespace),
      ['Microsoft.ContainerService', 'Microsoft.ContainerRegistry'],
    );
    const filter = encodeURIComponent("resourceType eq 'Microsoft.ContainerService/managedClusters'");
    const found = await f.arm('GET', `${f.sub}/resources?$filter=${filter}&${GROUPS}`, f.admin);
    assert.deepEqual(
      found.body.value.map((r: { id: string }) => r.id),
      [f.cluster('rg-aks', 'dev-aks')],
    );
  });

  test('authorization: nothing without a role; Reader reads; Contributor at the cluster’s scope gets credentials', async () => {
    const acr = { location: 'westeurope', sku: { name: 'Basic' } };
    assert.equal(
      (await f.arm('PUT', `${f.registry('rg-aks', 'devacr01')}?${ACR}`, f.admin, acr)).status,
      201,
    );
    const nobody = await f.workload();
    const put = await f.arm('PUT', `${f.cluster('rg-aks', 'nobodys')}?${AKS}`, nobody.token, createBody());
    assert.equal(put.status, 403);
    assert.equal(put.body.error.code, 'AuthorizationFailed');
    assert.match(put.body.error.message, /Microsoft\.ContainerService\/managedClusters\/write/);
    assert.equal((await f.arm('GET', `${f.cluster('rg-aks', 'nobodys')}?${AKS}`, f.admin)).status, 404);
    assert.equal((await f.arm('GET', `${f.cluster('rg-aks', 'dev-aks')}?${AKS}`, nobody.token)).status, 403);
    assert.deepEqual(
      (
        await f.arm(
          'GET',
          `${f.sub}/providers/Microsoft.ContainerService/managedClusters?${AKS}`,
          nobody.token,
        )
      ).body,
      { value: [] },
    );
    assert.equal(
      (
        await f.arm(
          'POST',
          `${f.cluster('rg-aks', 'dev-aks', '/listClusterUserCredential')}?${AKS}`,
          nobody.token,
        )
      ).status,
      403,
    );
    assert.equal(
      (
        await f.arm('PUT', `${f.registry('rg-aks', 'nobodyacr')}?${ACR}`, nobody.token, {
          location: 'westeurope',
          sku: { name: 'Basic' },
        })
      ).status,
      403,
    );

    const reader = await f.workload();
    await f.assign(reader.oid, 'Reader', `${f.sub}/resourceGroups/rg-aks`);
    assert.equal((await f.arm('GET', `${f.cluster('rg-aks', 'dev-aks')}?${AKS}`, reader.token)).status, 200);
    assert.equal(
      (await f.arm('GET', `${f.registry('rg-aks', 'devacr01')}?${ACR}`, reader.token)).status,
      200,
    );
    assert.equal(
      (
        await f.arm(
          'POST',
          `${f.cluster('rg-aks', 'dev-aks', '/listClusterUserCredential')}?${AKS}`,
          reader.token,
        )
      ).status,
      403,
    );
    assert.equal(
      (await f.arm('DELETE', `${f.cluster('rg-aks', 'dev-aks')}?${AKS}`, reader.token)).status,
      403,
    );

    const contributor = await f.workload();
    await f.assign(contributor.oid, 'Contributor', f.cluster('rg-aks', 'dev-aks'));
    assert.equal(
      (
        await f.arm(
          'POST',
          `${f.cluster('rg-aks', 'dev-aks', '/listClusterUserCredential')}?${AKS}`,
          contributor.token,
        )
      ).status,
      200,
    );
    const listed = await f.arm(
      'GET',
      `${f.sub}/providers/Microsoft.ContainerService/managedClusters?${AKS}`,
      contributor.token,
    );
    assert.deepEqual(
      listed.body.value.map((c: { name: string }) => c.name),
      ['dev-aks'],
    );
  });

  test('az aks delete: 202 + Azure-AsyncOperation polled to Succeeded; the kubelet identity goes too; again: 204', async () => {
    const stored = await f.stack.credless.store.getCluster(f.tid, 'rg-aks', 'dev-aks');
    assert.ok(stored);
    const deleted = await f.arm('DELETE', `${f.cluster('rg-aks', 'dev-aks')}?${AKS}`, f.admin);
    assert.equal(deleted.status, 202, JSON.stringify(deleted.body));
    assert.match(String(deleted.headers.location), /\/operationresults\//);
    assert.equal(
      (await f.pollOperation(String(deleted.headers['azure-asyncoperation']))).seen.at(-1),
      'Succeeded',
    );
    const location = new URL(String(deleted.headers.location));
    assert.equal((await f.arm('GET', `${location.pathname}${location.search}`, f.admin)).status, 204);
    assert.equal(
      (await f.arm('GET', `${f.cluster('rg-aks', 'dev-aks')}?${AKS}`, f.admin)).body.error.code,
      'ResourceNotFound',
    );
    assert.equal(
      await f.stack.credless.store.findApplicationByIdentifier(f.tid, kubeletIdentifierUri(stored)),
      undefined,
    );
    assert.equal((await f.arm('DELETE', `${f.cluster('rg-aks', 'dev-aks')}?${AKS}`, f.admin)).status, 204);
    assert.equal(
      (await f.arm('DELETE', `${f.cluster('rg-missing', 'dev-aks')}?${AKS}`, f.admin)).body.error.code,
      'ResourceGroupNotFound',
    );
  });
});
