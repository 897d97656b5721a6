/**
 * The real kubectl following a local cluster as it runs (AKS-style API, a bearer token of the AKS
 * server app, Azure RBAC Cluster Admin): `logs -f` streams a container's lines as it writes them and
 * ends when it exits; `get pods -w` sees a failing container restart; `describe pod` shows what the
 * workload identity webhook injected and the pod's Events; `rollout status` waits for a Deployment
 * and returns 0. kubectl must be installed (`apt-get install -y kubernetes-client`); without it the
 * tests fail.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ClusterRuntime } from '../../src/runtime/cluster-runtime.ts';
import { buildImage } from '../../src/runtime/images/registry.ts';
import { loadManifests } from '../../src/runtime/manifests/load.ts';
import { waitFor } from '../runtime/support.ts';
import { KUBECTL, type KubectlCluster, startKubectlCluster } from './kubectl-support.ts';

const CLIENT_ID = '11111111-2222-3333-4444-555555555555';

/** One image with a program per behaviour: a web server, a counter that ends, a crasher. */
const PROGRAMS = {
  'web.mjs': `import { createServer } from 'node:http';
console.log('web up as ' + process.env.AZURE_CLIENT_ID);
createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`,
  'count.mjs': `for (let i = 1; i <= 8; i++) {
  console.log('line ' + i);
  await new Promise((resolve) => setTimeout(resolve, 400));
}
`,
  'idle.mjs': `setInterval(() => {}, 60_000);
process.on('SIGTERM', () => process.exit(0));
`,
  'crash.mjs': `console.log('crashing soon');
setTimeout(() => process.exit(3), 1500);
`,
};

const manifests = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: workload-sa
  annotations:
    azure.workload.identity/client-id: ${CLIENT_ID}
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
          image: myreg01.azurecr.io/tools:1
          ports: [{containerPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: crasher
spec:
  replicas: 1
  selector:
    matchLabels: {app: crasher}
  template:
    metadata:
      labels: {app: crasher}
    spec:
      containers:
        - name: app
          image: myreg01.azurecr.io/tools:1
          command: [node, crash.mjs]
`;

const counterPod = `apiVersion: v1
kind: Pod
metadata:
  name: counter
spec:
  restartPolicy: Never
  containers:
    - name: count
      image: myreg01.azurecr.io/tools:1
      command: [node, count.mjs]
`;

const twoContainers = `apiVersion: v1
kind: Pod
metadata:
  name: two
spec:
  restartPolicy: Never
  containers:
    - {name: a, image: myreg01.azurecr.io/tools:1, command: [node, count.mjs]}
    - {name: b, image: myreg01.azurecr.io/tools:1, command: [node, count.mjs]}
`;

const idlePods = ['idle-1', 'idle-2']
  .map(
    (name) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {quiet: "yes"}}
spec:
  containers: [{name: idle, image: myreg01.azurecr.io/tools:1, command: [node, idle.mjs]}]
`,
  )
  .join('---\n');

let env: KubectlCluster;
let runtime: ClusterRuntime;
let imageDir: string;
const imageContext = () => ({
  store: env.credless.store,
  tenantId: env.credless.tenantId,
  dataDir: env.credless.dataDir,
});

const kubectl = (...args: string[]) => env.kubectl(args);

/** A kubectl that keeps running (-f, -w): its output lines with the time each arrived. */
function kubectlStream(...args: string[]) {
  const kubeconfig = join(env.dir, 'admin.kubeconfig');
  const child: ChildProcess = spawn(KUBECTL, ['--kubeconfig', kubeconfig, ...args], {
    env: { PATH: process.env['PATH'], HOME: env.dir, KUBECACHEDIR: join(env.dir, 'cache') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<{ text: string; at: number }> = [];
  let partial = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const text of parts) lines.push({ text, at: Date.now() });
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, exited, stderr: () => stderr };
}

const apply = (text: string, source: string) =>
  runtime.apply(loadManifests(text, { source, env: {} }), source);

const podOf = (app: string) =>
  runtime
    .servedList('Pod', 'default')
    .find((p) => (p.metadata['labels'] as Record<string, string>)?.['app'] === app);

before(async () => {
  env = await startKubectlCluster();
  // One more image in the cluster's registry: a program per behaviour.
  imageDir = join(env.dir, 'tools-image');
  await mkdir(imageDir);
  for (const [file, text] of Object.entries(PROGRAMS)) await writeFile(join(imageDir, file), text);
  await writeFile(join(imageDir, 'credless-image.json'), JSON.stringify({ command: ['node', 'web.mjs'] }));
  await buildImage(imageContext(), { registry: 'myreg01', image: 'tools:1', source: imageDir });
  runtime = await env.runtime.clusters.runtimeOf(env.cluster);
  await apply(manifests, 'app.yaml');
});

after(async () => {
  await env?.close();
});

describe('kubectl following a local cluster (watch, logs, events, rollout)', () => {
  test('rollout status waits for the Deployment and returns 0', async () => {
    const before = await waitFor('the first web pod running', () => {
      const pod = podOf('web');
      return pod && runtime.pod('default', pod.metadata.name)?.phase() === 'Running' ? pod : undefined;
    });
    // The pipeline's order: the app applied before its image is built; the new pod waits in ErrImagePull.
    await apply(manifests.replace('tools:1\n          ports', 'tools:2\n          ports'), 'app.yaml');
    const waiting = runtime.served('Deployment', 'default', 'web')?.['status'] as Record<string, unknown>;
    assert.equal(waiting['availableReplicas'], 0);
    const notYet = await kubectl('logs', 'deployment/web');
    assert.match(
      notYet.stderr,
      /container "app" in pod "web-\S+" is waiting to start: (trying and failing to pull image|image can't be pulled)/,
    );
    const rolling = kubectl('rollout', 'status', 'deployment/web', '--timeout=60s');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await buildImage(imageContext(), { registry: 'myreg01', image: 'tools:2', source: imageDir });
    const rolled = await rolling;
    assert.equal(rolled.code, 0, rolled.stderr);
    assert.match(
      rolled.stdout,
      /Waiting for deployment "web" rollout to finish: 0 of 1 updated replicas are available/,
    );
    assert.match(rolled.stdout, /deployment "web" successfully rolled out/);
    const served = runtime.served('Deployment', 'default', 'web')?.['status'] as Record<string, unknown>;
    assert.equal(served['availableReplicas'], 1);

    // What happened, as Events: the old pod stopped, the ReplicaSets scaled, the pull failed first.
    const killing = await kubectl(
      'get',
      'events',
      '--field-selector',
      `reason=Killing,involvedObject.name=${before.metadata.name}`,
      '-o',
      'json',
    );
    assert.equal(killing.code, 0, killing.stderr);
    assert.deepEqual(
      (JSON.parse(killing.stdout) as { items: Array<{ message: string }> }).items.map((e) => e.message),
      ['Stopping container app'],
    );
    const deployment = await kubectl('describe', 'deployment', 'web');
    assert.equal(deployment.code, 0, deployment.stderr);
    assert.match(deployment.stdout, /ScalingReplicaSet\s.*Scaled up replica set web-\w+ from 0 to 1/);
    assert.match(deployment.stdout, /ScalingReplicaSet\s.*Scaled down replica set web-\w+ from 1 to 0/);
    const pod = await waitFor('the new web pod', () => podOf('web'));
    const described = await kubectl('describe', 'pod', pod.metadata.name);
    assert.match(described.stdout, /Warning\s+Failed\s.*Failed to pull image "myreg01.azurecr.io\/tools:2"/);
  });

  test('logs -f streams the lines as the container writes them and ends when it exits', async () => {
    // Not waiting for the pod: kubectl waits for it to run (a watch), then follows its log.
    await apply(counterPod, 'counter.yaml');
    const started = Date.now();
    const follow = kubectlStream('logs', '-f', 'counter');
    const code = await follow.exited;
    assert.equal(code, 0, follow.stderr());
    const texts = follow.lines.map((l) => l.text);
    assert.deepEqual(texts.slice(-3), ['line 6', 'line 7', 'line 8']);
    const first = follow.lines[0]?.at as number;
    const last = follow.lines.at(-1)?.at as number;
    // Written 400 ms apart and received as written: a follow that buffered to the end would not spread.
    assert.ok(
      last - first >= 1000,
      `lines arrived over ${last - first} ms (${Date.now() - started} ms in all)`,
    );
    console.log(
      `# logs -f: ${texts.length} lines over ${last - first} ms, ended ${Date.now() - last} ms after the last`,
    );

    const tail = await kubectl('logs', 'counter', '--tail', '2');
    assert.equal(tail.code, 0, tail.stderr);
    assert.equal(tail.stdout, 'line 7\nline 8\n');
    const unknown = await kubectl('logs', 'counter', '-c', 'nope');
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /container nope is not valid for pod counter/);
  });

  test('get pods -w starts where its list ended: quiet pods are printed once', async () => {
    await apply(idlePods, 'idle.yaml');
    for (const name of ['idle-1', 'idle-2'])
      await waitFor(`${name} running`, () => runtime.pod('default', name)?.phase() === 'Running');
    const watch = kubectlStream('get', 'pods', '-w', '-l', 'quiet=yes');
    await waitFor('the listed pods', () => watch.lines.length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    watch.child.kill('SIGTERM');
    await watch.exited;
    const rows = watch.lines.slice(1).map((l) => l.text.split(/\s+/).slice(0, 3).join(' '));
    assert.deepEqual(rows, ['idle-1 1/1 Running', 'idle-2 1/1 Running']);
  });

  test('get pods -w sees a failing container restart', async () => {
    const watchers = runtime.events.watchers;
    const watch = kubectlStream('get', 'pods', '-w', '-l', 'app=crasher');
    const ROW = /^(crasher-\S+)\s+(\d+)\/1\s+(\S+)\s+(\d+)/;
    const rows = () => watch.lines.map((l) => ROW.exec(l.text)).filter((m) => m !== null);
    try {
      const first = await waitFor('the listed pod', () => rows()[0]);
      const restarts = Number(first[4]);
      // Later rows of the same pod: it fails (Error, CrashLoopBackOff), then runs again, one restart more.
      await waitFor('a restart seen by the watch', () => rows().find((m) => Number(m[4]) > restarts), 20_000);
      console.log(`# get pods -w: ${watch.lines.map((l) => l.text.replace(/\s+/g, ' ')).join(' | ')}`);
      assert.match(watch.lines[0]?.text ?? '', /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
      assert.ok(
        rows().some((m) => /CrashLoopBackOff|Error/.test(m[3] ?? '')),
        'the watch saw the container fail before it restarted',
      );
      assert.ok(
        rows().every((m) => m[1] === first[1]),
        'restarted in place: the same pod',
      );
      // Logs are per run: the current run's, and the one before with --previous (not every run's).
      for (const args of [[], ['--previous']]) {
        const logs = await kubectl('logs', first[1] as string, ...args);
        assert.equal(logs.code, 0, logs.stderr);
        assert.equal(logs.stdout, 'crashing soon\n', `logs ${args.join(' ')}`);
      }
      const described = await kubectl('describe', 'pod', first[1] as string);
      assert.match(described.stdout, /Last State:\s+Terminated\s+Reason:\s+Error\s+Exit Code:\s+3/);
      assert.match(
        described.stdout,
        /Warning\s+BackOff\s.*Back-off restarting failed container app in pod crasher-/,
      );
    } finally {
      watch.child.kill('SIGTERM');
      await watch.exited;
    }
    // The client went away: its watch ends on the server too.
    await waitFor('the watch closed on the server', () => runtime.events.watchers === watchers);
  });

  test("describe pod shows the webhook's env and token volume, and the pod's Events", async () => {
    const pod = await waitFor('the web pod', () => podOf('web'));
    const described = await kubectl('describe', 'pod', pod.metadata.name);
    assert.equal(described.code, 0, described.stderr);
    const text = described.stdout;
    assert.match(text, new RegExp(`AZURE_CLIENT_ID:\\s+${CLIENT_ID}`));
    assert.match(text, new RegExp(`AZURE_TENANT_ID:\\s+${env.credless.tenantId}`));
    assert.match(
      text,
      /AZURE_FEDERATED_TOKEN_FILE:\s+\/var\/run\/secrets\/azure\/tokens\/azure-identity-token/,
    );
    assert.match(text, /AZURE_AUTHORITY_HOST:\s+https:\/\//);
    assert.match(text, /azure-identity-token:\s*\n\s+Type:\s+Projected/);
    assert.match(text, /Events:/);
    for (const reason of ['Mutated', 'Scheduled', 'Pulled', 'Created', 'Started'])
      assert.match(text, new RegExp(`Normal\\s+${reason}\\s`), `the ${reason} event`);
    assert.match(text, /Injected workload identity/);
    // kubectl wait reads the same conditions through a watch.
    const ready = await kubectl('wait', '--for=condition=Ready', `pod/${pod.metadata.name}`, '--timeout=30s');
    assert.equal(ready.code, 0, ready.stderr);
    assert.match(ready.stdout, /condition met/);
    const available = await kubectl('wait', '--for=condition=Available', 'deployment/web', '--timeout=30s');
    assert.equal(available.code, 0, available.stderr);
  });

  test("refusals in kube's words, the Events list and a watch's timeout", async () => {
    await apply(`${counterPod}---\n${twoContainers}`, 'pods.yaml');
    await waitFor(
      'the two-container pod running',
      () => runtime.pod('default', 'two')?.phase() === 'Running',
    );
    const web = await waitFor('the web pod', () => podOf('web'));
    const refused = async (args: string[], message: RegExp) => {
      const run = await kubectl(...args);
      assert.notEqual(run.code, 0, `${args.join(' ')} succeeded: ${run.stdout}`);
      assert.match(run.stderr, message, args.join(' '));
    };
    await refused(
      ['get', '--raw', '/api/v1/namespaces/default/pods/two/log'],
      /a container name must be specified for pod two, choose one of: \[a b\]/,
    );
    await refused(['logs', 'two', '-c', 'c'], /container c is not valid for pod two/);
    await refused(['logs', 'nosuchpod'], /pods "nosuchpod" not found/);
    await refused(
      ['logs', 'counter', '--previous'],
      /previous terminated container "count" in pod "counter" not found/,
    );
    await refused(['logs', 'counter', '--timestamps'], /does not record a time for each log line/);
    await refused(
      ['logs', web.metadata.name, '--since=1s'],
      /leave out --since\/--since-time, or use --tail/,
    );
    await refused(
      ['get', '--raw', '/api/v1/namespaces/default/pods?watch=1&resourceVersion=abc'],
      /invalid resourceVersion "abc": not a number/,
    );
    await refused(['get', 'events', '--field-selector', 'color=blue'], /field label not supported: color/);
    await refused(['get', 'pods', '-w', '-l', 'app in (x'], /unable to parse requirement|couldn't parse/);

    const recent = await kubectl('logs', web.metadata.name, '--since=1h');
    assert.equal(recent.code, 0, recent.stderr);
    assert.match(recent.stdout, new RegExp(`web up as ${CLIENT_ID}`));
    const second = await kubectl('logs', 'two', '-c', 'b', '--tail', '1');
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^line \d\n$/);

    const listed = await kubectl(
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=counter',
      '-o',
      'json',
    );
    assert.equal(listed.code, 0, listed.stderr);
    const list = JSON.parse(listed.stdout) as {
      kind: string;
      items: Array<{ reason: string; involvedObject: { name: string } }>;
    };
    assert.equal(list.kind, 'List');
    assert.ok(list.items.every((e) => e.involvedObject.name === 'counter'));
    for (const reason of ['Scheduled', 'Pulled', 'Created', 'Started'])
      assert.ok(
        list.items.some((e) => e.reason === reason),
        `${reason} recorded for counter`,
      );
    const table = await kubectl('get', 'events');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /counter/);

    // A watch without a version starts with the objects as they are; timeoutSeconds ends it.
    const started = Date.now();
    const watched = await kubectl('get', '--raw', '/api/v1/namespaces/default/pods?watch=1&timeoutSeconds=1');
    assert.equal(watched.code, 0, watched.stderr);
    const lines = watched.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } });
    const added = lines.filter((l) => l.type === 'ADDED').map((l) => l.object.metadata.name);
    assert.ok(added.includes('counter') && added.includes(web.metadata.name), added.join(' '));
    // Then only changes (the crasher keeps restarting meanwhile).
    assert.ok(lines.slice(added.length).every((l) => l.type === 'MODIFIED'));
    assert.ok(Date.now() - started >= 900, 'the watch lasted its timeoutSeconds');

    // client-go's WatchList: the state, then a bookmark marking the end of the initial events.
    const watchList = await kubectl(
      'get',
      '--raw',
      '/api/v1/namespaces/default/pods?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1',
    );
    assert.equal(watchList.code, 0, watchList.stderr);
    const events = watchList.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { type: string; object: { metadata: { annotations?: Record<string, string> } } },
      );
    const bookmark = events.findIndex((e) => e.type === 'BOOKMARK');
    assert.equal(bookmark, added.length, 'the bookmark follows the initial ADDED events');
    assert.equal(events[bookmark]?.object.metadata.annotations?.['k8s.io/initial-events-end'], 'true');
    await refused(
      ['get', '--raw', '/api/v1/namespaces/default/pods?watch=1&sendInitialEvents=true'],
      /sendInitialEvents requires setting resourceVersionMatch to NotOlderThan/,
    );
  });
});
