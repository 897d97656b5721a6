/**
 * The webhook's and the server's deployment contracts for one release and values set: the objects the
 * chart must produce and how they are wired to each other and to the programs' configuration.
 * @module
 */
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { loadConfig } from '@credless/server';
import { compileMutationConfig, MUTATE_PATH, parseIdentityBindingPolicy } from '@credless/webhook';
import type { K8sObject } from '../../scripts/chart.ts';
import {
  assertDisruptionBudget,
  assertRestricted,
  assertSelectorMatchesTemplate,
  containers,
  envOf,
  find,
  podSpec,
} from './policy.ts';

type Json = Record<string, unknown>;
const obj = (value: unknown) => (value ?? {}) as Json;
const arr = (value: unknown) => (value ?? []) as Json[];

export interface DisruptionBudgetValues {
  enabled: boolean;
  minAvailable: number | string;
  maxUnavailable: number | string;
}

export interface Release {
  Name: string;
  Namespace: string;
}

// The subset of values.yaml the contracts read (the chart's defaults merged with the override).
export interface ChartValues {
  authorityHost: string;
  tenantId: string;
  image: { repository: string; tag: string };
  webhook: {
    enabled: boolean;
    replicas: number;
    port: number;
    audience: string;
    tokenPath: string;
    caBundle: string;
    tls: { secretName: string };
    identityBindings: unknown[];
    podDisruptionBudget: DisruptionBudgetValues;
  };
  server: {
    enabled: boolean;
    replicas: number;
    port: number;
    database: { secretName: string; secretKey: string };
    kek: { secretName: string; secretKey: string };
    ingress: { enabled: boolean; host: string };
    podDisruptionBudget: DisruptionBudgetValues;
  };
}

/** Plain env values of a container (secretKeyRef ones excluded). */
function plainEnv(container: Json): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, entry] of envOf(container))
    if (typeof entry['value'] === 'string') env[name] = entry['value'];
  return env;
}

export function assertWebhookContract(objects: K8sObject[], release: Release, values: ChartValues): void {
  const name = `${release.Name}-webhook`;
  const webhookConfig = find(objects, 'MutatingWebhookConfiguration', name);
  const hooks = arr(webhookConfig['webhooks']);
  assert.equal(hooks.length, 1);
  const hook = hooks[0]!;
  assert.equal(hook['failurePolicy'], 'Fail');
  assert.equal(hook['sideEffects'], 'None');
  assert.equal(hook['reinvocationPolicy'], 'IfNeeded');
  assert.deepEqual(hook['admissionReviewVersions'], ['v1', 'v1beta1']);
  assert.deepEqual(hook['objectSelector'], { matchLabels: { 'azure.workload.identity/use': 'true' } });
  assert.deepEqual(hook['rules'], [
    {
      apiGroups: [''],
      apiVersions: ['v1'],
      operations: ['CREATE'],
      resources: ['pods'],
      scope: 'Namespaced',
    },
  ]);
  const clientConfig = obj(hook['clientConfig']);
  const serviceRef = obj(clientConfig['service']);
  assert.deepEqual(serviceRef, { name, namespace: release.Namespace, path: MUTATE_PATH, port: 443 });
  // The caBundle comes from the values; without one the field is left out (not an empty string).
  assert.equal(clientConfig['caBundle'], values.webhook.caBundle || undefined);

  const service = find(objects, 'Service', name);
  const servicePort = arr(obj(service['spec'])['ports']).find((p) => p['port'] === serviceRef['port']);
  assert.ok(servicePort, 'the webhook Service exposes the port the API server calls');

  const deployment = find(objects, 'Deployment', name);
  assert.equal(obj(deployment['spec'])['replicas'], values.webhook.replicas);
  assertSelectorMatchesTemplate(deployment);
  assertDisruptionBudget(objects, deployment, values.webhook.podDisruptionBudget);
  assertRestricted(deployment);

  // RBAC: read ServiceAccounts, nothing else, bound to the Deployment's ServiceAccount.
  const role = find(objects, 'ClusterRole', name);
  assert.deepEqual(role['rules'], [
    { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get', 'list', 'watch'] },
  ]);
  const binding = find(objects, 'ClusterRoleBinding', name);
  assert.deepEqual(binding['roleRef'], { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name });
  const serviceAccount = find(objects, 'ServiceAccount', name);
  assert.deepEqual(binding['subjects'], [
    { kind: 'ServiceAccount', name: serviceAccount.metadata.name, namespace: release.Namespace },
  ]);
  const pod = podSpec(deployment);
  assert.equal(pod['serviceAccountName'], serviceAccount.metadata.name);

  // The container runs `credless webhook serve`, configured through the names serve.ts reads.
  const [container, ...others] = containers(deployment);
  assert.equal(others.length, 0);
  assert.deepEqual([container!['command'], container!['args']], [['credless'], ['webhook', 'serve']]);
  assert.equal(container!['image'], `${values.image.repository}:${values.image.tag}`);
  const env = plainEnv(container!);
  assert.equal(env['CREDLESS_AUTHORITY_HOST'], values.authorityHost);
  assert.equal(env['AZURE_TENANT_ID'], values.tenantId);
  assert.equal(env['CREDLESS_WEBHOOK_PORT'], String(values.webhook.port));
  // The mutation settings the webhook would start with are valid (https authority, absolute path).
  const mutation = compileMutationConfig({
    authorityHost: env['CREDLESS_AUTHORITY_HOST']!,
    tenantId: env['AZURE_TENANT_ID'],
    audience: env['CREDLESS_WEBHOOK_AUDIENCE'],
    tokenPath: env['CREDLESS_WEBHOOK_TOKEN_PATH'],
  });
  assert.equal(mutation.audience, values.webhook.audience);
  assert.equal(mutation.tokenPath, values.webhook.tokenPath);
  const ports = arr(container!['ports']);
  assert.deepEqual(
    ports.map((p) => [p['name'], p['containerPort']]),
    [['https', values.webhook.port]],
  );
  for (const probe of [container!['readinessProbe'], container!['livenessProbe']])
    assert.deepEqual(
      [obj(obj(probe)['httpGet'])['port'], obj(obj(probe)['httpGet'])['scheme']],
      ['https', 'HTTPS'],
    );

  // TLS files come from the values' Secret, mounted where the env says.
  const mounts = new Map(arr(container!['volumeMounts']).map((m) => [m['name'], m]));
  const volumes = new Map(arr(pod['volumes']).map((v) => [v['name'], v]));
  assert.equal(obj(volumes.get('certs')?.['secret'])['secretName'], values.webhook.tls.secretName);
  for (const file of [env['CREDLESS_WEBHOOK_TLS_CERT_FILE'], env['CREDLESS_WEBHOOK_TLS_KEY_FILE']])
    assert.equal(dirname(file ?? ''), mounts.get('certs')?.['mountPath']);

  // Identity bindings: a ConfigMap the real policy parser accepts, mounted at the configured file.
  const bindingsFile = env['CREDLESS_WEBHOOK_IDENTITY_BINDINGS'];
  const configMaps = objects.filter(
    (o) => o.kind === 'ConfigMap' && o.metadata.name === `${name}-identity-bindings`,
  );
  if (values.webhook.identityBindings.length === 0) {
    assert.equal(bindingsFile, undefined);
    assert.equal(configMaps.length, 0);
  } else {
    assert.equal(configMaps.length, 1);
    const text = obj(configMaps[0]!['data'])['identity-bindings.yaml'] as string;
    assert.equal(parseIdentityBindingPolicy(text).byClientId.size, values.webhook.identityBindings.length);
    assert.equal(dirname(bindingsFile ?? ''), mounts.get('identity-bindings')?.['mountPath']);
    assert.equal(obj(volumes.get('identity-bindings')?.['configMap'])['name'], configMaps[0]!.metadata.name);
  }
}

export function assertServerContract(objects: K8sObject[], release: Release, values: ChartValues): void {
  const name = `${release.Name}-server`;
  const deployment = find(objects, 'Deployment', name);
  assert.equal(obj(deployment['spec'])['replicas'], values.server.replicas);
  assertSelectorMatchesTemplate(deployment);
  assertDisruptionBudget(objects, deployment, values.server.podDisruptionBudget);
  assertRestricted(deployment);
  const pod = podSpec(deployment);
  assert.equal(pod['serviceAccountName'], find(objects, 'ServiceAccount', name).metadata.name);
  assert.equal(pod['automountServiceAccountToken'], false, 'the server never calls the Kubernetes API');

  const [container, ...others] = containers(deployment);
  assert.equal(others.length, 0);
  assert.deepEqual([container!['command'], container!['args']], [['credless'], ['up']]);
  const env = envOf(container!);
  // Secrets only by reference: never a literal database URL or key in the manifest.
  assert.deepEqual(env.get('CREDLESS_DATABASE_URL'), {
    name: 'CREDLESS_DATABASE_URL',
    valueFrom: {
      secretKeyRef: { name: values.server.database.secretName, key: values.server.database.secretKey },
    },
  });
  assert.deepEqual(env.get('CREDLESS_KEK'), {
    name: 'CREDLESS_KEK',
    valueFrom: { secretKeyRef: { name: values.server.kek.secretName, key: values.server.kek.secretKey } },
  });

  // The server accepts its configuration (with stand-ins for the Secret values) and listens where the
  // container port, probes and Service say.
  const config = loadConfig({
    ...plainEnv(container!),
    CREDLESS_DATABASE_URL: 'postgres://credless@postgres:5432/credless',
    CREDLESS_KEK: Buffer.alloc(32, 7).toString('base64'),
  });
  assert.equal(config.port, values.server.port);
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.insecureHttp, true, 'TLS ends in front of the pod');
  assert.equal(config.publicUrl, new URL(values.authorityHost).origin);
  assert.equal(
    config.dataDir,
    arr(container!['volumeMounts']).find((m) => m['name'] === 'data')?.['mountPath'],
  );
  assert.deepEqual(
    arr(container!['ports']).map((p) => [p['name'], p['containerPort']]),
    [['http', values.server.port]],
  );
  for (const probe of [container!['readinessProbe'], container!['livenessProbe']]) {
    const httpGet = obj(obj(probe)['httpGet']);
    assert.equal(httpGet['port'], 'http');
    assert.equal(httpGet['scheme'] ?? 'HTTP', 'HTTP');
  }

  const ingresses = objects.filter((o) => o.kind === 'Ingress');
  assert.equal(ingresses.length, values.server.ingress.enabled ? 1 : 0);
  for (const ingress of ingresses) {
    const spec = obj(ingress['spec']);
    assert.deepEqual(obj(arr(spec['tls'])[0])['hosts'], [values.server.ingress.host]);
    assert.equal(
      new URL(values.authorityHost).hostname,
      values.server.ingress.host,
      'Ingress serves authorityHost',
    );
    const backend = obj(obj(arr(obj(arr(spec['rules'])[0]!['http'])['paths'])[0])['backend'])['service'];
    assert.deepEqual(backend, { name: find(objects, 'Service', name).metadata.name, port: { name: 'http' } });
  }
}
