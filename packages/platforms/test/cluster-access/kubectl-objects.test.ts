/**
 * The real kubectl against a local cluster's Kubernetes API, with the runtime behind it (pods really
 * run, admitted by the webhook): client-side apply created → unchanged → configured, `get -o yaml`
 * showing the applied change, Tables with kubectl's columns, short names and `-A`, a Deployment's
 * delete taking its pods, AKS's Forbidden without a role assignment — and bad input answered with
 * kube's Status (reason, code, message) leaving nothing half-created.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { waitFor } from '../runtime/support.ts';
import { type KubectlCluster, startKubectlCluster } from './kubectl-support.ts';

let k: KubectlCluster;
before(async () => {
  k = await startKubectlCluster();
});
after(async () => {
  await k?.close();
});

const app = (greeting: string, replicas = 2) => `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {greeting: ${greeting}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
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
          env:
            - {name: GREETING, valueFrom: {configMapKeyRef: {name: settings, key: greeting}}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`;

async function ok(...args: string[]): Promise<string> {
  const run = await k.kubectl(args);
  assert.equal(run.code, 0, `kubectl ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

/** A Table's rows as kubectl prints them: header cells, then each row's cells. */
const table = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/));

describe('the real kubectl against a local cluster', () => {
  test('apply: created, then unchanged, then a changed field configured and shown by get -o yaml', async () => {
    const file = await k.writeFile('app.yaml', app('hello'));
    assert.deepEqual((await ok('apply', '-f', file)).trim().split('\n'), [
      'namespace/shop created',
      'configmap/settings created',
      'deployment.apps/web created',
      'service/web created',
    ]);
    assert.deepEqual((await ok('apply', '-f', file)).trim().split('\n'), [
      'namespace/shop unchanged',
      'configmap/settings unchanged',
      'deployment.apps/web unchanged',
      'service/web unchanged',
    ]);
    await k.writeFile('app.yaml', app('bonjour', 1));
    assert.deepEqual((await ok('apply', '-f', file)).trim().split('\n'), [
      'namespace/shop unchanged',
      'configmap/settings configured',
      'deployment.apps/web configured',
      'service/web unchanged',
    ]);
    const settings = parse(await ok('get', 'cm', 'settings', '-n', 'shop', '-o', 'yaml'));
    assert.equal(settings.data.greeting, 'bonjour');
    assert.match(
      settings.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'],
      /bonjour/,
    );
    assert.match(settings.metadata.resourceVersion, /^\d+$/);
    const deployment = parse(await ok('get', 'deploy', 'web', '-n', 'shop', '-o', 'yaml'));
    assert.equal(deployment.spec.replicas, 1);
    assert.equal(deployment.metadata.generation, 2);
    // The strategic merge patch kept the webhook-free template's container (merged by name).
    assert.equal(deployment.spec.template.spec.containers[0].name, 'app');
  });

  test('tables with kubectl columns, short names, -A and label selectors', async () => {
    await waitFor(
      'one Running pod',
      async () => {
        const rows = table(await ok('get', 'po', '-n', 'shop'));
        return rows.length === 2 && rows[1]?.[2] === 'Running' ? rows : undefined;
      },
      20_000,
    );
    const pods = table(await ok('get', 'po', '-n', 'shop'));
    assert.deepEqual(pods[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    assert.match(pods[1]?.[0] ?? '', /^web-[0-9a-f]{10}-[a-z0-9]{5}$/);
    assert.deepEqual(pods[1]?.slice(1, 4), ['1/1', 'Running', '0']);
    const deploy = table(await ok('get', 'deploy', '-n', 'shop'));
    assert.deepEqual(deploy, [
      ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
      ['web', '1/1', '1', '1', deploy[1]?.[4] as string],
    ]);
    const services = table(await ok('get', 'svc', '-n', 'shop'));
    assert.deepEqual(services[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    assert.deepEqual(services[1]?.slice(0, 2), ['web', 'ClusterIP']);
    assert.equal(services[1]?.[4], '80/TCP');
    const namespaces = table(await ok('get', 'ns'));
    assert.deepEqual(namespaces[0], ['NAME', 'STATUS', 'AGE']);
    assert.deepEqual(
      namespaces.slice(1).map((row) => `${row[0]} ${row[1]}`),
      ['default Active', 'kube-system Active', 'kube-public Active', 'kube-node-lease Active', 'shop Active'],
    );
    const all = table(await ok('get', 'sa,cm', '-A'));
    assert.deepEqual(all[0], ['NAMESPACE', 'NAME', 'SECRETS', 'AGE']);
    assert.ok(all.some((row) => row[0] === 'shop' && row[1] === 'serviceaccount/default'));
    assert.ok(all.some((row) => row[0] === 'shop' && row[1] === 'configmap/settings'));
    assert.equal(
      (await ok('get', 'po', '-n', 'shop', '-l', 'app=web', '-o', 'name')).trim().split('\n').length,
      1,
    );
    assert.equal((await ok('get', 'po', '-n', 'shop', '-l', 'app!=web', '-o', 'name')).trim(), '');
    // The pod went through the webhook: its identity env is on the served object.
    const pod = JSON.parse(await ok('get', 'po', '-n', 'shop', '-o', 'json')).items[0];
    assert.equal(pod.status.phase, 'Running');
    assert.equal(pod.spec.nodeName, 'credless-local');
  });

  test('delete of a Deployment removes its pods', async () => {
    const before = (await ok('get', 'po', '-n', 'shop', '-o', 'name')).trim().split('\n');
    assert.equal(before.length, 1);
    assert.equal((await ok('delete', 'deploy', 'web', '-n', 'shop')).trim(), 'deployment.apps "web" deleted');
    const after = await k.kubectl(['get', 'po', '-n', 'shop']);
    assert.equal(after.code, 0);
    assert.match(after.stderr, /No resources found in shop namespace/);
    const gone = await k.kubectl(['get', before[0] as string, '-n', 'shop']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /\(NotFound\): pods "web-[^"]+" not found/);
  });

  test('objects outlive a restart of the runtime, with their resourceVersions; versions only go up', async () => {
    const before = parse(await ok('get', 'cm', 'settings', '-n', 'shop', '-o', 'yaml'));
    await k.restartRuntime();
    const after = parse(await ok('get', 'cm', 'settings', '-n', 'shop', '-o', 'yaml'));
    assert.deepEqual(after, before);
    assert.equal(table(await ok('get', 'ns', 'shop'))[1]?.[1], 'Active');
    const file = await k.writeFile('app.yaml', app('bonjour', 0));
    assert.match(await ok('apply', '-f', file), /configmap\/settings unchanged/);
    await ok('label', 'cm', 'settings', '-n', 'shop', 'restarted=yes');
    const relabelled = parse(await ok('get', 'cm', 'settings', '-n', 'shop', '-o', 'yaml'));
    assert.ok(Number(relabelled.metadata.resourceVersion) > Number(before.metadata.resourceVersion));
    assert.equal(relabelled.metadata.labels.restarted, 'yes');
  });

  test('kubectl scale through the scale subresource; Secrets keep stringData as base64 data', async () => {
    assert.equal(
      (await ok('scale', 'deploy', 'web', '-n', 'shop', '--replicas=1')).trim(),
      'deployment.apps/web scaled',
    );
    assert.equal(await ok('get', 'deploy', 'web', '-n', 'shop', '-o', 'jsonpath={.spec.replicas}'), '1');
    await waitFor(
      'the scaled-up pod',
      async () => (await ok('get', 'po', '-n', 'shop', '-o', 'name')).trim() || undefined,
      20_000,
    );
    const file = await k.writeFile(
      'secret.yaml',
      'apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: shop}\nstringData: {password: hunter2}\n',
    );
    assert.equal((await ok('apply', '-f', file)).trim(), 'secret/creds created');
    // As on any cluster: stringData is never stored, so kubectl's three-way diff always finds it to add.
    assert.equal((await ok('apply', '-f', file)).trim(), 'secret/creds configured');
    const secret = JSON.parse(await ok('get', 'secret', 'creds', '-n', 'shop', '-o', 'json'));
    assert.deepEqual(
      [secret.type, secret.data, secret.stringData],
      ['Opaque', { password: 'aHVudGVyMg==' }, undefined],
    );
    assert.deepEqual(table(await ok('get', 'secret', 'creds', '-n', 'shop'))[1]?.slice(0, 3), [
      'creds',
      'Opaque',
      '1',
    ]);
  });

  test('server-side apply: managedFields per manager, a conflict with another manager, --force-conflicts', async () => {
    const config = (greeting: string, extra = '') =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa, namespace: shop}\ndata: {greeting: ${greeting}${extra}}\n`;
    const file = await k.writeFile('ssa.yaml', config('hello', ', extra: x'));
    assert.equal((await ok('apply', '--server-side', '-f', file)).trim(), 'configmap/ssa serverside-applied');
    await k.writeFile('ssa.yaml', config('bonjour'));
    await ok('apply', '--server-side', '-f', file);
    const applied = JSON.parse(
      await ok('get', 'cm', 'ssa', '-n', 'shop', '-o', 'json', '--show-managed-fields'),
    );
    // The field it no longer applies is gone; it owns what it applies.
    assert.deepEqual(applied.data, { greeting: 'bonjour' });
    assert.deepEqual(
      applied.metadata.managedFields.map((e: { manager: string; operation: string; fieldsV1: unknown }) => [
        e.manager,
        e.operation,
        e.fieldsV1,
      ]),
      [['kubectl', 'Apply', { 'f:data': { 'f:greeting': {} } }]],
    );
    await ok('patch', 'cm', 'ssa', '-n', 'shop', '--type', 'merge', '-p', '{"data":{"greeting":"hola"}}');
    const conflict = await k.kubectl(['apply', '--server-side', '-f', file]);
    assert.notEqual(conflict.code, 0);
    assert.match(
      conflict.stderr,
      /Apply failed with 1 conflict: conflict with "kubectl-patch" using v1: \.data\.greeting/,
    );
    assert.equal(await ok('get', 'cm', 'ssa', '-n', 'shop', '-o', 'jsonpath={.data.greeting}'), 'hola');
    await ok('apply', '--server-side', '--force-conflicts', '-f', file);
    const forced = JSON.parse(
      await ok('get', 'cm', 'ssa', '-n', 'shop', '-o', 'json', '--show-managed-fields'),
    );
    assert.equal(forced.data.greeting, 'bonjour');
    assert.deepEqual(
      forced.metadata.managedFields.map((e: { manager: string }) => e.manager),
      ['kubectl'],
    );
  });

  test('fields newer than the patch-strategy source are known (startupProbe) and patched', async () => {
    const deployment = (period: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: probed, namespace: shop}
spec:
  replicas: 0
  selector: {matchLabels: {app: probed}}
  template:
    metadata: {labels: {app: probed}}
    spec:
      containers:
        - name: app
          image: myreg01.azurecr.io/web:1
          startupProbe: {periodSeconds: ${period}, tcpSocket: {port: 8080}}
`;
    const file = await k.writeFile('probed.yaml', deployment(5));
    assert.equal((await ok('apply', '-f', file)).trim(), 'deployment.apps/probed created');
    await k.writeFile('probed.yaml', deployment(6));
    assert.equal((await ok('apply', '-f', file)).trim(), 'deployment.apps/probed configured');
    assert.equal(
      await ok(
        'get',
        'deploy',
        'probed',
        '-n',
        'shop',
        '-o',
        'jsonpath={.spec.template.spec.containers[0].startupProbe.periodSeconds}',
      ),
      '6',
    );
  });

  test("kubectl's typed creates (protobuf bodies): namespace, configmap, secret, serviceaccount", async () => {
    assert.equal((await ok('create', 'namespace', 'team')).trim(), 'namespace/team created');
    assert.equal(
      (
        await ok('create', 'configmap', 'c1', '-n', 'team', '--from-literal=a=b', '--from-literal=c=d')
      ).trim(),
      'configmap/c1 created',
    );
    assert.equal(
      (await ok('create', 'secret', 'generic', 's1', '-n', 'team', '--from-literal=password=hunter2')).trim(),
      'secret/s1 created',
    );
    assert.equal(
      (await ok('create', 'serviceaccount', 'sa1', '-n', 'team')).trim(),
      'serviceaccount/sa1 created',
    );
    assert.equal(await ok('get', 'cm', 'c1', '-n', 'team', '-o', 'jsonpath={.data}'), '{"a":"b","c":"d"}');
    assert.equal(
      await ok('get', 'secret', 's1', '-n', 'team', '-o', 'jsonpath={.data.password}'),
      'aHVudGVyMg==',
    );
    const bad = await k.kubectl(['create', 'configmap', 'Bad_Name', '-n', 'team']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /ConfigMap "Bad_Name" is invalid: metadata\.name: Invalid value/);
    assert.equal((await ok('delete', 'ns', 'team')).trim(), 'namespace "team" deleted');
    assert.equal((await k.call('GET', '/api/v1/namespaces/team/configmaps/c1')).status, 404);
  });

  test('without a role assignment: Forbidden in AKS words', async () => {
    const refused = await k.kubectl(['get', 'pods', '-n', 'shop'], { who: 'nobody' });
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      /Error from server \(Forbidden\): pods is forbidden: User "[0-9a-f-]{36}" cannot list resource "pods" in API group "" in the namespace "shop": User does not have access to the resource in Azure\. Update role assignment to allow access\./,
    );
    const write = await k.kubectl(['create', 'configmap', 'x', '-n', 'shop'], { who: 'nobody' });
    assert.notEqual(write.code, 0);
    assert.match(
      write.stderr,
      /configmaps is forbidden: User "[0-9a-f-]{36}" cannot create resource "configmaps"/,
    );
    assert.equal((await k.call('GET', '/api/v1/namespaces/shop/configmaps/x')).status, 404);
    // kubectl auth can-i (a protobuf SelfSubjectAccessReview) gets the same Azure RBAC decision; whoami the caller.
    const cannot = await k.kubectl(['auth', 'can-i', 'get', 'pods', '-n', 'shop'], { who: 'nobody' });
    assert.equal(cannot.code, 1);
    assert.equal(
      cannot.stdout.trim(),
      'no - User does not have access to the resource in Azure. Update role assignment to allow access.',
    );
    assert.equal((await ok('auth', 'can-i', 'create', 'deployments.apps', '-n', 'shop')).trim(), 'yes');
    const whoami = JSON.parse(await ok('auth', 'whoami', '-o', 'json'));
    assert.match(whoami.status.userInfo.username, /^[0-9a-f-]{36}$/);
  });
});

interface BadInput {
  name: string;
  /** What is sent: kubectl's arguments (and a manifest), or a raw request. */
  kubectl?: { args: string[]; manifest?: string };
  raw?: { method: string; path: string; body: unknown; contentType?: string };
  /** kubectl's error line, or the Status (code, reason, message) of the raw answer. */
  error: RegExp;
  status?: { code: number; reason: string };
  /** What must not exist afterwards (or must be as before). */
  absent: string;
}

const configMap = (name: string, extra = '') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: shop${extra}}\ndata: {a: b}\n`;

const BAD_INPUTS: BadInput[] = [
  {
    name: 'malformed YAML manifest (kubectl refuses it before the server)',
    kubectl: {
      args: ['apply', '-f'],
      manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken\n',
    },
    error: /error converting YAML to JSON|could not find expected|did not find expected/,
    absent: '/api/v1/namespaces/shop/configmaps/broken',
  },
  {
    name: 'unknown kind (discovery has no such resource)',
    kubectl: {
      args: ['apply', '-f'],
      manifest: 'apiVersion: v1\nkind: Widget\nmetadata: {name: w1, namespace: shop}\n',
    },
    error: /no matches for kind "Widget" in version "v1"/,
    absent: '/api/v1/namespaces/shop/widgets/w1',
  },
  {
    name: 'unknown resource path: 404 NotFound Status',
    raw: {
      method: 'POST',
      path: '/api/v1/namespaces/shop/widgets',
      body: { apiVersion: 'v1', kind: 'Widget', metadata: { name: 'w2' } },
    },
    error: /the server could not find the requested resource/,
    status: { code: 404, reason: 'NotFound' },
    absent: '/api/v1/namespaces/shop/widgets/w2',
  },
  {
    name: 'bad apiVersion (apps/v2)',
    kubectl: {
      args: ['apply', '-f'],
      manifest: 'apiVersion: apps/v2\nkind: Deployment\nmetadata: {name: v2, namespace: shop}\nspec: {}\n',
    },
    error: /no matches for kind "Deployment" in version "apps\/v2"/,
    absent: '/apis/apps/v1/namespaces/shop/deployments/v2',
  },
  {
    name: 'invalid name: 422 Invalid with the RFC 1123 rule',
    kubectl: { args: ['create', '-f'], manifest: configMap('Bad_Name') },
    error:
      /The ConfigMap "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    absent: '/api/v1/namespaces/shop/configmaps/Bad_Name',
  },
  {
    name: 'namespace that does not exist: 404 NotFound',
    kubectl: {
      args: ['create', '-f'],
      manifest: configMap('lost').replace('namespace: shop', 'namespace: nowhere'),
    },
    error: /Error from server \(NotFound\).*namespaces "nowhere" not found/,
    absent: '/api/v1/namespaces/nowhere/configmaps/lost',
  },
  {
    name: 'unknown field under fieldValidation=Strict: 400 BadRequest, strict decoding error',
    kubectl: {
      args: ['apply', '-f'],
      manifest:
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: typo, namespace: shop}\nspec:\n  replica: 2\n  selector: {matchLabels: {app: typo}}\n  template:\n    metadata: {labels: {app: typo}}\n    spec: {containers: [{name: app, image: myreg01.azurecr.io/web:1}]}\n',
    },
    error:
      /Error from server \(BadRequest\).*Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec\.replica"/,
    absent: '/apis/apps/v1/namespaces/shop/deployments/typo',
  },
  {
    name: 'Deployment without containers: 422 Invalid',
    kubectl: {
      args: ['apply', '-f'],
      manifest:
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: empty, namespace: shop}\nspec:\n  selector: {matchLabels: {app: empty}}\n  template:\n    metadata: {labels: {app: empty}}\n    spec: {containers: []}\n',
    },
    error:
      /The Deployment "empty" is invalid: spec\.template\.spec\.containers: Invalid value: must list at least one container/,
    absent: '/apis/apps/v1/namespaces/shop/deployments/empty',
  },
  {
    name: 'malformed JSON body: 400 BadRequest Status',
    raw: {
      method: 'POST',
      path: '/api/v1/namespaces/shop/configmaps',
      body: '{"apiVersion": "v1", "kind": ',
    },
    error: /the body of the request could not be decoded/,
    status: { code: 400, reason: 'BadRequest' },
    absent: '/api/v1/namespaces/shop/configmaps',
  },
  {
    name: "a Secret posted to configmaps: 400 BadRequest (the kind is not the path's)",
    raw: {
      method: 'POST',
      path: '/api/v1/namespaces/shop/configmaps',
      body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'mixed' } },
    },
    error: /does not match the resource configmaps/,
    status: { code: 400, reason: 'BadRequest' },
    absent: '/api/v1/namespaces/shop/configmaps/mixed',
  },
  {
    name: "an object of another namespace than the path's: 400 BadRequest",
    raw: {
      method: 'POST',
      path: '/api/v1/namespaces/shop/configmaps',
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'elsewhere', namespace: 'default' } },
    },
    error: /the namespace of the provided object does not match the namespace sent on the request/,
    status: { code: 400, reason: 'BadRequest' },
    absent: '/api/v1/namespaces/shop/configmaps/elsewhere',
  },
  {
    name: 'a patch in an unsupported media type: 415 UnsupportedMediaType',
    raw: {
      method: 'PATCH',
      path: '/api/v1/namespaces/shop/configmaps/settings',
      body: 'data: {a: b}',
      contentType: 'application/yaml',
    },
    error: /accepted media types include: application\/json-patch\+json/,
    status: { code: 415, reason: 'UnsupportedMediaType' },
    absent: '/api/v1/namespaces/shop/configmaps/settings?data.a',
  },
  {
    name: 'a JSON Patch on a missing path: 400 BadRequest, nothing changed',
    raw: {
      method: 'PATCH',
      path: '/api/v1/namespaces/shop/configmaps/settings',
      body: [{ op: 'replace', path: '/data/missing/deeper', value: 'x' }],
      contentType: 'application/json-patch+json',
    },
    error: /the JSON Patch could not be applied/,
    status: { code: 400, reason: 'BadRequest' },
    absent: '/api/v1/namespaces/shop/configmaps/settings?data.missing',
  },
  {
    name: 'a Secret whose data is not base64: 400 BadRequest',
    raw: {
      method: 'POST',
      path: '/api/v1/namespaces/shop/secrets',
      body: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'plain' },
        data: { password: 'not base64!' },
      },
    },
    error: /Secret in version "v1" cannot be handled as a Secret: illegal base64 data/,
    status: { code: 400, reason: 'BadRequest' },
    absent: '/api/v1/namespaces/shop/secrets/plain',
  },
  {
    name: 'a malformed label selector: 400 BadRequest',
    raw: { method: 'GET', path: '/api/v1/namespaces/shop/pods?labelSelector=a%20in%20(b', body: undefined },
    error: /unable to parse requirement: label selector/,
    status: { code: 400, reason: 'BadRequest' },
    absent: '/api/v1/namespaces/shop/pods/none',
  },
];

describe('bad input: kube Status bodies, nothing half-created', () => {
  test('an existing object: create is 409 AlreadyExists; a stale resourceVersion is 409 Conflict', async () => {
    const file = await k.writeFile('dup.yaml', configMap('dup'));
    await ok('create', '-f', file);
    const again = await k.kubectl(['create', '-f', file]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /Error from server \(AlreadyExists\).*configmaps "dup" already exists/);
    const current = parse(await ok('get', 'cm', 'dup', '-n', 'shop', '-o', 'yaml'));
    await ok('patch', 'cm', 'dup', '-n', 'shop', '--type', 'merge', '-p', '{"data":{"a":"c"}}');
    const stale = await k.writeFile(
      'stale.yaml',
      configMap('dup', `, resourceVersion: "${current.metadata.resourceVersion}"`),
    );
    const replaced = await k.kubectl(['replace', '-f', stale]);
    assert.notEqual(replaced.code, 0);
    assert.match(
      replaced.stderr,
      /Error from server \(Conflict\).*Operation cannot be fulfilled on configmaps "dup": the object has been modified; please apply your changes to the latest version and try again/,
    );
    const after = await k.call('GET', '/api/v1/namespaces/shop/configmaps/dup');
    assert.equal(after.body.data.a, 'c');
    const raw = await k.call('PUT', '/api/v1/namespaces/shop/configmaps/dup', {
      ...after.body,
      metadata: { ...after.body.metadata, resourceVersion: current.metadata.resourceVersion },
    });
    assert.deepEqual(
      { code: raw.body.code, reason: raw.body.reason, kind: raw.body.kind, status: raw.body.status },
      { code: 409, reason: 'Conflict', kind: 'Status', status: 'Failure' },
    );
    assert.deepEqual(raw.body.details, { name: 'dup', kind: 'configmaps' });
  });

  test('a pod spec change other than an image is 422 Invalid (pods are immutable but for metadata and images)', async () => {
    const pod = (value: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: solo, namespace: shop}\nspec:\n  containers: [{name: app, image: myreg01.azurecr.io/web:1, env: [{name: MODE, value: "${value}"}]}]\n`;
    const file = await k.writeFile('pod.yaml', pod('one'));
    assert.equal((await ok('apply', '-f', file)).trim(), 'pod/solo created');
    await k.writeFile('pod.yaml', pod('two'));
    const changed = await k.kubectl(['apply', '-f', file]);
    assert.notEqual(changed.code, 0);
    assert.match(
      changed.stderr,
      /The Pod "solo" is invalid: spec: Forbidden: pod updates may not change fields/,
    );
    const served = await k.call('GET', '/api/v1/namespaces/shop/pods/solo');
    assert.equal(
      served.body.spec.containers[0].env.find((e: { name: string }) => e.name === 'MODE').value,
      'one',
    );
    assert.equal((await ok('delete', 'pod', 'solo', '-n', 'shop')).trim(), 'pod "solo" deleted');
  });

  for (const bad of BAD_INPUTS) {
    test(bad.name, async () => {
      const [absentPath, absentField] = bad.absent.split('?');
      const before = await k.call('GET', absentPath as string);
      if (bad.kubectl) {
        const args = [...bad.kubectl.args];
        if (bad.kubectl.manifest !== undefined)
          args.push(await k.writeFile('bad.yaml', bad.kubectl.manifest));
        const run = await k.kubectl(args);
        assert.notEqual(run.code, 0, run.stdout);
        assert.match(run.stderr, bad.error);
      } else if (bad.raw) {
        const { method, path, body, contentType } = bad.raw;
        const answer = await k.call(method, path, body, contentType);
        assert.equal(answer.status, bad.status?.code);
        assert.equal(answer.body.kind, 'Status');
        assert.equal(answer.body.apiVersion, 'v1');
        assert.equal(answer.body.status, 'Failure');
        assert.equal(answer.body.code, bad.status?.code);
        assert.equal(answer.body.reason, bad.status?.reason);
        assert.match(answer.body.message, bad.error);
      }
      const after = await k.call('GET', absentPath as string);
      if (absentField !== undefined || before.status === 200) {
        // Unchanged: the same resourceVersion and content.
        assert.deepEqual(after.body, before.body);
      } else {
        assert.equal(after.status, 404);
        assert.equal(after.body.kind, 'Status');
      }
    });
  }
});
