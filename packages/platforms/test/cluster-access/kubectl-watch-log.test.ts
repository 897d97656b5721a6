/**
 * Watches answered without a word in the server's log: the real kubectl's `rollout status` (a list,
 * then a watch it drops when the rollout is done) and `get deployments -w` (ended by a timeout, the
 * client's or the server's) leave no warning or error behind — a stream that Fastify no longer owns
 * is never answered a second time through `reply` (FST_ERR_REP_ALREADY_SENT).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { waitFor } from '../runtime/support.ts';
import { type KubectlCluster, startKubectlCluster } from './kubectl-support.ts';

interface LogRecord {
  level: number;
  msg?: string;
  err?: { code?: string; message?: string };
}

const logged: LogRecord[] = [];
const WARN = 40;
let k: KubectlCluster;

before(async () => {
  const logger = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line)) });
  k = await startKubectlCluster({ logger });
});
after(async () => {
  await k?.close();
});

const deployment = (replicas: number, greeting: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: app
          image: myreg01.azurecr.io/web:1
          ports: [{containerPort: 8080}]
          env: [{name: GREETING, value: ${greeting}}]
`;

async function ok(args: string[], input?: string): Promise<string> {
  const run = await k.kubectl(args, input === undefined ? {} : { input });
  assert.equal(run.code, 0, `kubectl ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

/** What the server logged at warn or above, or with an error attached, since `from`. */
const complaints = (from: number) =>
  logged
    .slice(from)
    .filter((record) => record.level >= WARN || record.err !== undefined)
    .map((record) => `${record.msg ?? ''} ${record.err?.code ?? ''} ${record.err?.message ?? ''}`.trim());

/** The log settles: a stream's close is handled after kubectl has exited. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

describe('watches leave the server log quiet', () => {
  test('rollout status, twice (a first rollout and a template change)', async () => {
    const from = logged.length;
    await ok(['apply', '-f', '-'], deployment(2, 'hello'));
    const first = await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.match(first, /deployment "web" successfully rolled out/);
    await ok(['apply', '-f', '-'], deployment(2, 'again'));
    const second = await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.match(second, /deployment "web" successfully rolled out/);
    await settle();
    assert.ok(
      logged.slice(from).some((record) => record.msg === 'incoming request'),
      'the log was captured',
    );
    assert.deepEqual(complaints(from), []);
  });

  test('get deployments -w, ended by the client’s timeout, while the Deployment changes', async () => {
    const from = logged.length;
    const watchers = (await k.runtime.clusters.runtimeOf(k.cluster)).events.watchers;
    const watching = k.kubectl(['get', 'deployments', '-w', '--request-timeout=3s']);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await ok(['scale', 'deployment/web', '--replicas=1']);
    const run = await watching;
    assert.match(run.stdout, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    assert.match(run.stdout, /\nweb\s+\d\/1\s/, 'the watch saw the scale');
    const runtime = await k.runtime.clusters.runtimeOf(k.cluster);
    await waitFor('the watch closed on the server', () => runtime.events.watchers === watchers);
    await settle();
    assert.deepEqual(complaints(from), []);
  });

  test('a watch ended by its timeoutSeconds, a pods watch, logs and Events reads', async () => {
    const from = logged.length;
    const timed = await ok([
      'get',
      '--raw',
      '/apis/apps/v1/namespaces/default/deployments?watch=1&timeoutSeconds=1',
    ]);
    assert.match(timed, /"type":"ADDED"/);
    const pods = await k.kubectl(['get', 'pods', '-w', '-l', 'app=web', '--request-timeout=2s']);
    assert.match(pods.stdout, /\nweb-\S+\s+1\/1\s+Running/);
    const pod = /\n(web-\S+)/.exec(pods.stdout)?.[1] as string;
    assert.match(await ok(['logs', pod]), /greeting=again/);
    assert.match(await ok(['get', 'events', '--field-selector', `involvedObject.name=${pod}`]), /Started/);
    await settle();
    assert.deepEqual(complaints(from), []);
  });
});
