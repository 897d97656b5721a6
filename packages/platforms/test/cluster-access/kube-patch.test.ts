/**
 * Strategic merge patch by the published definitions' x-kubernetes-patch-strategy/merge-key (the
 * examples of Kubernetes' strategic-merge-patch.md), JSON merge patch and JSON Patch; label and field
 * selectors as kube parses them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyPatch, strategicMerge } from '../../src/cluster-access/kube-patch.ts';
import { definitionOf, unknownFields } from '../../src/cluster-access/kube-schema.ts';
import { fieldSelector, labelSelector } from '../../src/cluster-access/kube-selectors.ts';

const deploymentSchema = definitionOf('apps/v1', 'Deployment');
const podSchema = definitionOf('v1', 'Pod');

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels: { app: 'web', tier: 'front' }, finalizers: ['a'] },
  spec: {
    containers: [
      { name: 'app', image: 'web:1', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] },
      { name: 'sidecar', image: 'side:1' },
    ],
    volumes: [{ name: 'data', emptyDir: {} }],
  },
};

describe('strategic merge patch (data-driven by the OpenAPI extensions)', () => {
  test('lists with patchStrategy merge are merged by their merge key; others are replaced', () => {
    const merged = strategicMerge(
      pod,
      {
        spec: {
          containers: [{ name: 'app', image: 'web:2', env: [{ name: 'B', value: '2' }] }],
          tolerations: [{ key: 'x' }],
        },
      },
      podSchema,
    ) as typeof pod & { spec: { tolerations: unknown[] } };
    assert.deepEqual(
      merged.spec.containers.map((c) => [c.name, c.image]),
      [
        ['app', 'web:2'],
        ['sidecar', 'side:1'],
      ],
    );
    // env is merged by name (patchMergeKey name) and ports kept.
    assert.deepEqual(merged.spec.containers[0]?.env, [
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
    assert.deepEqual(merged.spec.containers[0]?.ports, [{ containerPort: 80 }]);
    assert.deepEqual(merged.spec.tolerations, [{ key: 'x' }]);
  });

  test('$patch: delete removes a list element by key; null removes a map key; primitive merge lists are sets', () => {
    const merged = strategicMerge(
      pod,
      {
        metadata: { labels: { tier: null }, finalizers: ['b'] },
        spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] },
      },
      podSchema,
    ) as typeof pod;
    assert.deepEqual(
      merged.spec.containers.map((c) => c.name),
      ['app'],
    );
    assert.deepEqual(merged.metadata.labels, { app: 'web' });
    assert.deepEqual(merged.metadata.finalizers, ['a', 'b']);
  });

  test('$setElementOrder orders a merged list; $retainKeys drops the keys it does not list; $deleteFromPrimitiveList', () => {
    const merged = strategicMerge(
      pod,
      {
        metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] },
        spec: {
          '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }],
          containers: [{ name: 'app', image: 'web:3' }],
          volumes: [{ name: 'data', $retainKeys: ['name', 'hostPath'], hostPath: { path: '/d' } }],
        },
      },
      podSchema,
    ) as typeof pod;
    assert.deepEqual(
      merged.spec.containers.map((c) => `${c.name}:${c.image}`),
      ['sidecar:side:1', 'app:web:3'],
    );
    assert.deepEqual(merged.spec.volumes, [{ name: 'data', hostPath: { path: '/d' } }]);
    assert.deepEqual(merged.metadata.finalizers, []);
  });

  test("a Deployment's strategy (patchStrategy retainKeys) and template containers", () => {
    const deployment = {
      spec: {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
        template: { spec: { containers: [{ name: 'app', image: 'a:1' }] } },
      },
    };
    const merged = strategicMerge(
      deployment,
      {
        spec: {
          strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null },
          template: { spec: { containers: [{ name: 'app', image: 'a:2' }] } },
        },
      },
      deploymentSchema,
    ) as typeof deployment;
    assert.deepEqual(merged.spec.strategy, { type: 'Recreate' });
    assert.deepEqual(merged.spec.template.spec.containers, [{ name: 'app', image: 'a:2' }]);
  });

  test('JSON merge patch replaces lists; JSON Patch applies operations (and refuses a failed test)', () => {
    const merged = applyPatch(
      'application/merge-patch+json',
      pod,
      { spec: { containers: [{ name: 'only', image: 'x' }] } },
      podSchema,
    ) as typeof pod;
    assert.deepEqual(merged.spec.containers, [{ name: 'only', image: 'x' }]);
    const patched = applyPatch(
      'application/json-patch+json',
      pod,
      [{ op: 'replace', path: '/spec/containers/0/image', value: 'web:9' }],
      podSchema,
    ) as typeof pod;
    assert.equal(patched.spec.containers[0]?.image, 'web:9');
    assert.equal(pod.spec.containers[0]?.image, 'web:1');
    assert.throws(
      () =>
        applyPatch(
          'application/json-patch+json',
          pod,
          [{ op: 'test', path: '/kind', value: 'Service' }],
          podSchema,
        ),
      /the JSON Patch could not be applied/,
    );
  });

  test('unknown fields are found through $refs, lists and maps', () => {
    assert.deepEqual(
      unknownFields(
        {
          metadata: { name: 'd', labels: { any: 'thing' } },
          spec: { replica: 2, template: { spec: { containers: [{ name: 'a', imagePullPolcy: 'x' }] } } },
        },
        deploymentSchema,
      ),
      ['spec.replica', 'spec.template.spec.containers[0].imagePullPolcy'],
    );
  });
});

describe('selectors', () => {
  test('label selectors: =, ==, !=, in, notin, exists, !exists', () => {
    const labels = { app: 'web', tier: 'front' };
    const cases: Array<[string, boolean]> = [
      ['app=web', true],
      ['app==web', true],
      ['app!=web', false],
      ['app=web,tier=back', false],
      ['tier in (front, back)', true],
      ['tier notin (front)', false],
      ['app', true],
      ['!missing', true],
      ['!app', false],
    ];
    for (const [selector, matches] of cases) assert.equal(labelSelector(selector)(labels), matches, selector);
    assert.throws(() => labelSelector('a in (b'), /unable to parse requirement: label selector/);
    assert.throws(() => labelSelector('Bad Key=x'), /unable to parse requirement/);
  });

  test('field selectors by dotted path', () => {
    const object = { metadata: { name: 'p', namespace: 'shop' }, status: { phase: 'Running' } };
    assert.equal(fieldSelector('metadata.name=p,status.phase!=Failed')(object), true);
    assert.equal(fieldSelector('metadata.namespace=default')(object), false);
    assert.throws(() => fieldSelector('metadata.name'), /unable to parse requirement: field selector/);
  });
});
