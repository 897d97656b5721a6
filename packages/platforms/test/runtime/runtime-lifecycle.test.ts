import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { ClusterRecord } from '@credless/server';

import { attachRegistry } from '../../src/runtime/images/kubelet-identity.ts';
import { buildImage, createRegistry } from '../../src/runtime/images/registry.ts';
import { loadManifests } from '../../src/runtime/manifests/load.ts';
import { type RunningLocalRuntime, startLocalRuntime } from '../../src/runtime/start.ts';
import { isAlive, type PlatformCredless, setUpCluster, waitFor, writeWebImage } from './support.ts';

const pod = (name: string, extra = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
    - name: app
      image: lifereg01.azurecr.io/web:1
${extra}`;

describe('local cluster runtime: denials, crash loops, restarts', () => {
  let credless: PlatformCredless;
  let cluster: ClusterRecord;
  let runtime: RunningLocalRuntime;
  let imageDir: string;
  const start = () =>
    startLocalRuntime(credless, {
      dataDir: credless.dataDir,
      backoff: { initialMs: 100, maxMs: 200 },
      stopGraceMs: 2000,
    });
  const apply = async (text: string) =>
    (await runtime.clusters.runtime({ name: 'life' })).apply(
      loadManifests(text, { source: 't.yaml', env: {} }),
      't.yaml',
    );
  const view = async (name: string) =>
    (await runtime.clusters.runtime({ name: 'life' })).pods().find((p) => p.name === name);

  before(async () => {
    ({ credless, cluster } = await setUpCluster('life'));
    imageDir = await writeWebImage();
    const ctx = { store: credless.store, tenantId: credless.tenantId, dataDir: credless.dataDir };
    await createRegistry(ctx, 'lifereg01');
    await buildImage(ctx, { registry: 'lifereg01', image: 'web:1', source: imageDir });
    await attachRegistry(ctx, cluster, 'lifereg01');
    runtime = await start();
  });

  after(async () => {
    await runtime?.close();
    await credless?.close();
    if (imageDir) await rm(imageDir, { recursive: true, force: true });
  });

  test("the webhook's denial refuses the pod with its message; nothing runs", async () => {
    await assert.rejects(
      apply(`apiVersion: v1
kind: ServiceAccount
metadata:
  name: short
  annotations:
    azure.workload.identity/client-id: 00000000-0000-0000-0000-000000000001
    azure.workload.identity/service-account-token-expiration: "100"
---
${pod('denied', '  serviceAccountName: short\n').replace('metadata:\n  name: denied', 'metadata:\n  name: denied\n  labels:\n    azure.workload.identity/use: "true"')}`),
      /admission webhook "mutation.azure-workload-identity.io" denied the request: token expiration 100 not valid/,
    );
    assert.equal(await view('denied'), undefined);
  });

  test('a pod whose ServiceAccount does not exist is refused', async () => {
    await assert.rejects(
      apply(pod('orphan', '  serviceAccountName: ghost\n')),
      /serviceaccount "ghost" not found/,
    );
  });

  test('a container that keeps exiting goes to CrashLoopBackOff and is restarted', async () => {
    await apply(pod('crasher', "      command: ['node', '-e', 'console.log(\"boom\"); process.exit(3)']\n"));
    const crashed = await waitFor('restarts', async () => {
      const v = await view('crasher');
      return v && v.restarts >= 2 && v.status === 'CrashLoopBackOff' ? v : undefined;
    });
    assert.equal(crashed.containers[0]?.exitCode, 3);
    const log = await (await runtime.clusters.runtime({ name: 'life' })).logs('default', 'crasher');
    assert.ok(log.split('boom').length - 1 >= 2, log);
    await (await runtime.clusters.runtime({ name: 'life' })).delete([
      { kind: 'Pod', namespace: 'default', name: 'crasher' },
    ]);
  });

  test('a command that cannot be spawned crash-loops in place with its reason (the kubelet restarts, nothing is replaced)', async () => {
    await apply(pod('nospawn', "      command: ['/nonexistent/credless-test-binary']\n"));
    // A NUL in the environment makes spawn throw synchronously: a failed start too, never a crash of credless.
    await apply(
      pod('badenv', "      command: ['node', '-e', '0']\n      env: [{name: BAD, value: \"a\\0b\"}]\n"),
    );
    for (const name of ['nospawn', 'badenv']) {
      const looping = await waitFor(`${name} restarts`, async () => {
        const v = await view(name);
        return v && v.restarts >= 2 && v.status === 'CrashLoopBackOff' ? v : undefined;
      });
      assert.equal(looping.name, name);
      assert.equal(looping.containers[0]?.exitCode, 127);
      assert.match(String(looping.containers[0]?.message), /^StartError: /);
    }
    await (await runtime.clusters.runtime({ name: 'life' })).delete([
      { kind: 'Pod', namespace: 'default', name: 'nospawn' },
      { kind: 'Pod', namespace: 'default', name: 'badenv' },
    ]);
  });

  test('stopping credless stops the pods; starting again brings them back from the saved objects', async () => {
    await apply(pod('keeper', '      ports: [{containerPort: 8080}]\n'));
    const before = await waitFor('running', async () => {
      const v = await view('keeper');
      return v?.status === 'Running' ? v : undefined;
    });
    const pid = before.containers[0]?.pid as number;
    await runtime.close();
    assert.equal(isAlive(pid), false);
    runtime = await start();
    const again = await waitFor('running again', async () => {
      const v = await view('keeper');
      return v?.status === 'Running' ? v : undefined;
    });
    assert.notEqual(again.containers[0]?.pid, pid);
    assert.deepEqual(
      (await apply(pod('keeper', '      ports: [{containerPort: 8080}]\n'))).map((r) => r.action),
      ['unchanged'],
    );
  });
});
