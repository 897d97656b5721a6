/**
 * The plain manifests in deploy/kubernetes/ are the chart rendered with default values (written by
 * `npm run manifests`): they must be up to date, valid, and meet the same contract. When kubectl is on
 * PATH, `kubectl kustomize` must build each directory to the same objects.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import {
  chartValues,
  DEFAULT_RELEASE,
  type K8sObject,
  MANIFESTS_DIR,
  objectKey,
  parseObjects,
} from '../scripts/chart.ts';
import { plainManifests } from '../scripts/render-manifests.ts';
import { assertServerContract, assertWebhookContract, type ChartValues } from './support/contract.ts';
import { validateObject } from './support/k8s-schema.ts';
import { assertNamespaces, assertServicesMatchPods } from './support/policy.ts';

const COMPONENTS = ['webhook', 'server'] as const;
const values = chartValues() as unknown as ChartValues;

function readDir(component: string): Map<string, string> {
  const dir = join(MANIFESTS_DIR, component);
  return new Map(
    readdirSync(dir)
      .filter((name) => name.endsWith('.yaml'))
      .map((name) => [`${component}/${name}`, readFileSync(join(dir, name), 'utf8')]),
  );
}

/** The objects `kubectl apply -k deploy/kubernetes/<component>` would send, read from the files. */
function objectsOf(component: string): K8sObject[] {
  const files = readDir(component);
  const kustomization = parse(files.get(`${component}/kustomization.yaml`) ?? '') as { resources: string[] };
  return kustomization.resources.flatMap((name) => {
    const text = files.get(`${component}/${name}`);
    assert.ok(text !== undefined, `${component}/kustomization.yaml lists missing ${name}`);
    return parseObjects(text, name);
  });
}

describe('plain manifests (deploy/kubernetes)', () => {
  test('are up to date with the chart (else run `npm run manifests`)', () => {
    const expected = plainManifests();
    const actual = new Map(COMPONENTS.flatMap((component) => [...readDir(component)]));
    assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort(), 'run `npm run manifests`');
    for (const [path, content] of expected)
      assert.equal(actual.get(path), content, `${path}: run \`npm run manifests\``);
  });

  for (const component of COMPONENTS) {
    describe(component, () => {
      const objects = objectsOf(component);

      test('every object validates against its Kubernetes schema, with no unknown fields', () => {
        for (const object of objects) validateObject(object);
      });

      test('the namespace enforces Pod Security "restricted" and holds every namespaced object', () => {
        const namespace = objects.find((o) => o.kind === 'Namespace');
        assert.equal(namespace?.metadata.name, DEFAULT_RELEASE.Namespace);
        assert.equal(
          (namespace?.metadata['labels'] as Record<string, string> | undefined)?.[
            'pod-security.kubernetes.io/enforce'
          ],
          'restricted',
        );
        assertNamespaces(objects, DEFAULT_RELEASE.Namespace);
        assertServicesMatchPods(objects);
      });

      test('meet the deployment contract', () => {
        if (component === 'webhook') assertWebhookContract(objects, DEFAULT_RELEASE, values);
        else assertServerContract(objects, DEFAULT_RELEASE, values);
      });

      const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
      test(kubectl
        ? 'kubectl kustomize builds the same objects'
        : 'kubectl kustomize (skipped: kubectl not on PATH)', {
        skip: !kubectl && 'kubectl not on PATH',
      }, () => {
        const result = spawnSync('kubectl', ['kustomize', join(MANIFESTS_DIR, component)], {
          encoding: 'utf8',
        });
        assert.equal(result.status, 0, result.stderr);
        const built = parseObjects(result.stdout, 'kubectl kustomize');
        const byKey = new Map(objects.map((o) => [objectKey(o), o]));
        assert.deepEqual(built.map(objectKey).sort(), [...byKey.keys()].sort());
        for (const object of built) assert.deepEqual(object, byKey.get(objectKey(object)), objectKey(object));
      });
    });
  }
});
