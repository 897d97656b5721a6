import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Scheduler } from '../../src/runtime/deployment-controller.ts';
import { attachRegistry } from '../../src/runtime/images/kubelet-identity.ts';
import { buildImage, createRegistry } from '../../src/runtime/images/registry.ts';
import { loadManifests } from '../../src/runtime/manifests/load.ts';
import { startLocalRuntime } from '../../src/runtime/start.ts';
import { setUpCluster, waitFor, writeWebImage } from './support.ts';

const deployment = (name: string, image: string, serviceAccount = 'default') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      serviceAccountName: ${serviceAccount}
      containers:
        - name: app
          image: ctrlreg01.azurecr.io/${image}
`;

/** Records every delay asked for; runs a callback only when the test says so. */
class RecordingScheduler implements Scheduler {
  readonly delays: number[] = [];
  readonly #pending = new Map<number, () => void>();
  #next = 0;
  set(run: () => void, ms: number): unknown {
    this.delays.push(ms);
    this.#pending.set(++this.#next, run);
    return this.#next;
  }
  clear(handle: unknown): void {
    this.#pending.delete(handle as number);
  }
  get pending(): number {
    return this.#pending.size;
  }
  fire(): void {
    const runs = [...this.#pending.values()];
    this.#pending.clear();
    for (const run of runs) run();
  }
}

async function setUp(name: string, scheduler?: Scheduler) {
  const { credless, cluster } = await setUpCluster(name);
  const webDir = await writeWebImage();
  // An image that says nothing about what to run: every pod of it fails its start for good.
  const emptyDir = await mkdtemp(join(tmpdir(), 'credless-empty-image-'));
  await writeFile(join(emptyDir, 'README'), 'no command here\n');
  const ctx = { store: credless.store, tenantId: credless.tenantId, dataDir: credless.dataDir };
  await createRegistry(ctx, 'ctrlreg01');
  await buildImage(ctx, { registry: 'ctrlreg01', image: 'web:1', source: webDir });
  await buildImage(ctx, { registry: 'ctrlreg01', image: 'empty:1', source: emptyDir });
  await attachRegistry(ctx, cluster, 'ctrlreg01');
  const runtime = await startLocalRuntime(credless, {
    dataDir: credless.dataDir,
    backoff: { initialMs: 100, maxMs: 400 },
    stopGraceMs: 2000,
    ...(scheduler ? { scheduler } : {}),
  });
  const clusterRuntime = () => runtime.clusters.runtime({ name });
  return {
    credless,
    cluster,
    runtime,
    dirs: [webDir, emptyDir],
    apply: async (text: string) =>
      (await clusterRuntime()).apply(loadManifests(text, { source: 't.yaml', env: {} }), 't.yaml'),
    pods: async () => (await clusterRuntime()).pods(),
    deployments: async () => (await clusterRuntime()).deployments(),
    deletePod: async (pod: string) =>
      (await clusterRuntime()).delete([{ kind: 'Pod', namespace: 'default', name: pod }]),
  };
}

describe('Deployment controller: a deleted pod is replaced without an apply', () => {
  let env: Awaited<ReturnType<typeof setUp>>;
  before(async () => {
    env = await setUp('ctrl1');
  });
  after(async () => {
    await env?.runtime.close();
    await env?.credless.close();
    for (const dir of env?.dirs ?? []) await rm(dir, { recursive: true, force: true });
  });

  test('delete the pod of a Deployment: a new pod (new name) appears and runs', async () => {
    await env.apply(deployment('web', 'web:1'));
    const first = await waitFor('first pod running', async () => {
      const [pod] = await env.pods();
      return pod?.status === 'Running' ? pod : undefined;
    });
    assert.match(first.name, /^web-[0-9a-f]{10}-[a-z0-9]{5}$/);
    await env.deletePod(first.name);
    const second = await waitFor('replacement running', async () => {
      const pods = await env.pods();
      return pods.length === 1 && pods[0]?.name !== first.name && pods[0]?.status === 'Running'
        ? pods[0]
        : undefined;
    });
    assert.notEqual(second.name, first.name);
    const [view] = await env.deployments();
    assert.equal(view?.ready, '1/1');
    assert.equal(view?.replacements, 1);
    assert.equal(view?.status, 'Available');
  });

  test('deleting the Deployment with its pod replaces nothing', async () => {
    const [pod] = await env.pods();
    const runtime = await env.runtime.clusters.runtime({ name: 'ctrl1' });
    await runtime.delete([
      { kind: 'Pod', namespace: 'default', name: pod?.name ?? '' },
      { kind: 'Deployment', namespace: 'default', name: 'web' },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(await env.pods(), []);
    assert.deepEqual(await env.deployments(), []);
  });
});

describe('Deployment controller: replacements that keep failing back off', () => {
  const scheduler = new RecordingScheduler();
  let env: Awaited<ReturnType<typeof setUp>>;
  before(async () => {
    env = await setUp('ctrl2', scheduler);
  });
  after(async () => {
    await env?.runtime.close();
    await env?.credless.close();
    for (const dir of env?.dirs ?? []) await rm(dir, { recursive: true, force: true });
  });

  test('a pod that can never start: each replacement waits twice as long, up to the maximum', async () => {
    await env.apply(deployment('broken', 'empty:1'));
    const names = new Set<string>();
    for (let round = 1; round <= 4; round++) {
      // The pod fails (no command), the controller asks for a timer: that delay is the back-off.
      await waitFor(`failure ${round}`, () => scheduler.delays.length === round && scheduler.pending === 1);
      const [pod] = await env.pods();
      assert.equal(pod?.status, 'CreateContainerConfigError');
      assert.equal(pod?.phase, 'Failed');
      names.add(pod?.name ?? '');
      if (round < 4) scheduler.fire();
    }
    assert.deepEqual(scheduler.delays, [100, 200, 400, 400]);
    assert.equal(names.size, 4, 'every replacement has a new name');
    const [view] = await env.deployments();
    assert.equal(view?.status, 'BackOff');
    assert.equal(view?.ready, '0/1');
    assert.equal(view?.reason, 'CreateContainerConfigError');
    assert.equal(view?.replacements, 3);
    assert.equal(view?.failures, 4);
    assert.match(
      view?.message ?? '',
      /^back-off 400ms replacing the failed pod: pod broken-.+: .*no command/,
    );
    assert.equal(view?.backoffMs, 400);
  });

  test('an apply starts over without back-off; deleting the Deployment cancels the pending attempt', async () => {
    await env.apply(deployment('broken', 'empty:1'));
    assert.equal((await env.deployments())[0]?.replacements, 0);
    const runtime = await env.runtime.clusters.runtime({ name: 'ctrl2' });
    await runtime.delete([{ kind: 'Deployment', namespace: 'default', name: 'broken' }]);
    assert.equal(scheduler.pending, 0);
    assert.deepEqual(await env.pods(), []);
  });

  test('a replacement that cannot be created (its ServiceAccount is gone) backs off too, then recovers', async () => {
    scheduler.delays.length = 0;
    await env.apply(`apiVersion: v1
kind: ServiceAccount
metadata:
  name: app-sa
---
${deployment('svc', 'web:1', 'app-sa')}`);
    const first = await waitFor('running', async () => {
      const [pod] = await env.pods();
      return pod?.status === 'Running' ? pod : undefined;
    });
    const runtime = await env.runtime.clusters.runtime({ name: 'ctrl2' });
    await runtime.delete([{ kind: 'ServiceAccount', namespace: 'default', name: 'app-sa' }]);
    await env.deletePod(first.name);
    assert.deepEqual(scheduler.delays, [0], 'a deleted pod is replaced at once');
    scheduler.fire();
    await waitFor('creation failed', () => scheduler.delays.length === 2);
    scheduler.fire();
    await waitFor('creation failed again', () => scheduler.delays.length === 3);
    assert.deepEqual(scheduler.delays, [0, 100, 200]);
    const [view] = await env.deployments();
    assert.equal(view?.reason, 'FailedCreate');
    assert.match(view?.message ?? '', /serviceaccount "app-sa" not found/);
    assert.deepEqual(await env.pods(), []);

    await env.apply('apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app-sa\n');
    scheduler.fire();
    await waitFor('replacement running', async () => {
      const [pod] = await env.pods();
      return pod?.status === 'Running' ? pod : undefined;
    });
    const [healthy] = await env.deployments();
    assert.equal(healthy?.status, 'Available');
    assert.equal(healthy?.failures, 0);
    assert.equal(healthy?.replacements, 1);
  });
});
