import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CredlessError } from '@credless/core';
import {
  CLIENT_ID_ANNOTATION,
  SKIP_CONTAINERS_ANNOTATION,
  TENANT_ID_ANNOTATION,
  TOKEN_EXPIRATION_ANNOTATION,
} from '../../src/mutation/constants.ts';
import { parseIdentityBindingPolicy } from '../../src/mutation/identity-bindings.ts';
import { mutatePod, readPod } from '../../src/mutation/mutate-pod.ts';
import type { ServiceAccountInfo } from '../../src/mutation/types.ts';
import {
  AUTHORITY,
  applyAndValidate,
  CLIENT_ID,
  config,
  container,
  envOf,
  pod,
  serviceAccount,
  TENANT,
} from '../support.ts';

const annotated = serviceAccount({ [CLIENT_ID_ANNOTATION]: CLIENT_ID });
const TOKEN_FILE = '/var/run/secrets/azure/tokens/azure-identity-token';
const injected = [
  { name: 'AZURE_CLIENT_ID', value: CLIENT_ID },
  { name: 'AZURE_TENANT_ID', value: TENANT },
  { name: 'AZURE_FEDERATED_TOKEN_FILE', value: TOKEN_FILE },
  { name: 'AZURE_AUTHORITY_HOST', value: AUTHORITY },
];

function run(object: Record<string, unknown>, sa: ServiceAccountInfo = annotated, bindings?: string) {
  return mutatePod({
    pod: readPod(object),
    namespace: 'apps',
    serviceAccount: sa,
    config,
    bindings: bindings ? parseIdentityBindingPolicy(bindings) : undefined,
  });
}

/** Mutates, applies, validates, then mutates the result again: the second pass must add nothing. */
function mutateTwice(object: Record<string, unknown>, sa: ServiceAccountInfo = annotated) {
  const first = run(object, sa);
  assert.ok(
    first.patch.every((op) => op.op === 'add'),
    'only add operations',
  );
  const patched = applyAndValidate(object, first.patch);
  assert.deepEqual(run(patched, sa).patch, [], 'reinvocation adds nothing');
  return { ...first, patched };
}

describe('mutatePod: the composed mutation', () => {
  test('a plain pod gets env, mount and volume, and validates as a Pod', () => {
    const { patched, warnings } = mutateTwice(pod());
    assert.deepEqual(envOf(patched, 'containers', 0), injected);
    const spec = patched['spec'] as Record<string, Array<Record<string, unknown>>>;
    assert.deepEqual(spec['containers']![0]!['volumeMounts'], [
      { name: 'azure-identity-token', mountPath: '/var/run/secrets/azure/tokens', readOnly: true },
    ]);
    assert.equal(spec['volumes']![0]!['name'], 'azure-identity-token');
    assert.deepEqual(warnings, []);
  });

  test('init containers and containers alike; skip-containers honoured for both', () => {
    const object = pod(
      {
        initContainers: [container('init'), container('istio-init')],
        containers: [container('app'), container('istio-proxy')],
      },
      { annotations: { [SKIP_CONTAINERS_ANNOTATION]: 'istio-proxy; istio-init' } },
    );
    const { patched } = mutateTwice(object);
    assert.deepEqual(envOf(patched, 'initContainers', 0), injected);
    assert.deepEqual(envOf(patched, 'initContainers', 1), []);
    assert.deepEqual(envOf(patched, 'containers', 0), injected);
    assert.deepEqual(envOf(patched, 'containers', 1), []);
  });

  test('every container skipped: no patch at all (not even the volume)', () =>
    assert.deepEqual(run(pod({}, { annotations: { [SKIP_CONTAINERS_ANNOTATION]: 'app' } })).patch, []));

  test('fields unknown to the webhook survive untouched', () => {
    const object = pod(
      {
        containers: [
          container('app', {
            env: [{ name: 'KEEP', value: 'me' }],
            futureContainerField: { nested: [1, 2, 3] },
            resources: { limits: { cpu: '1' } },
          }),
        ],
        volumes: [{ name: 'data', emptyDir: {} }],
        futureSpecField: 'x',
        securityContext: { runAsNonRoot: true },
      },
      { futureMetadataField: { a: 1 }, annotations: { other: 'value' } },
    );
    object['futureTopLevel'] = true;
    object['status'] = { phase: 'Pending' };
    const { patched, patch } = mutateTwice(object);
    // Everything that was there is still there, unchanged: the patch only appended.
    const before = structuredClone(object) as {
      spec: { containers: Array<{ env: unknown[] }>; volumes: unknown[] };
    };
    const after = structuredClone(patched) as typeof before;
    after.spec.containers[0]!.env = after.spec.containers[0]!.env.slice(0, 1);
    delete (after.spec.containers[0] as Record<string, unknown>)['volumeMounts'];
    after.spec.volumes = after.spec.volumes.slice(0, 1);
    assert.deepEqual(after, before);
    assert.ok(patch.some((op) => op.path === '/spec/containers/0/env/-'));
    assert.ok(patch.some((op) => op.path === '/spec/volumes/-'));
  });

  test('user-set variables win; only missing ones are appended', () => {
    const object = pod({
      containers: [container('app', { env: [{ name: 'AZURE_AUTHORITY_HOST', value: 'https://mine/' }] })],
    });
    const { patched } = mutateTwice(object);
    assert.deepEqual(envOf(patched, 'containers', 0), [
      { name: 'AZURE_AUTHORITY_HOST', value: 'https://mine/' },
      ...injected.slice(0, 3),
    ]);
  });

  test('ServiceAccount without client id: no AZURE_CLIENT_ID, and a warning that says what to do', () => {
    const { patched, warnings } = mutateTwice(pod(), serviceAccount());
    assert.deepEqual(envOf(patched, 'containers', 0), injected.slice(1));
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!,
      /ServiceAccount apps\/workload has no azure\.workload\.identity\/client-id annotation/,
    );
  });

  test('no tenant anywhere: no AZURE_TENANT_ID, and a warning', () => {
    const { warnings, patch } = mutatePod({
      pod: readPod(pod()),
      namespace: 'apps',
      serviceAccount: serviceAccount({ [CLIENT_ID_ANNOTATION]: CLIENT_ID, [TENANT_ID_ANNOTATION]: '' }),
      config,
    });
    const env = (patch[0]!.value as Array<{ name: string }>).map((variable) => variable.name);
    assert.deepEqual(env, ['AZURE_CLIENT_ID', 'AZURE_FEDERATED_TOKEN_FILE', 'AZURE_AUTHORITY_HOST']);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /no tenant id for ServiceAccount apps\/workload/);
  });

  test('token expiration from the pod annotation reaches the volume', () => {
    const { patched } = mutateTwice(pod({}, { annotations: { [TOKEN_EXPIRATION_ANNOTATION]: '7200' } }));
    const volume = (
      patched['spec'] as {
        volumes: Array<{
          projected: { sources: Array<{ serviceAccountToken: { expirationSeconds: number } }> };
        }>;
      }
    ).volumes[0]!;
    assert.equal(volume.projected.sources[0]!.serviceAccountToken.expirationSeconds, 7200);
  });

  test('a pod named only by generateName is named so in denials', () =>
    assert.throws(
      () =>
        run(
          pod(
            {},
            { name: undefined, generateName: 'web-', annotations: { [TOKEN_EXPIRATION_ANNOTATION]: '60' } },
          ),
        ),
      /on pod apps\/web-\*/,
    ));

  test('identity bindings: a ServiceAccount outside the binding is refused', () => {
    const bindings = `bindings: [{clientId: ${CLIENT_ID}, serviceAccounts: [apps/other]}]`;
    assert.throws(() => run(pod(), annotated, bindings), /may not use client id/);
    assert.doesNotThrow(() =>
      run(pod(), serviceAccount({ [CLIENT_ID_ANNOTATION]: CLIENT_ID }, 'other'), bindings),
    );
  });

  const badPods: Array<[string, unknown, RegExp]> = [
    ['not an object', 'pod', /not a Pod object/],
    ['no spec', { metadata: {} }, /no spec/],
    ['no containers', { spec: {} }, /no containers/],
    ['empty containers', { spec: { containers: [] } }, /no containers/],
    ['containers not a list', { spec: { containers: { app: {} } } }, /no containers/],
    ['a container without a name', { spec: { containers: [{ image: 'x' }] } }, /containers with names/],
    [
      'initContainers not a list',
      { spec: { containers: [{ name: 'a' }], initContainers: 'x' } },
      /initContainers/,
    ],
  ];
  for (const [name, object, message] of badPods)
    test(`refused pod: ${name}`, () =>
      assert.throws(
        () => readPod(object),
        (error: unknown) =>
          error instanceof CredlessError &&
          error.code === 'webhook_pod_invalid' &&
          message.test(error.message),
      ));
});
