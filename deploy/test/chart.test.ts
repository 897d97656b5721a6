/**
 * The Helm chart deploy/helm/credless, rendered with its defaults and with non-default values: every
 * object validates against the Kubernetes schemas and meets the deployment contract.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { serverEnvironment } from '../../packages/server/src/config/server-environment.ts';
import { webhookEnvironment } from '../../packages/webhook/src/commands/serve-environment.ts';
import {
  CHART_DIR,
  chartMetadata,
  chartTemplates,
  chartValues,
  DEFAULT_RELEASE,
  objectKey,
  REPO_ROOT,
  renderChart,
} from '../scripts/chart.ts';
import {
  mergeValues,
  parseTemplate,
  type RenderContext,
  referencedPaths,
  resolvePath,
} from '../scripts/helm-subset.ts';
import { assertServerContract, assertWebhookContract, type ChartValues } from './support/contract.ts';
import { helmOnPath, helmTemplate } from './support/helm-binary.ts';
import { validateObject } from './support/k8s-schema.ts';
import { assertNamespaces, assertServicesMatchPods, containers, find } from './support/policy.ts';
import { VALUE_SETS } from './support/value-sets.ts';

describe('helm chart: templates', () => {
  test('Chart.yaml is a v2 application chart; the image tag is appVersion, the version build.sh tags', () => {
    const chart = chartMetadata();
    assert.equal(chart['apiVersion'], 'v2');
    assert.equal(chart['type'], 'application');
    assert.equal((chartValues()['image'] as { tag: string }).tag, chart['appVersion']);
    // deploy/image/build.sh tags ghcr.io/credless/credless:<the CLI package's version>.
    const cli = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/cli/package.json'), 'utf8')) as {
      version: string;
    };
    assert.equal(chart['appVersion'], cli.version);
  });

  test('every template uses only the supported template subset', () => {
    const templates = chartTemplates();
    assert.ok(templates.length >= 10);
    for (const { template, source } of templates) parseTemplate(source, template);
  });

  test('every value a template refers to is defined in values.yaml, even in disabled branches', () => {
    const context: RenderContext = { Values: chartValues(), Release: DEFAULT_RELEASE };
    for (const { template, source } of chartTemplates())
      for (const path of referencedPaths(parseTemplate(source, template)))
        resolvePath(context, path, template);
  });

  test('the checks catch a broken chart (policy drift, a misspelt field, a wrong Secret key)', () => {
    const breakages: Array<[string, string, string, RegExp]> = [
      ['webhook-mutatingwebhookconfiguration.yaml', 'failurePolicy: Fail', 'failurePolicy: Ignore', /Ignore/],
      [
        'webhook-deployment.yaml',
        'readOnlyRootFilesystem: true',
        'readOnlyRootFileSystem: true',
        /does not know/,
      ],
      ['webhook-clusterrole.yaml', '"watch"]', '"watch", "patch"]', /patch/],
      [
        'server-deployment.yaml',
        '.Values.server.kek.secretKey',
        '.Values.server.kek.secretName',
        /secretKeyRef/,
      ],
      ['server-service.yaml', 'targetPort: http', 'targetPort: https', /no such container port/],
    ];
    for (const [template, from, to, message] of breakages) {
      const dir = mkdtempSync(join(tmpdir(), 'credless-chart-'));
      try {
        cpSync(CHART_DIR, dir, { recursive: true });
        const file = join(dir, 'templates', template);
        const source = readFileSync(file, 'utf8');
        assert.ok(source.includes(from), `${template} has no '${from}'`);
        writeFileSync(file, source.replace(from, to));
        const objects = renderChart({ chartDir: dir }).flatMap((t) => t.objects);
        const values = chartValues(dir) as unknown as ChartValues;
        assert.throws(() => {
          for (const object of objects) validateObject(object);
          assertServicesMatchPods(objects);
          assertWebhookContract(objects, DEFAULT_RELEASE, values);
          assertServerContract(objects, DEFAULT_RELEASE, values);
        }, message);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  test('the containers read only settings that `credless webhook serve` and the server know', () => {
    const objects = renderChart().flatMap((t) => t.objects);
    // The configuration schemas are the one list of what each process reads (the README's tables too).
    const known = {
      webhook: new Set(Object.keys(webhookEnvironment.shape)),
      server: new Set(Object.keys(serverEnvironment.shape)),
    };
    for (const component of ['webhook', 'server'] as const)
      for (const container of containers(find(objects, 'Deployment', `credless-${component}`)))
        for (const { name } of container['env'] as Array<{ name: string }>)
          assert.ok(known[component].has(name), `${component} does not read ${name}`);
  });
});

for (const { name, release, values } of VALUE_SETS) {
  describe(`helm chart rendered with ${name}`, () => {
    const merged = mergeValues(chartValues(), values) as ChartValues;
    const rendered = renderChart({ values, release });
    const objects = rendered.flatMap((t) => t.objects);

    test('every object validates against its Kubernetes schema, with no unknown fields', () => {
      assert.ok(objects.length > 0);
      for (const object of objects) validateObject(object);
    });

    test('object names are unique and namespaced objects are in the release namespace', () => {
      assert.equal(new Set(objects.map(objectKey)).size, objects.length);
      assertNamespaces(objects, release.Namespace);
    });

    test('each Service targets a container port of the pods it selects', () =>
      assertServicesMatchPods(objects));

    test('webhook: admission configuration, 2+ replicas with a PDB, RBAC, restricted pods', () => {
      const webhookObjects = objects.filter(
        (o) => (o.metadata['labels'] as Record<string, string>)['app.kubernetes.io/component'] === 'webhook',
      );
      if (!merged.webhook.enabled) return assert.deepEqual(webhookObjects, []);
      assertWebhookContract(objects, release, merged);
    });

    test('server: Deployment, Service, Secrets by reference, restricted pods', () => {
      const serverObjects = objects.filter(
        (o) => (o.metadata['labels'] as Record<string, string>)['app.kubernetes.io/component'] === 'server',
      );
      if (!merged.server.enabled) return assert.deepEqual(serverObjects, []);
      assertServerContract(objects, release, merged);
    });

    const helm = helmOnPath();
    test(helm
      ? 'helm template renders the same objects as the subset renderer'
      : 'helm template comparison (skipped: no helm binary on PATH; the subset render above is fully validated)', {
      skip: !helm && `helm not on PATH; ${CHART_DIR} was rendered by deploy/scripts/helm-subset.ts`,
    }, () => {
      const fromHelm = new Map(helmTemplate({ values, release }).map((o) => [objectKey(o), o]));
      const ours = new Map(objects.map((o) => [objectKey(o), o]));
      assert.deepEqual([...fromHelm.keys()].sort(), [...ours.keys()].sort());
      for (const [key, object] of ours) assert.deepEqual(fromHelm.get(key), object, key);
    });
  });
}
