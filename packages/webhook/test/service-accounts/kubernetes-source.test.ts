/**
 * KubernetesServiceAccountSource through @kubernetes/client-node against FakeApiServer (see its header
 * for why this is not a real kube-apiserver), reached through a kubeconfig file like any cluster.
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CredlessError } from '@credless/core';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { buildWebhookApp } from '../../src/http/app.ts';
import { CLIENT_ID_ANNOTATION } from '../../src/mutation/constants.ts';
import { KubernetesServiceAccountSource } from '../../src/service-accounts/kubernetes-source.ts';
import { CLIENT_ID, config, pod } from '../support.ts';
import { FAKE_TOKEN, FakeApiServer } from './fake-apiserver.ts';

async function eventually(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('KubernetesServiceAccountSource (list/watch cache, direct read on a miss)', () => {
  const api = new FakeApiServer();
  let dir: string;
  let source: KubernetesServiceAccountSource;

  before(async () => {
    await api.start();
    api.put('apps', 'workload', { [CLIENT_ID_ANNOTATION]: CLIENT_ID });
    dir = await mkdtemp(join(tmpdir(), 'credless-webhook-kube-'));
    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfigPath,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'fake',
            cluster: {
              server: api.url,
              'certificate-authority-data': Buffer.from(api.caCertPem).toString('base64'),
            },
          },
        ],
        users: [{ name: 'webhook', user: { token: FAKE_TOKEN } }],
        contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'webhook' } }],
        'current-context': 'fake',
      }),
    );
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
    source = new KubernetesServiceAccountSource({
      kubeConfig,
      readTimeoutMs: 1500,
      restartDelayMs: { min: 50, max: 200 },
    });
    await source.start();
  });

  after(async () => {
    await source.close();
    await api.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('lists once, then watches; ready after the first list', async () => {
    assert.equal(source.ready(), true);
    assert.equal(api.counts.list, 1);
    await eventually(() => api.counts.watch >= 1, 'the watch to connect');
    assert.equal(api.counts.unauthorized, 0);
  });

  test('cache hit: answered from memory, no API read', async () => {
    const before = api.counts.get;
    const account = await source.get('apps', 'workload');
    assert.deepEqual(account?.annotations, { [CLIENT_ID_ANNOTATION]: CLIENT_ID });
    assert.equal(api.counts.get, before);
  });

  test('cache miss: one direct read finds a ServiceAccount the watch has not delivered yet', async () => {
    api.put('apps', 'just-created', { [CLIENT_ID_ANNOTATION]: 'late' }, { silently: true });
    const before = api.counts.get;
    const account = await source.get('apps', 'just-created');
    assert.equal(account?.annotations[CLIENT_ID_ANNOTATION], 'late');
    assert.equal(api.counts.get, before + 1);
  });

  test('concurrent misses of one ServiceAccount share a single read', async () => {
    api.put('apps', 'burst', {}, { silently: true });
    const before = api.counts.get;
    const results = await Promise.all(Array.from({ length: 10 }, () => source.get('apps', 'burst')));
    assert.ok(results.every((account) => account?.name === 'burst'));
    assert.equal(api.counts.get, before + 1);
  });

  test('cache miss of a ServiceAccount that does not exist: undefined (404), not an error', async () => {
    const before = api.counts.get;
    assert.equal(await source.get('apps', 'missing'), undefined);
    assert.equal(api.counts.get, before + 1);
  });

  test('a read refused by RBAC: a denial that quotes the API server', async () => {
    api.forbidden.add('locked/sa');
    await assert.rejects(
      source.get('locked', 'sa'),
      (error: unknown) =>
        error instanceof CredlessError &&
        error.code === 'webhook_service_account_unavailable' &&
        /\(HTTP 403: serviceaccounts "sa" is forbidden: User .* cannot get resource/.test(error.message),
    );
  });

  test('watch MODIFIED: the new annotations are served from the cache', async () => {
    api.put('apps', 'workload', { [CLIENT_ID_ANNOTATION]: 'rotated' });
    const before = api.counts.get;
    await eventually(
      async () => (await source.get('apps', 'workload'))?.annotations[CLIENT_ID_ANNOTATION] === 'rotated',
      'the MODIFIED event',
    );
    assert.equal(api.counts.get, before, 'served from the cache, not read');
  });

  test('watch ADDED: a new ServiceAccount becomes a cache hit', async () => {
    api.put('team-b', 'api', {});
    const before = api.counts.get;
    await eventually(async () => (await source.get('team-b', 'api')) !== undefined, 'the ADDED event');
    // Whether the first get raced the event or not, after it a second get is a pure hit.
    const settled = api.counts.get;
    assert.ok(await source.get('team-b', 'api'));
    assert.equal(api.counts.get, settled);
    assert.ok(settled - before <= 1);
  });

  test('watch DELETED: gone from the cache, and a read confirms it is gone', async () => {
    api.remove('team-b', 'api');
    await eventually(async () => (await source.get('team-b', 'api')) === undefined, 'the DELETED event');
  });

  test('API server down: cached ServiceAccounts still served; a miss is a clear denial', async () => {
    await api.stop();
    assert.equal((await source.get('apps', 'workload'))?.annotations[CLIENT_ID_ANNOTATION], 'rotated');
    await assert.rejects(
      source.get('apps', 'unknown'),
      (error: unknown) =>
        error instanceof CredlessError &&
        error.code === 'webhook_service_account_unavailable' &&
        /could not read ServiceAccount apps\/unknown from the Kubernetes API \(.*ECONNREFUSED/.test(
          error.message,
        ),
    );

    const app = buildWebhookApp({ config, serviceAccounts: source });
    const response = await app.inject({
      method: 'POST',
      url: '/mutate-v1-pod',
      payload: {
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: {
          uid: 'u-1',
          kind: { kind: 'Pod' },
          namespace: 'apps',
          operation: 'CREATE',
          object: pod({ serviceAccountName: 'unknown' }),
        },
      },
    });
    const body = JSON.parse(response.body) as {
      response: { allowed: boolean; status: { code: number; message: string } };
    };
    assert.equal(body.response.allowed, false);
    assert.equal(body.response.status.code, 500);
    assert.match(body.response.status.message, /refused rather than admitted without its identity/);
    await app.close();
  });

  test('API server back: the watch reconnects and delivers changes again', async () => {
    const watchesBefore = api.counts.watch;
    await api.start(api.port);
    await eventually(() => api.counts.watch > watchesBefore, 'the watch to reconnect', 8000);
    api.put('apps', 'after-outage', { [CLIENT_ID_ANNOTATION]: 'back' });
    // Poll the cache's answer only (a miss would fall back to a read and hide a dead watch).
    await eventually(
      async () => {
        const reads = api.counts.get;
        const found = await source.get('apps', 'after-outage');
        return found !== undefined && api.counts.get === reads;
      },
      'the event after the outage to reach the cache',
      8000,
    );
  });
});
