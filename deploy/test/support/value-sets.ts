/**
 * The values sets the chart is rendered with in tests: the defaults and non-default sets that flip every
 * switch (webhook or server disabled, another release and namespace, replicas, image, caBundle, identity
 * bindings, Ingress, extra env) and set every operator value (scheduling, pod metadata, pull secrets,
 * webhook selectors and annotations, disruption budgets, extra env/volumes/mounts, resources, metrics).
 * @module
 */
import { DEFAULT_RELEASE } from '../../scripts/chart.ts';
import type { RenderContext } from '../../scripts/helm-subset.ts';

const CA_BUNDLE = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString(
  'base64',
);

const pod = (component: string, team: string) => ({
  podLabels: { team },
  podAnnotations: { 'example.com/owner': `${team}@example.com` },
  nodeSelector: { 'kubernetes.io/os': 'linux', 'example.com/pool': 'system' },
  tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists', effect: 'NoSchedule' }],
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] }] },
        ],
      },
    },
  },
  topologySpreadConstraints: [
    {
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: {
        matchLabels: { 'app.kubernetes.io/name': 'credless', 'app.kubernetes.io/component': component },
      },
    },
  ],
  extraVolumes: [{ name: 'corp-ca', configMap: { name: 'corp-ca' } }],
  extraVolumeMounts: [{ name: 'corp-ca', mountPath: '/etc/corp-ca', readOnly: true }],
});

/** Every value an operator may set, each away from its default (chart-values.test.ts checks each one). */
export const OPERATOR_VALUES = {
  imagePullSecrets: [{ name: 'acr-pull' }],
  metrics: {
    serviceMonitor: {
      enabled: true,
      interval: '15s',
      scrapeTimeout: '5s',
      labels: { release: 'kube-prometheus-stack' },
    },
  },
  webhook: {
    ...pod('webhook', 'identity'),
    namespaceSelector: {
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }],
    },
    mutatingWebhookAnnotations: { 'cert-manager.io/inject-ca-from': 'credless-system/credless-webhook' },
    priorityClassName: 'credless-critical',
    podDisruptionBudget: { minAvailable: '', maxUnavailable: 1 },
    extraEnv: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=192' }],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '384Mi' } },
  },
  server: {
    ...pod('server', 'sts'),
    priorityClassName: 'credless-high',
    podDisruptionBudget: { minAvailable: '50%', maxUnavailable: '' },
    extraEnv: [{ name: 'CREDLESS_ISSUER_CA_FILE', value: '/etc/corp-ca/ca.crt' }],
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '2', memory: '1Gi' } },
  },
};

export const VALUE_SETS: Array<{
  name: string;
  release: RenderContext['Release'];
  values: Record<string, unknown>;
}> = [
  { name: 'default values', release: DEFAULT_RELEASE, values: {} },
  {
    name: 'webhook only, custom namespace, replicas, image, caBundle and identity bindings',
    release: { Name: 'idp', Namespace: 'identity' },
    values: {
      authorityHost: 'https://sts.corp.example:8443/',
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      image: { repository: 'registry.corp.example/credless', tag: '1.2.3' },
      webhook: {
        replicas: 3,
        port: 10443,
        audience: 'api://corp-sts',
        tokenPath: '/var/run/secrets/corp/token',
        caBundle: CA_BUNDLE,
        tls: { secretName: 'idp-webhook-serving' },
        identityBindings: [
          { clientId: '11111111-2222-3333-4444-555555555555', serviceAccounts: ['payments/api'] },
          { clientId: '66666666-7777-8888-9999-000000000000', namespaces: ['reporting'] },
        ],
      },
      server: { enabled: false },
    },
  },
  {
    name: 'server only, one replica, Ingress and extra env',
    release: { Name: 'credless', Namespace: 'sts' },
    values: {
      authorityHost: 'https://login.corp.example',
      webhook: { enabled: false },
      server: {
        replicas: 1,
        port: 9000,
        database: { secretName: 'pg-app', secretKey: 'uri' },
        kek: { secretName: 'sts-kek', secretKey: 'key' },
        ingress: {
          enabled: true,
          className: 'nginx',
          host: 'login.corp.example',
          tlsSecretName: 'login-tls',
        },
        extraEnv: [{ name: 'CREDLESS_FIC_LIMIT', value: 'none' }],
      },
    },
  },
  {
    name: 'every operator value set (scheduling, metadata, PDBs, extras, ServiceMonitors)',
    release: { Name: 'credless', Namespace: 'credless-system' },
    values: OPERATOR_VALUES,
  },
  {
    name: 'disruption budgets disabled',
    release: DEFAULT_RELEASE,
    values: {
      webhook: { podDisruptionBudget: { enabled: false } },
      server: { podDisruptionBudget: { enabled: false } },
    },
  },
];
