/**
 * The local clusters' Kubernetes API (AKS with Azure RBAC), through a real credless's app by inject:
 * 401 for anything but a credless token for the AKS server app of the cluster's tenant, 403 (AKS's
 * message) without a role assignment covering the cluster, 200 with one.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AKS_SERVER_APP_ID, GRAPH_RESOURCE_URI } from '@credless/core';
import type { ClusterRecord } from '@credless/server';
import {
  clientCredentialsForm,
  createWorkloadScenario,
  requestToken,
  startTestCredless,
  startTestOidcIssuer,
  type TestCredless,
  type TestOidcIssuer,
} from '@credless/testkit';
import Fastify from 'fastify';
import { Agent, request } from 'undici';
import { ensureAksServerApplication } from '../../src/cluster-access/aks-server-app.ts';
import {
  CLUSTER_API_VERSION,
  clusterApiRoutes,
  clusterApiUrl,
} from '../../src/cluster-access/cluster-api.ts';
import { assignRole } from '../../src/cluster-access/role-assignments.ts';
import { createLocalCluster } from '../../src/local-issuers/clusters.ts';
import { LocalPlatforms } from '../../src/local-platforms.ts';
import { loadManifests } from '../../src/runtime/manifests/load.ts';
import { startLocalRuntime } from '../../src/runtime/start.ts';

const AUDIENCE = 'api://AzureADTokenExchange';
let issuer: TestOidcIssuer;
let credless: TestCredless;
const platforms = new LocalPlatforms();
let agent: Agent;
let cluster: ClusterRecord;
let base: string;

/** A workload app of `tenantId` federated with the test issuer, and a token of it for `scope`. */
async function workloadToken(scope: string, tenantId = credless.tenantId) {
  const subject = `system:serviceaccount:ci:${randomUUID()}`;
  const workload = await createWorkloadScenario(credless, { issuer: issuer.issuer, subject, tenantId });
  const assertion = await issuer.issueToken({ sub: subject, aud: AUDIENCE });
  const answer = await requestToken(
    { url: credless.url, tenantId },
    clientCredentialsForm({ clientId: workload.appId, assertion, scope }),
    { dispatcher: agent },
  );
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return { ...workload, token: answer.body['access_token'] as string };
}

const get = (path: string, token?: string, method = 'GET') =>
  credless.app.inject({
    method: method as 'GET',
    url: `${base}${path}`,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });

before(async () => {
  issuer = await startTestOidcIssuer({ kidStyle: 'kubernetes' });
  credless = await startTestCredless({ issuerDispatcher: issuer.dispatcher, plugins: [platforms] });
  agent = new Agent({ connect: { ca: credless.caCertPem as string } });
  ({ cluster } = await createLocalCluster(
    { store: credless.store, kek: new Uint8Array(randomBytes(32)) },
    { tenantId: credless.tenantId, baseUrl: credless.url, resourceGroup: 'rg-dev-aks', name: 'dev-aks' },
  ));
  await ensureAksServerApplication(credless.store, credless.tenantId);
  await ensureAksServerApplication(credless.store, credless.tenantId); // idempotent
  base = new URL(clusterApiUrl(credless.url, cluster)).pathname;
});
after(async () => {
  await agent?.close();
  await credless?.close();
  await issuer?.close();
});

describe('cluster API: authentication and Azure RBAC', () => {
  test('no token, a foreign token, a Graph token: 401 Unauthorized as a kube Status', async () => {
    const graph = await workloadToken(`${GRAPH_RESOURCE_URI}/.default`);
    for (const token of [undefined, 'not-a-jwt', graph.token]) {
      const response = await get('/version', token);
      assert.equal(response.statusCode, 401);
      assert.deepEqual(response.json(), {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      });
    }
  });

  test("an AKS token of another tenant is not the cluster's: 401", async () => {
    const other = await credless.store.createTenant({
      defaultDomain: 'fabrikam.test',
      displayName: 'Fabrikam',
    });
    await ensureAksServerApplication(credless.store, other.id);
    const foreign = await workloadToken(`${AKS_SERVER_APP_ID}/.default`, other.id);
    assert.equal((await get('/version', foreign.token)).statusCode, 401);
  });

  test('public info (/version, health) answers any signed-in caller, as AKS binds system:public-info-viewer to system:authenticated', async () => {
    const caller = await workloadToken(`${AKS_SERVER_APP_ID}/.default`);
    const cases = [
      { path: '/version', status: 200, body: CLUSTER_API_VERSION },
      { path: '/healthz', status: 200, body: 'ok' },
      { path: '/readyz', status: 200, body: 'ok' },
      { path: '/version', method: 'POST', status: 403 },
      { path: '/api', status: 403 },
    ];
    for (const { path, method, status, body } of cases) {
      const response = await get(path, caller.token, method);
      assert.equal(response.statusCode, status, `${method ?? 'GET'} ${path}`);
      if (body !== undefined)
        assert.deepEqual(typeof body === 'string' ? response.body : response.json(), body, path);
    }
    assert.equal((await get('/version')).statusCode, 401);
  });

  test('a valid AKS token without a role assignment: 403 with AKS message; with one: 200', async () => {
    const caller = await workloadToken(`${AKS_SERVER_APP_ID}/.default`);
    const refused = await get('/api', caller.token);
    assert.equal(refused.statusCode, 403);
    const status = refused.json();
    assert.equal(status.reason, 'Forbidden');
    assert.equal(status.code, 403);
    assert.equal(
      status.message,
      `forbidden: User "${caller.servicePrincipalId}" cannot get path "/api": User does not have access to the resource in Azure. Update role assignment to allow access.`,
    );
    const pods = await get('/api/v1/namespaces/default/pods', caller.token);
    assert.equal(pods.statusCode, 403);
    assert.match(
      pods.json().message,
      /^pods is forbidden: .* cannot list resource "pods" in API group "" in the namespace "default"/,
    );

    // Reader at the resource group (inherited): reads, no writes.
    await assignRole(credless.store, credless.tenantId, {
      role: 'Azure Kubernetes Service RBAC Reader',
      assignee: caller.appId,
      scope: `/subscriptions/${credless.tenantId}/resourceGroups/rg-dev-aks`,
    });
    const version = await get('/version', caller.token);
    assert.equal(version.statusCode, 200);
    assert.deepEqual(version.json(), CLUSTER_API_VERSION);
    assert.equal((await get('/api', caller.token)).json().kind, 'APIVersions');
    assert.equal((await get('/apis', caller.token)).json().kind, 'APIGroupList');
    assert.equal((await get('/api/v1/namespaces/default/pods', caller.token, 'POST')).statusCode, 403);
    // No runtime plugged into this app: resources are not served (after authorization).
    assert.equal((await get('/api/v1/namespaces/default/pods', caller.token)).statusCode, 404);

    await assignRole(credless.store, credless.tenantId, {
      role: 'Azure Kubernetes Service RBAC Cluster Admin',
      assignee: caller.appId,
      scope: cluster.id,
    });
    // Allowed now, but this app has no runtime: the write finds no resource (after authorization).
    const write = await get('/api/v1/namespaces/default/pods', caller.token, 'POST');
    assert.equal(write.statusCode, 404);
    assert.equal(write.json().reason, 'NotFound');
  });

  test('unknown cluster or tenant: 404 Status', async () => {
    const tenantPath = `/k8s/${credless.tenantId}/${randomUUID()}/version`;
    assert.equal((await credless.app.inject({ url: tenantPath })).statusCode, 404);
    assert.equal(
      (await credless.app.inject({ url: `/k8s/nope/${cluster.issuerGuid}/version` })).statusCode,
      404,
    );
  });

  test('each cluster has its own HTTPS listener at the root (kubectl --raw drops path prefixes); its port is recorded', async () => {
    await platforms.clusterApi.sync();
    const port = platforms.clusterApi.portOf(cluster.id);
    assert.ok(port);
    assert.equal(await credless.store.getClusterApiPort(cluster.id), port);
    const caller = await workloadToken(`${AKS_SERVER_APP_ID}/.default`);
    const call = async (token?: string, path = '/version') => {
      const response = await request(`https://localhost:${port}${path}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        dispatcher: agent,
      });
      return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
    };
    assert.equal((await call()).status, 401);
    assert.deepEqual(await call(caller.token), { status: 200, body: CLUSTER_API_VERSION });
    assert.equal((await call(caller.token, '/api')).status, 403);
    await assignRole(credless.store, credless.tenantId, {
      role: 'Azure Kubernetes Service RBAC Writer',
      assignee: caller.servicePrincipalId,
      scope: cluster.id,
    });
    assert.equal((await call(caller.token, '/api')).status, 200);

    // A cluster created later gets its listener when the directory changes; a deleted one loses it.
    const { cluster: second } = await createLocalCluster(
      { store: credless.store, kek: new Uint8Array(randomBytes(32)) },
      { tenantId: credless.tenantId, baseUrl: credless.url, resourceGroup: 'rg-dev-aks', name: 'second' },
    );
    await platforms.clusterApi.sync();
    const secondPort = platforms.clusterApi.portOf(second.id);
    assert.ok(secondPort && secondPort !== port);
    await credless.store.deleteCluster(credless.tenantId, 'rg-dev-aks', 'second');
    await platforms.clusterApi.sync();
    assert.equal(platforms.clusterApi.portOf(second.id), undefined);
    await assert.rejects(request(`https://localhost:${secondPort}/version`, { dispatcher: agent }));

    // A tenant's first cluster gives it the built-in AKS server application (and its principal).
    const tenant = await credless.store.createTenant({
      defaultDomain: 'northwind.test',
      displayName: 'Northwind',
    });
    assert.equal(await credless.store.getServicePrincipalByAppId(tenant.id, AKS_SERVER_APP_ID), undefined);
    await createLocalCluster(
      { store: credless.store, kek: new Uint8Array(randomBytes(32)) },
      { tenantId: tenant.id, baseUrl: credless.url, resourceGroup: 'rg', name: 'first' },
    );
    await platforms.clusterApi.sync();
    const aks = await credless.store.getApplicationByAppId(tenant.id, AKS_SERVER_APP_ID);
    assert.equal(aks?.builtIn, true);
    assert.ok(await credless.store.getServicePrincipalByAppId(tenant.id, AKS_SERVER_APP_ID));
  });

  test("with a runtime plugged in, the runtime's objects are kube Lists and objects; a namespace role covers its namespace only", async () => {
    const runtime = await startLocalRuntime(
      { ...credless, issueServiceAccountToken: (id, req) => platforms.issueServiceAccountToken(id, req) },
      { dataDir: credless.dataDir, socketPath: join(credless.dataDir, 'api-test.sock') },
    );
    const clusterRuntime = await runtime.clusters.runtimeOf(cluster);
    await clusterRuntime.apply(
      loadManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: backend}\ndata: {a: b}\n', {
        source: 't',
      }),
      't',
    );
    const app = Fastify();
    await app.register(clusterApiRoutes, {
      store: credless.store,
      directory: credless.store,
      getJwks: (tenantId) => credless.keys.getJwks(tenantId),
      baseUrl: () => credless.url,
      now: Date.now,
      objectSource: () => (record) => runtime.clusters.runtimeOf(record),
    });
    const caller = await workloadToken(`${AKS_SERVER_APP_ID}/.default`);
    await assignRole(credless.store, credless.tenantId, {
      role: 'Azure Kubernetes Service RBAC Reader',
      assignee: caller.appId,
      scope: `${cluster.id}/namespaces/default`,
    });
    const call = (path: string) =>
      app.inject({ url: `${base}${path}`, headers: { authorization: `Bearer ${caller.token}` } });
    const list = (await call('/api/v1/namespaces/default/configmaps')).json();
    assert.equal(list.kind, 'ConfigMapList');
    assert.match(list.metadata.resourceVersion, /^\d+$/);
    assert.deepEqual(
      list.items.map((item: { kind: string; metadata: { name: string } }) => [item.kind, item.metadata.name]),
      [['ConfigMap', 'backend']],
    );
    const one = (await call('/api/v1/namespaces/default/configmaps/backend')).json();
    assert.equal(one.kind, 'ConfigMap');
    assert.equal(one.data.a, 'b');
    const missing = await call('/api/v1/namespaces/default/configmaps/missing');
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json().details, { name: 'missing', kind: 'configmaps' });
    assert.equal(missing.json().message, 'configmaps "missing" not found');
    // Namespace-scoped role: another namespace is forbidden, discovery is not.
    assert.equal((await call('/api/v1/namespaces/kube-system/configmaps')).statusCode, 403);
    const resources = (await call('/api/v1')).json();
    assert.deepEqual(
      resources.resources.map(
        (r: { name: string; shortNames?: string[] }) => `${r.name}:${r.shortNames ?? ''}`,
      ),
      [
        'namespaces:ns',
        'serviceaccounts:sa',
        'configmaps:cm',
        'secrets:',
        'services:svc',
        'pods:po',
        'pods/log:',
        'events:ev',
      ],
    );
    const apps = (await call('/apis/apps/v1')).json();
    assert.deepEqual(apps.resources[0].shortNames, ['deploy']);
    await app.close();
    await runtime.close();
  });
});
