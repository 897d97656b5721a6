// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here are manifest placeholders, not template strings
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CredlessError } from '@credless/core';
import { loadManifests, substitutePlaceholders } from '../../src/runtime/manifests/load.ts';

const pod = (image: string) => `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: ${image}
`;

describe('manifest loader', () => {
  test('fills ${VAR} from the environment, across documents, defaulting the namespace', () => {
    const objects = loadManifests(
      `${pod('${REGISTRY}.azurecr.io/web:${TAG}')}---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n  namespace: apps\n`,
      { source: 'app.yaml', env: { REGISTRY: 'myreg01', TAG: '7' } },
    );
    assert.equal(objects.length, 2);
    assert.equal(objects[0]?.kind, 'Pod');
    assert.equal(objects[0]?.metadata.namespace, 'default');
    assert.equal(
      objects[0]?.kind === 'Pod' && objects[0].spec?.containers[0]?.image,
      'myreg01.azurecr.io/web:7',
    );
    assert.equal(objects[1]?.metadata.namespace, 'apps');
  });

  test('an unresolved placeholder is an error naming it and its line, never kept', () => {
    assert.throws(
      () => loadManifests(pod('${REGISTRY}.azurecr.io/web:1'), { source: 'app.yaml', env: {} }),
      (error: unknown) =>
        error instanceof CredlessError &&
        error.code === 'runtime_placeholder_unresolved' &&
        error.message.includes('${REGISTRY}') &&
        error.message.includes('app.yaml:8'),
    );
  });

  test('placeholders in comments are left alone', () => {
    assert.equal(substitutePlaceholders('# uses ${NOPE}\na: ${X}', { X: '1' }, 's'), '# uses ${NOPE}\na: 1');
  });

  test('refuses kinds outside the subset, wrong apiVersions, bad names and empty pods', () => {
    const cases: Array<[string, RegExp]> = [
      [
        'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: s\n',
        /kind "Ingress" is not supported/,
      ],
      ['apiVersion: v1\nkind: Deployment\nmetadata:\n  name: d\n', /apiVersion apps\/v1/],
      ['apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n', /metadata.name/],
      [
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: []\n',
        /at least one container/,
      ],
      [
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  selector:\n    matchLabels: {app: x}\n  template:\n    metadata:\n      labels: {app: y}\n    spec:\n      containers: [{name: a, image: i}]\n',
        /does not match/,
      ],
      ['a: [', /not valid YAML/],
    ];
    for (const [text, message] of cases)
      assert.throws(() => loadManifests(text, { source: 'x.yaml', env: {} }), message, text);
  });

  test('a List is expanded', () => {
    const objects = loadManifests(
      'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a}\n    data: {k: v}\n',
      { source: 'l.yaml', env: {} },
    );
    assert.deepEqual(
      objects.map((o) => o.metadata.name),
      ['a'],
    );
  });

  test('lenient (delete -f): kinds and names are enough, as kubectl delete needs no valid spec', () => {
    const text =
      'apiVersion: v1\nkind: Pod\nmetadata: {name: ghost}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: x, namespace: other}\nspec: {containers: [{name: app, image: "${IMG}"}]}\n';
    assert.throws(() => loadManifests(text, { source: 'd.yaml', env: {} }), /placeholder|containers/);
    const objects = loadManifests(text, { source: 'd.yaml', env: {}, lenient: true });
    assert.deepEqual(
      objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`),
      ['Pod/default/ghost', 'Pod/other/x'],
    );
    // Names must still be names.
    assert.throws(
      () =>
        loadManifests('apiVersion: v1\nkind: Pod\nmetadata: {name: Bad_Name}\n', {
          source: 'd.yaml',
          env: {},
          lenient: true,
        }),
      /metadata.name/,
    );
  });
});
