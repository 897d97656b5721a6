/**
 * `credless webhook serve` as deployed: certificates from `webhook certs`, ServiceAccounts through a
 * kubeconfig (FakeApiServer; see its header for why not a real kube-apiserver), admissions over HTTPS
 * verified against the printed caBundle and the Service DNS name.
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CredlessError } from '@credless/core';
import { createWebhookCerts } from '../../src/commands/certs.ts';
import { webhookServe } from '../../src/commands/serve.ts';
import type { RunningWebhook } from '../../src/main.ts';
import { CLIENT_ID_ANNOTATION } from '../../src/mutation/constants.ts';
import { FakeApiServer } from '../service-accounts/fake-apiserver.ts';
import { CLIENT_ID, pod } from '../support.ts';

const SERVICE_NAME = 'credless-webhook.credless-system.svc';

function call(port: number, ca: string, method: string, path: string, body?: unknown) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        ca,
        servername: SERVICE_NAME,
        headers: payload ? { 'content-type': 'application/json' } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('credless webhook serve', () => {
  const api = new FakeApiServer();
  let dir: string;
  let caPem: string;
  let webhook: RunningWebhook;
  let port: number;

  before(async () => {
    await api.start();
    api.put('apps', 'workload', { [CLIENT_ID_ANNOTATION]: CLIENT_ID });
    dir = await mkdtemp(join(tmpdir(), 'credless-webhook-serve-'));
    const certs = await createWebhookCerts({
      service: 'credless-webhook',
      namespace: 'credless-system',
      out: dir,
    });
    caPem = Buffer.from(certs.caBundle, 'base64').toString();
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, api.kubeconfigYaml());
    webhook = await webhookServe(
      {
        port: 0,
        host: '127.0.0.1',
        tlsCertFile: certs.files.tlsCert,
        tlsKeyFile: certs.files.tlsKey,
        kubeconfig,
      },
      {
        CREDLESS_AUTHORITY_HOST: 'https://credless.example:8443',
        AZURE_TENANT_ID: 'tenant-1',
        CREDLESS_LOG_LEVEL: 'silent',
      },
    );
    port = Number(new URL(webhook.url).port);
  });

  after(async () => {
    await webhook?.close();
    await api.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('ready once the ServiceAccount cache has listed', async () => {
    assert.equal((await call(port, caPem, 'GET', '/readyz')).status, 200);
  });

  test('admits a labelled pod with the ServiceAccount from the cluster', async () => {
    const response = await call(port, caPem, 'POST', '/mutate-v1-pod', {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'serve-1',
        kind: { kind: 'Pod' },
        namespace: 'apps',
        operation: 'CREATE',
        object: pod(),
      },
    });
    const body = JSON.parse(response.body) as { response: { allowed: boolean; patch: string } };
    assert.equal(body.response.allowed, true);
    const patch = JSON.parse(Buffer.from(body.response.patch, 'base64').toString()) as Array<{
      value: unknown;
    }>;
    assert.deepEqual(patch[0]!.value, [
      { name: 'AZURE_CLIENT_ID', value: CLIENT_ID },
      { name: 'AZURE_TENANT_ID', value: 'tenant-1' },
      { name: 'AZURE_FEDERATED_TOKEN_FILE', value: '/var/run/secrets/azure/tokens/azure-identity-token' },
      { name: 'AZURE_AUTHORITY_HOST', value: 'https://credless.example:8443/' },
    ]);
  });

  const refusals: Array<[string, NodeJS.ProcessEnv, RegExp]> = [
    ['without an authority host', {}, /--authority-host/],
    [
      'with an unknown log level',
      { CREDLESS_AUTHORITY_HOST: 'https://credless.example/', CREDLESS_LOG_LEVEL: 'loud' },
      /CREDLESS_LOG_LEVEL must be one of fatal, error, .* \(got 'loud'\)/,
    ],
    [
      'with a port out of range',
      { CREDLESS_AUTHORITY_HOST: 'https://credless.example/', CREDLESS_WEBHOOK_PORT: '70000' },
      /CREDLESS_WEBHOOK_PORT must be an integer between 0 and 65535 \(got '70000'\)/,
    ],
  ];
  for (const [when, env, message] of refusals)
    test(`${when} it refuses to start, saying how to fix it`, async () =>
      assert.rejects(
        webhookServe({ port: 0 }, env),
        (error: unknown) => error instanceof CredlessError && message.test(error.message),
      ));
});
