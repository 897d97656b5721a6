import assert from 'node:assert/strict';
import { readFile, rm, stat } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { ClusterRecord } from '@credless/server';

import { decodeJwt } from 'jose';
import { callRuntime } from '../../src/runtime/control/control-client.ts';
import { attachRegistry } from '../../src/runtime/images/kubelet-identity.ts';
import { buildImage, createRegistry } from '../../src/runtime/images/registry.ts';
import { loadManifests } from '../../src/runtime/manifests/load.ts';
import { type RunningLocalRuntime, startLocalRuntime } from '../../src/runtime/start.ts';
import type { podView } from '../../src/runtime/views.ts';
import { isAlive, type PlatformCredless, setUpCluster, waitFor, writeWebImage } from './support.ts';

type PodView = ReturnType<typeof podView>;
const CLIENT_ID = '11111111-2222-3333-4444-555555555555';
const manifests = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: workload-sa
  annotations:
    azure.workload.identity/client-id: \${CLIENT_ID}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  greeting: hello
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web, azure.workload.identity/use: "true"}
    spec:
      serviceAccountName: workload-sa
      containers:
        - name: app
          image: \${REGISTRY}.azurecr.io/web:1
          ports: [{containerPort: 8080}]
          env:
            - name: GREETING
              valueFrom: {configMapKeyRef: {name: settings, key: greeting}}
            - name: BACKEND_URL
              value: http://web:80/api
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`;

describe('local cluster runtime', () => {
  let credless: PlatformCredless;
  let cluster: ClusterRecord;
  let runtime: RunningLocalRuntime;
  let imageDir: string;
  let offsetMs = 0;

  before(async () => {
    ({ credless, cluster } = await setUpCluster());
    imageDir = await writeWebImage();
    const ctx = { store: credless.store, tenantId: credless.tenantId, dataDir: credless.dataDir };
    await createRegistry(ctx, 'myreg01');
    await buildImage(ctx, { registry: 'myreg01', image: 'web:1', source: imageDir });
    runtime = await startLocalRuntime(credless, {
      dataDir: credless.dataDir,
      now: () => Date.now() + offsetMs,
      tokenRefreshIntervalMs: 0,
      backoff: { initialMs: 100, maxMs: 400 },
      stopGraceMs: 2000,
    });
  });

  after(async () => {
    await runtime?.close();
    await credless?.close();
    if (imageDir) await rm(imageDir, { recursive: true, force: true });
  });

  const pods = () =>
    callRuntime<PodView[]>(runtime.socketPath, {
      op: 'get',
      cluster: { name: 'aks1' },
      what: 'pods',
    });

  test('a pod whose image the cluster may not pull waits in ErrImagePull with what to do', async () => {
    const objects = loadManifests(manifests, { source: 'app.yaml', env: { CLIENT_ID, REGISTRY: 'myreg01' } });
    const results = await callRuntime<Array<{ kind: string; action: string }>>(runtime.socketPath, {
      op: 'apply',
      cluster: { name: 'aks1' },
      source: 'app.yaml',
      objects,
    });
    assert.deepEqual(results.map((r) => `${r.kind} ${r.action}`).sort(), [
      'ConfigMap created',
      'Deployment created',
      'Service created',
      'ServiceAccount created',
    ]);
    const pod = await waitFor('ErrImagePull', async () =>
      (await pods()).find((p) => /ImagePull/.test(p.status)),
    );
    assert.match(
      pod.containers[0]?.message ?? '',
      /not authorized to pull from registry myreg01: run `credless cluster update --name aks1 --resource-group rg --attach-acr myreg01`/,
    );
  });

  test('after --attach-acr the pull succeeds (cluster identity, AcrPull via the token service) and the pod runs', async () => {
    const attached = await attachRegistry(
      { store: credless.store, tenantId: credless.tenantId },
      cluster,
      'myreg01',
    );
    assert.equal(attached.role, 'AcrPull');
    // Twice is a no-op.
    await attachRegistry({ store: credless.store, tenantId: credless.tenantId }, cluster, 'myreg01');
    const pod = await waitFor('Running', async () => (await pods()).find((p) => p.status === 'Running'));
    assert.equal(pod.ready, '1/1');
    assert.match(pod.name, /^web-[0-9a-f]{10}-[a-z0-9]{5}$/);
  });

  test('the pod went through the real webhook: identity env and the projected token volume', async () => {
    const [view] = await pods();
    const runner = (await runtime.clusters.runtime({ name: 'aks1' })).pod('default', view?.name ?? '');
    const spec = runner?.pod.spec;
    const env = Object.fromEntries((spec?.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
    assert.equal(env['AZURE_CLIENT_ID'], CLIENT_ID);
    assert.equal(env['AZURE_TENANT_ID'], credless.tenantId);
    assert.equal(env['AZURE_AUTHORITY_HOST'], `${credless.url}/`);
    assert.match(
      env['AZURE_FEDERATED_TOKEN_FILE'] ?? '',
      /^\/var\/run\/secrets\/azure\/.*azure-identity-token$/,
    );
    const projected = spec?.volumes?.find((v) => v.projected)?.projected?.sources?.[0]?.serviceAccountToken;
    assert.equal(projected?.audience, 'api://AzureADTokenExchange');
    assert.equal(projected?.expirationSeconds, 3600);
  });

  test('the container runs with the mapped env; its log is captured; the Service answers on localhost', async () => {
    const [view] = await pods();
    const log = await waitFor('log line', async () => {
      const { text } = await callRuntime<{ text: string }>(runtime.socketPath, {
        op: 'logs',
        cluster: { name: 'aks1' },
        namespace: 'default',
        pod: view?.name ?? '',
      });
      return text.includes('client=') ? text : undefined;
    });
    assert.match(
      log,
      new RegExp(
        `client=${CLIENT_ID} file=${credless.dataDir}/clusters/aks1/pods/default/${view?.name}/volumes/.+/azure-identity-token greeting=hello`,
      ),
    );
    const [service] = await callRuntime<Array<{ url: string; ports: Array<{ hostPort: number }> }>>(
      runtime.socketPath,
      {
        op: 'get',
        cluster: { name: 'aks1' },
        what: 'services',
      },
    );
    const body = await waitFor('service', async () => {
      const response = await fetch(service?.url ?? '').catch(() => undefined);
      return response?.ok ? ((await response.json()) as Record<string, string>) : undefined;
    });
    assert.equal(body['client'], CLIENT_ID);
    // In-cluster Service URLs point at the Service's localhost port.
    assert.equal(body['backend'], `http://127.0.0.1:${service?.ports[0]?.hostPort}/api`);
    const claims = decodeJwt(body['token'] ?? '');
    assert.equal(claims.sub, 'system:serviceaccount:default:workload-sa');
    assert.deepEqual(claims.aud, ['api://AzureADTokenExchange']);
    assert.equal(claims.iss, cluster.issuerUrl);
  });

  test('the projected token is rewritten once 80% of its lifetime has passed, not before', async () => {
    const [view] = await pods();
    const clusterRuntime = await runtime.clusters.runtime({ name: 'aks1' });
    const { text } = await callRuntime<{ text: string }>(runtime.socketPath, {
      op: 'logs',
      cluster: { name: 'aks1' },
      namespace: 'default',
      pod: view?.name ?? '',
    });
    const tokenFile = /file=(\S+)/.exec(text)?.[1] ?? '';
    assert.ok(
      tokenFile.startsWith(`${credless.dataDir}/clusters/aks1/pods/default/${view?.name}/volumes/`),
      tokenFile,
    );
    const first = await readFile(tokenFile, 'utf8');
    offsetMs = 0.79 * 3600 * 1000;
    await clusterRuntime.projector.tick();
    assert.equal(await readFile(tokenFile, 'utf8'), first);
    offsetMs = 0.81 * 3600 * 1000;
    await clusterRuntime.projector.tick();
    const second = await readFile(tokenFile, 'utf8');
    assert.notEqual(second, first);
    assert.notEqual(decodeJwt(second).jti, decodeJwt(first).jti);
    assert.equal((await stat(tokenFile)).mode & 0o777, 0o600);
  });

  test('apply again is unchanged; delete stops the processes and the Service port', async () => {
    const objects = loadManifests(manifests, { source: 'app.yaml', env: { CLIENT_ID, REGISTRY: 'myreg01' } });
    const again = await callRuntime<Array<{ action: string }>>(runtime.socketPath, {
      op: 'apply',
      cluster: { name: 'aks1' },
      source: 'app.yaml',
      objects,
    });
    assert.ok(
      again.every((r) => r.action === 'unchanged'),
      JSON.stringify(again),
    );
    const [view] = await pods();
    const pid = view?.containers[0]?.pid as number;
    assert.ok(isAlive(pid));
    const [service] = await callRuntime<Array<{ url: string }>>(runtime.socketPath, {
      op: 'get',
      cluster: { name: 'aks1' },
      what: 'services',
    });
    await callRuntime(runtime.socketPath, {
      op: 'delete',
      cluster: { name: 'aks1' },
      refs: [
        { kind: 'Deployment', namespace: 'default', name: 'web' },
        { kind: 'Service', namespace: 'default', name: 'web' },
      ],
    });
    assert.equal(isAlive(pid), false);
    assert.deepEqual(await pods(), []);
    await assert.rejects(fetch(service?.url ?? ''));
    await assert.rejects(
      callRuntime(runtime.socketPath, {
        op: 'delete',
        cluster: { name: 'aks1' },
        refs: [{ kind: 'Pod', namespace: 'default', name: 'nope' }],
      }),
      /Pod "nope" not found in namespace default/,
    );
  });
});
