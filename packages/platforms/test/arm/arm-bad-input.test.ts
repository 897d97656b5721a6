/**
 * Bad input to the managed clusters, registries, providers and operations of credless's Resource
 * Manager: each answer is the real service's error code in ARM's `{"error":{"code","message"}}` with
 * `x-ms-request-id`, and nothing is created or changed (clusters, registries, applications).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ACR, AKS, type ArmFixture, createBody, GROUPS, startArmFixture } from './arm-fixture.ts';

describe('ARM managed clusters and registries: bad input', () => {
  let f: ArmFixture;
  before(async () => {
    f = await startArmFixture();
    // What the cases change or collide with: a cluster and a registry in rg-aks.
    const made = await f.arm('PUT', `${f.cluster('rg-aks', 'dev-aks')}?${AKS}`, f.admin, createBody());
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const acr = { location: 'westeurope', sku: { name: 'Basic' } };
    assert.equal(
      (await f.arm('PUT', `${f.registry('rg-aks', 'devacr01')}?${ACR}`, f.admin, acr)).status,
      201,
    );
  });
  after(() => f?.close());

  const bad: Array<{
    name: string;
    method: string;
    url: () => string;
    body?: unknown;
    status: number;
    code: string;
  }> = [
    {
      name: 'unknown api-version',
      method: 'PUT',
      url: () => `${f.cluster('rg-aks', 'x1')}?api-version=2099-01-01`,
      body: createBody(),
      status: 400,
      code: 'NoRegisteredProviderFound',
    },
    {
      name: 'a resource groups api-version on a cluster',
      method: 'GET',
      url: () => `${f.cluster('rg-aks', 'dev-aks')}?${GROUPS}`,
      status: 400,
      code: 'NoRegisteredProviderFound',
    },
    {
      name: 'no api-version',
      method: 'PUT',
      url: () => f.cluster('rg-aks', 'x1'),
      body: createBody(),
      status: 400,
      code: 'MissingApiVersionParameter',
    },
    {
      name: 'an operation id that is not one',
      method: 'GET',
      url: () =>
        `${f.sub}/providers/Microsoft.ContainerService/locations/westeurope/operations/bm90LWFuLW9wZXJhdGlvbi1pZA?${AKS}`,
      status: 404,
      code: 'OperationNotFound',
    },
    {
      name: 'another subscription’s operation id',
      method: 'GET',
      url: () =>
        `${f.sub}/providers/Microsoft.ContainerService/locations/westeurope/operations/${Buffer.from(JSON.stringify({ k: 'create', r: `/subscriptions/${randomUUID()}/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/c`, t: 1 })).toString('base64url')}?${AKS}`,
      status: 404,
      code: 'OperationNotFound',
    },
    {
      name: 'a cluster in a group that does not exist',
      method: 'PUT',
      url: () => `${f.cluster('rg-missing', 'x1')}?${AKS}`,
      body: createBody(),
      status: 404,
      code: 'ResourceGroupNotFound',
    },
    {
      name: 'an invalid cluster name',
      method: 'PUT',
      url: () => `${f.cluster('rg-aks', '-x1')}?${AKS}`,
      body: createBody(),
      status: 400,
      code: 'InvalidResourceName',
    },
    {
      name: 'a cluster without location',
      method: 'PUT',
      url: () => `${f.cluster('rg-aks', 'x1')}?${AKS}`,
      body: { properties: {} },
      status: 400,
      code: 'LocationRequired',
    },
    {
      name: 'an unknown location',
      method: 'PUT',
      url: () => `${f.cluster('rg-aks', 'x1')}?${AKS}`,
      body: { ...createBody(), location: 'atlantis' },
      status: 400,
      code: 'LocationNotAvailableForResourceGroup',
    },
    {
      name: 'workload identity without the OIDC issuer',
      method: 'PUT',
      url: () => `${f.cluster('rg-aks', 'x1')}?${AKS}`,
      body: createBody({ oidcIssuerProfile: { enabled: false } }),
      status: 400,
      code: 'InvalidParameter',
    },
    {
      name: 'an existing cluster moved to another location',
      method: 'PUT',
      url: () => `${f.cluster('rg-aks', 'dev-aks')}?${AKS}`,
      body: { ...createBody(), location: 'eastus' },
      status: 409,
      code: 'InvalidResourceLocation',
    },
    {
      name: 'the OIDC issuer switched off',
      method: 'PUT',
      url: () => `${f.cluster('rg-aks', 'dev-aks')}?${AKS}`,
      body: createBody({ oidcIssuerProfile: { enabled: false }, securityProfile: {} }),
      status: 400,
      code: 'InvalidParameter',
    },
    {
      name: 'malformed JSON',
      method: 'PUT',
      url: () => `${f.cluster('rg-aks', 'x1')}?${AKS}`,
      body: '{"location":',
      status: 400,
      code: 'InvalidRequestContent',
    },
    {
      name: 'properties that are not an object',
      method: 'PUT',
      url: () => `${f.cluster('rg-aks', 'x1')}?${AKS}`,
      body: { location: 'westeurope', properties: [] },
      status: 400,
      code: 'InvalidRequestContent',
    },
    {
      name: 'show a cluster that does not exist',
      method: 'GET',
      url: () => `${f.cluster('rg-aks', 'nope')}?${AKS}`,
      status: 404,
      code: 'ResourceNotFound',
    },
    {
      name: 'credentials of a cluster that does not exist',
      method: 'POST',
      url: () => `${f.cluster('rg-aks', 'nope', '/listClusterUserCredential')}?${AKS}`,
      status: 404,
      code: 'ResourceNotFound',
    },
    {
      name: 'an invalid registry name',
      method: 'PUT',
      url: () => `${f.registry('rg-aks', 'ab')}?${ACR}`,
      body: { location: 'westeurope', sku: { name: 'Basic' } },
      status: 400,
      code: 'InvalidResourceName',
    },
    {
      name: 'a registry name taken in another group',
      method: 'PUT',
      url: () => `${f.registry('rg-other', 'devacr01')}?${ACR}`,
      body: { location: 'westeurope', sku: { name: 'Basic' } },
      status: 409,
      code: 'AlreadyInUse',
    },
    {
      name: 'an unknown registry sku',
      method: 'PUT',
      url: () => `${f.registry('rg-aks', 'newacr01')}?${ACR}`,
      body: { location: 'westeurope', sku: { name: 'Gold' } },
      status: 400,
      code: 'InvalidParameter',
    },
    {
      name: 'a registry f.admin user',
      method: 'PUT',
      url: () => `${f.registry('rg-aks', 'newacr01')}?${ACR}`,
      body: { location: 'westeurope', sku: { name: 'Basic' }, properties: { adminUserEnabled: true } },
      status: 400,
      code: 'InvalidParameter',
    },
    {
      name: 'an unknown provider namespace',
      method: 'GET',
      url: () => `${f.sub}/providers/Microsoft.Nope?${GROUPS}`,
      status: 404,
      code: 'InvalidResourceNamespace',
    },
    {
      name: 'an unsupported resource filter',
      method: 'GET',
      url: () => `${f.sub}/resources?$filter=${encodeURIComponent("tagName eq 'x'")}&${GROUPS}`,
      status: 400,
      code: 'InvalidParameter',
    },
    {
      name: 'an action managed clusters do not have (any casing)',
      method: 'POST',
      url: () => `${f.cluster('rg-aks', 'dev-aks', '/rotateEverything').toLowerCase()}?${AKS}`,
      status: 404,
      code: 'InvalidResourceType',
    },
  ];
  for (const c of bad) {
    test(`bad input: ${c.name} → ${c.status} ${c.code}`, async () => {
      const snapshot = async () => ({
        clusters: (await f.stack.credless.store.listClusters(f.tid)).map((x) => [
          x.id,
          x.location,
          x.oidcIssuerEnabled,
          x.workloadIdentityEnabled,
        ]),
        registries: (
          await f.arm('GET', `${f.sub}/providers/Microsoft.ContainerRegistry/registries?${ACR}`, f.admin)
        ).body.value,
        apps: (await f.stack.credless.store.listApplications(f.tid)).length,
      });
      const before = await snapshot();
      const answer = await f.arm(c.method, c.url(), f.admin, c.body);
      assert.equal(answer.status, c.status, JSON.stringify(answer.body));
      assert.equal(answer.body.error.code, c.code, answer.body.error.message);
      assert.deepEqual(Object.keys(answer.body.error).sort(), ['code', 'message']);
      assert.deepEqual(await snapshot(), before, 'nothing created or changed');
    });
  }
});
