/**
 * The operator values of the chart, one table row each: rendered with the value set, the field appears
 * in the right object with the value given; rendered with the defaults, it is absent or the default.
 * (Schema validation and the deployment contract of the same value sets run in chart.test.ts.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { LOG_LEVELS } from '@credless/common';
import { CHART_DIR, chartValues, DEFAULT_RELEASE, type K8sObject, renderChart } from '../scripts/chart.ts';
import { mergeValues } from '../scripts/helm-subset.ts';
import { validateObject } from './support/k8s-schema.ts';
import { assertDisruptionBudget, containers, find, podSpec } from './support/policy.ts';
import { OPERATOR_VALUES } from './support/value-sets.ts';

type Json = Record<string, unknown>;
const obj = (value: unknown) => (value ?? {}) as Json;
// Maps merge into the defaults as Helm coalesces them (the webhook's affinity keeps its anti-affinity).
const merged = mergeValues(chartValues(), OPERATOR_VALUES) as typeof OPERATOR_VALUES;
const W = merged.webhook;
const S = merged.server;

const deployment = (objects: K8sObject[], component: string) =>
  find(objects, 'Deployment', `credless-${component}`);
const pod = (component: string) => (objects: K8sObject[]) => podSpec(deployment(objects, component));
const podMeta = (component: string) => (objects: K8sObject[]) =>
  obj(obj(obj(deployment(objects, component)['spec'])['template'])['metadata']);
const container = (component: string) => (objects: K8sObject[]) =>
  containers(deployment(objects, component))[0]!;
const budget = (component: string) => (objects: K8sObject[]) => {
  const { selector: _selector, ...rest } = obj(
    find(objects, 'PodDisruptionBudget', `credless-${component}`)['spec'],
  );
  return rest;
};
const webhookConfig = (objects: K8sObject[]) =>
  find(objects, 'MutatingWebhookConfiguration', 'credless-webhook');
const hook = (objects: K8sObject[]) => obj((webhookConfig(objects)['webhooks'] as Json[])[0]);
const serviceMonitor = (component: string) => (objects: K8sObject[]) =>
  objects.filter((o) => o.kind === 'ServiceMonitor' && o.metadata.name === `credless-${component}`);
const WEBHOOK_ENV = 8;
const SERVER_ENV = 9;

/** [value, field as found in the rendered objects, with OPERATOR_VALUES, with the defaults]. */
const CASES: Array<[string, (objects: K8sObject[]) => unknown, unknown, unknown]> = [];
for (const [component, values, defaults] of [
  ['webhook', W, { priorityClassName: 'system-cluster-critical', affinity: 'anti-affinity' }],
  ['server', S, { priorityClassName: undefined, affinity: undefined }],
] as const) {
  const defaultAffinity =
    defaults.affinity &&
    ({
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              topologyKey: 'kubernetes.io/hostname',
              labelSelector: {
                matchLabels: {
                  'app.kubernetes.io/name': 'credless',
                  'app.kubernetes.io/component': component,
                },
              },
            },
          },
        ],
      },
    } as const);
  const labels = {
    'app.kubernetes.io/name': 'credless',
    'app.kubernetes.io/instance': 'credless',
    'app.kubernetes.io/component': component,
  };
  CASES.push(
    [
      `${component}.nodeSelector`,
      (o) => pod(component)(o)['nodeSelector'],
      values.nodeSelector,
      { 'kubernetes.io/os': 'linux' },
    ],
    [`${component}.tolerations`, (o) => pod(component)(o)['tolerations'], values.tolerations, undefined],
    [`${component}.affinity`, (o) => pod(component)(o)['affinity'], values.affinity, defaultAffinity],
    [
      `${component}.topologySpreadConstraints`,
      (o) => pod(component)(o)['topologySpreadConstraints'],
      values.topologySpreadConstraints,
      undefined,
    ],
    [
      `${component}.priorityClassName`,
      (o) => pod(component)(o)['priorityClassName'],
      values.priorityClassName,
      defaults.priorityClassName,
    ],
    [
      `${component}.podLabels (added to the selector's labels)`,
      (o) => podMeta(component)(o)['labels'],
      { ...labels, ...values.podLabels },
      labels,
    ],
    [
      `${component}.podAnnotations`,
      (o) => podMeta(component)(o)['annotations'],
      values.podAnnotations,
      undefined,
    ],
    [
      `imagePullSecrets (${component})`,
      (o) => pod(component)(o)['imagePullSecrets'],
      OPERATOR_VALUES.imagePullSecrets,
      undefined,
    ],
    [
      `${component}.extraEnv (after the chart's env)`,
      (o) =>
        (container(component)(o)['env'] as Json[]).slice(component === 'webhook' ? WEBHOOK_ENV : SERVER_ENV),
      values.extraEnv,
      [],
    ],
    [
      `${component}.extraVolumes (after the chart's)`,
      (o) => (pod(component)(o)['volumes'] as Json[]).slice(2),
      values.extraVolumes,
      [],
    ],
    [
      `${component}.extraVolumeMounts (after the chart's)`,
      (o) => (container(component)(o)['volumeMounts'] as Json[]).slice(2),
      values.extraVolumeMounts,
      [],
    ],
    [`${component}.resources`, (o) => container(component)(o)['resources'], values.resources, undefined],
    [
      `${component}.podDisruptionBudget`,
      budget(component),
      component === 'webhook' ? { maxUnavailable: 1 } : { minAvailable: '50%' },
      component === 'webhook' ? { minAvailable: 1 } : { maxUnavailable: 1 },
    ],
    [`metrics.serviceMonitor (${component})`, (o) => serviceMonitor(component)(o).length, 1, 0],
  );
}
CASES.push(
  ['webhook.namespaceSelector', (o) => hook(o)['namespaceSelector'], W.namespaceSelector, undefined],
  [
    'webhook.mutatingWebhookAnnotations',
    (o) => webhookConfig(o).metadata['annotations'],
    W.mutatingWebhookAnnotations,
    undefined,
  ],
  [
    'metrics.serviceMonitor.labels',
    (o) => (serviceMonitor('server')(o)[0]?.metadata['labels'] as Json | undefined)?.['release'],
    'kube-prometheus-stack',
    undefined,
  ],
);

describe('helm chart: operator values', () => {
  const defaults = renderChart().flatMap((t) => t.objects);
  const operator = renderChart({ values: OPERATOR_VALUES }).flatMap((t) => t.objects);

  test('the defaults and the operator values render objects Kubernetes accepts', () => {
    for (const object of [...defaults, ...operator]) validateObject(object);
  });

  // resources defaults are the chart's own: compare with values.yaml rather than repeat it here.
  for (const [value, field, withValue, byDefault] of CASES)
    test(value, () => {
      assert.deepEqual(field(operator), withValue, 'with the value set');
      if (value.endsWith('.resources'))
        assert.ok(obj(obj(field(defaults))['limits'])['memory'], 'default limit');
      else assert.deepEqual(field(defaults), byDefault, 'with the defaults');
    });

  test("webhook.affinity {podAntiAffinity: null} drops the default (Helm's null deletes a key)", () => {
    const objects = renderChart({ values: { webhook: { affinity: { podAntiAffinity: null } } } });
    assert.equal(pod('webhook')(objects.flatMap((t) => t.objects))['affinity'], undefined);
  });

  test('the webhook ServiceMonitor scrapes HTTPS, verifying the Service name with the serving CA', () => {
    const [monitor] = serviceMonitor('webhook')(operator);
    const endpoint = obj((obj(monitor!['spec'])['endpoints'] as Json[])[0]);
    assert.deepEqual(endpoint, {
      port: 'https',
      path: '/metrics',
      scheme: 'https',
      interval: '15s',
      scrapeTimeout: '5s',
      tlsConfig: {
        serverName: `credless-webhook.${DEFAULT_RELEASE.Namespace}.svc`,
        ca: { secret: { name: 'credless-webhook-tls', key: 'ca.crt' } },
      },
    });
  });

  test('a misspelt or misplaced ServiceMonitor field is reported (the CRD has no client-node model)', () => {
    const [monitor] = serviceMonitor('server')(operator);
    const spec = obj(monitor!['spec']);
    const endpoint = obj((spec['endpoints'] as Json[])[0]);
    const broken = [
      { ...spec, endpoints: [{ ...endpoint, intervall: '1m' }] },
      { ...spec, tlsConfig: { insecureSkipVerify: true } },
    ];
    for (const brokenSpec of broken)
      assert.throws(
        () => validateObject({ ...monitor!, spec: brokenSpec }),
        /does not know: spec\.(endpoints\[0\]\.intervall|tlsConfig)$/,
      );
    validateObject(monitor!);
  });

  test('both minAvailable and maxUnavailable: refused by the values schema and by the contract check', () => {
    const both = { enabled: true, minAvailable: 1, maxUnavailable: 1 };
    assert.throws(
      () => renderChart({ values: { server: { podDisruptionBudget: { minAvailable: 1 } } } }),
      /\/server\/podDisruptionBudget must NOT be valid/,
    );
    const objects = defaults.map((o) =>
      o.kind === 'PodDisruptionBudget'
        ? { ...o, spec: { ...obj(o['spec']), minAvailable: 1, maxUnavailable: 1 } }
        : o,
    );
    assert.throws(() => assertDisruptionBudget(objects, deployment(objects, 'server'), both), /one of/);
  });
});

describe('helm chart: values.schema.json (Helm checks it before rendering)', () => {
  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a misspelt key', { webhook: { nodeSelecter: {} } }, /\/webhook must NOT have additional properties/],
    ['a misspelt top-level key', { imagePullSecret: [] }, /\/ must NOT have additional properties/],
    ['an http authority host', { authorityHost: 'http://sts' }, /\/authorityHost must match pattern/],
    [
      'an unknown pull policy',
      { image: { pullPolicy: 'Sometimes' } },
      /\/image\/pullPolicy must be equal to one of/,
    ],
    [
      'a budget that is no count',
      { webhook: { podDisruptionBudget: { minAvailable: 'one' } } },
      /minAvailable must match pattern/,
    ],
    [
      'an env entry without name',
      { server: { extraEnv: [{ value: 'x' }] } },
      /\/server\/extraEnv\/0 must have required property 'name'/,
    ],
    ['a log level the programs do not know', { logLevel: 'verbose' }, /\/logLevel must be equal to one of/],
  ];
  for (const [name, values, message] of refused)
    test(`refuses ${name}`, () => assert.throws(() => renderChart({ values }), message));

  test('accepts "" and null to unset a budget field, and a percentage', () =>
    assert.ok(
      renderChart({
        values: { server: { podDisruptionBudget: { minAvailable: '50%', maxUnavailable: null } } },
      }),
    ));

  test("null deletes a default (Helm's --set x=null): schema and renderer accept it, the field goes", () => {
    const objects = renderChart({
      values: { webhook: { nodeSelector: null }, server: { nodeSelector: { 'kubernetes.io/os': null } } },
    }).flatMap((t) => t.objects);
    assert.equal(pod('webhook')(objects)['nodeSelector'], undefined);
    assert.equal(pod('server')(objects)['nodeSelector'], undefined);
  });

  test('log levels are the ones the programs accept', () =>
    assert.deepEqual(
      JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')).properties.logLevel.enum,
      [...LOG_LEVELS],
    ));
});
