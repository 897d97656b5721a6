/**
 * A pod's container image changed in place, as Kubernetes allows: `kubectl set image pod/…` and a
 * `kubectl apply` of a new image are accepted, and the container is restarted with the new image as
 * the kubelet does (restartCount goes up, the new image runs, `logs --previous` shows the old run).
 * A missing image leaves the container in ErrImagePull until the spec names one that exists. Any
 * other spec change is refused with kube-apiserver's Forbidden message and a diff.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ClusterRuntime } from '../../src/runtime/cluster-runtime.ts';
import { buildImage } from '../../src/runtime/images/registry.ts';
import { waitFor } from '../runtime/support.ts';
import { type KubectlCluster, startKubectlCluster } from './kubectl-support.ts';

let k: KubectlCluster;
let runtime: ClusterRuntime;

before(async () => {
  k = await startKubectlCluster();
  // web:2: another program, so the log says which image runs.
  const dir = join(k.dir, 'web-2');
  await mkdir(dir);
  await writeFile(
    join(dir, 'v2.mjs'),
    `console.log('version 2');\nsetInterval(() => {}, 60_000);\nprocess.on('SIGTERM', () => process.exit(0));\n`,
  );
  await writeFile(join(dir, 'credless-image.json'), JSON.stringify({ command: ['node', 'v2.mjs'] }));
  const ctx = { store: k.credless.store, tenantId: k.credless.tenantId, dataDir: k.credless.dataDir };
  await buildImage(ctx, { registry: 'myreg01', image: 'web:2', source: dir });
  runtime = await k.runtime.clusters.runtimeOf(k.cluster);
});
after(async () => {
  await k?.close();
});

const pod = (image: string, restartPolicy = 'Always') => `apiVersion: v1
kind: Pod
metadata: {name: swap}
spec:
  restartPolicy: ${restartPolicy}
  containers:
    - {name: app, image: myreg01.azurecr.io/${image}, ports: [{containerPort: 8080}]}
`;

async function ok(...args: string[]): Promise<string> {
  const run = await k.kubectl(args);
  assert.equal(run.code, 0, `kubectl ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

/** The container as served, once it runs `image` after `restarts` restarts. */
const runsAfter = (image: string, restarts: number) =>
  waitFor(
    `app running ${image} after ${restarts} restarts`,
    async () => {
      const served = JSON.parse(await ok('get', 'pod', 'swap', '-o', 'json'));
      const status = served.status.containerStatuses[0];
      return status.restartCount === restarts && status.state.running && status.image.endsWith(image)
        ? status
        : undefined;
    },
    20_000,
  );

describe('a pod’s image changed in place', () => {
  test('set image and apply restart the container with the new image', async () => {
    const file = await k.writeFile('swap.yaml', pod('web:1'));
    assert.equal((await ok('apply', '-f', file)).trim(), 'pod/swap created');
    await waitFor('swap running', () => runtime.pod('default', 'swap')?.phase() === 'Running');
    // Its first line written: the old run's log is there for --previous.
    await waitFor('the first log', async () =>
      (await ok('logs', 'swap')).startsWith('client=') ? true : undefined,
    );
    const first = runtime.pod('default', 'swap')?.containers()[0]?.pid;

    assert.equal(
      (await ok('set', 'image', 'pod/swap', 'app=myreg01.azurecr.io/web:2')).trim(),
      'pod/swap image updated',
    );
    const second = await runsAfter('web:2', 1);
    assert.notEqual(second.containerID, undefined);
    assert.equal(typeof second.lastState.terminated.exitCode, 'number', 'the old run as the last state');
    assert.notEqual(runtime.pod('default', 'swap')?.containers()[0]?.pid, first);
    await waitFor('the new log', async () =>
      (await ok('logs', 'swap')) === 'version 2\n' ? true : undefined,
    );
    assert.match(await ok('logs', 'swap', '--previous'), /^client=/);
    const described = await ok('describe', 'pod', 'swap');
    assert.match(described, /Normal\s+Killing\s.*Container app definition changed, will be restarted/);
    assert.match(described, /Restart Count:\s+1/);

    // The manifest again, with web:1: a client-side apply patches the image back.
    assert.equal((await ok('apply', '-f', file)).trim(), 'pod/swap configured');
    await runsAfter('web:1', 2);
    assert.equal(runtime.pod('default', 'swap')?.phase(), 'Running');
  });

  test('an image that does not exist waits in ErrImagePull until the spec is fixed', async () => {
    await ok('set', 'image', 'pod/swap', 'app=myreg01.azurecr.io/web:9');
    await waitFor('the pull refused', async () => {
      const table = await ok('get', 'pod', 'swap');
      return /swap\s+0\/1\s+(ErrImagePull|ImagePullBackOff)\s/.test(table) ? true : undefined;
    });
    await ok('set', 'image', 'pod/swap', 'app=myreg01.azurecr.io/web:2');
    await runsAfter('web:2', 3);
    assert.match(await ok('describe', 'pod', 'swap'), /Failed to pull image "myreg01.azurecr.io\/web:9"/);
  });

  test('any other spec change is refused in kube-apiserver’s words, nothing changed', async () => {
    const file = await k.writeFile('swap.yaml', pod('web:2', 'Never'));
    const refused = await k.kubectl(['apply', '-f', file]);
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      /The Pod "swap" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`,`spec.initContainers\[\*\].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` \(only additions to existing tolerations\),`spec.terminationGracePeriodSeconds` \(allow it to be set to 1 if it was previously negative\)\n\s+core.PodSpec\{\n-\s+RestartPolicy: "Always",\n\+\s+RestartPolicy: "Never",\n\s+\}/,
    );
    const patched = await k.kubectl([
      'patch',
      'pod',
      'swap',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/containers/0/image","value":"myreg01.azurecr.io/web:1"},{"op":"add","path":"/spec/containers/0/args","value":["x"]}]',
    ]);
    assert.notEqual(patched.code, 0);
    assert.match(patched.stderr, /pod updates may not change fields other than/);
    const served = JSON.parse(await ok('get', 'pod', 'swap', '-o', 'json'));
    assert.equal(served.spec.restartPolicy, 'Always');
    assert.equal(served.spec.containers[0].image, 'myreg01.azurecr.io/web:2');
    assert.equal(served.status.containerStatuses[0].restartCount, 3);
  });
});
