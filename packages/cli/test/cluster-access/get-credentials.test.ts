/** `cluster get-credentials`: az's kubeconfig entries and merge semantics, and the seed's convert step after it. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AKS_SERVER_APP_ID } from '@credless/core';
import { kubeconfigEntry } from '@credless/platforms';
import { parse } from 'yaml';
import { mergeKubeconfigText } from '../../src/commands/cluster/get-credentials.ts';
import { convertKubeconfigText } from '../../src/commands/kube/kubeconfig-convert.ts';
import { UsageError } from '../../src/exit-codes.ts';

const TENANT = '11111111-2222-3333-4444-555555555555';
const cluster = { name: 'dev-aks', resourceGroup: 'rg-dev-aks', tenantId: TENANT };
const deps = {
  server: 'https://localhost:30443',
  caCertPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
};

interface Kubeconfig {
  clusters: Array<{ name: string; cluster: { server: string; 'certificate-authority-data'?: string } }>;
  users: Array<{ name: string; user: { exec?: { command: string; args: string[] }; token?: string } }>;
  contexts: Array<{ name: string; context: { cluster: string; user: string } }>;
  'current-context': string;
}

const EXISTING = `# my clusters
apiVersion: v1
kind: Config
clusters:
  - name: kind
    cluster: { server: https://127.0.0.1:6443 }
contexts:
  - name: kind
    context: { cluster: kind, user: kind-admin }
current-context: kind
users:
  - name: kind-admin
    user: { token: abc }
`;

describe('cluster get-credentials kubeconfig', () => {
  test("a new kubeconfig: az's names, the cluster API URL, credless's CA, current context", () => {
    const config = parse(mergeKubeconfigText(undefined, kubeconfigEntry(cluster, deps), false)) as Kubeconfig;
    assert.equal(config.clusters[0]?.name, 'dev-aks');
    assert.equal(config.clusters[0]?.cluster.server, 'https://localhost:30443');
    assert.equal(
      Buffer.from(config.clusters[0]?.cluster['certificate-authority-data'] ?? '', 'base64').toString(),
      deps.caCertPem,
    );
    assert.deepEqual(config.contexts, [
      { name: 'dev-aks', context: { cluster: 'dev-aks', user: 'clusterUser_rg-dev-aks_dev-aks' } },
    ]);
    assert.equal(config['current-context'], 'dev-aks');
    const exec = config.users[0]?.user.exec;
    assert.equal(exec?.args[exec.args.indexOf('--server-id') + 1], AKS_SERVER_APP_ID);
    assert.equal(exec?.args[exec.args.indexOf('--login') + 1], 'devicecode');
  });

  test('merges into an existing kubeconfig, keeping its entries and comments; again is a no-op', () => {
    const entry = kubeconfigEntry(cluster, deps);
    const merged = mergeKubeconfigText(EXISTING, entry, false);
    assert.match(merged, /^# my clusters/);
    const config = parse(merged) as Kubeconfig;
    assert.deepEqual(
      config.clusters.map((c) => c.name),
      ['kind', 'dev-aks'],
    );
    assert.deepEqual(
      config.users.map((u) => u.name),
      ['kind-admin', 'clusterUser_rg-dev-aks_dev-aks'],
    );
    assert.equal(config['current-context'], 'dev-aks');
    assert.equal(mergeKubeconfigText(merged, entry, false), merged);
  });

  test('a different entry of the same name is refused unless --overwrite-existing', () => {
    const merged = mergeKubeconfigText(EXISTING, kubeconfigEntry(cluster, deps), false);
    const moved = kubeconfigEntry(cluster, { ...deps, server: 'https://credless.example:30443' });
    assert.throws(
      () => mergeKubeconfigText(merged, moved, false),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.match(
          error.message,
          /A different object named dev-aks already exists .*clusters.*--overwrite-existing/,
        );
        return true;
      },
    );
    const replaced = parse(mergeKubeconfigText(merged, moved, true)) as Kubeconfig;
    assert.equal(replaced.clusters.length, 2);
    assert.equal(replaced.clusters[1]?.cluster.server, 'https://credless.example:30443');
    assert.throws(() => mergeKubeconfigText('clusters: [', moved, true), UsageError);
  });

  test("the seed's next step, kubeconfig convert --login workloadidentity, keeps the AKS server id", () => {
    const merged = mergeKubeconfigText(EXISTING, kubeconfigEntry(cluster, deps), false);
    const { text, converted } = convertKubeconfigText(merged, {
      login: 'workloadidentity',
      context: 'dev-aks',
    });
    assert.deepEqual(converted, ['clusterUser_rg-dev-aks_dev-aks']);
    const user = (parse(text) as Kubeconfig).users[1]?.user;
    assert.deepEqual(user?.exec?.args, [
      'get-token',
      '--login',
      'workloadidentity',
      '--server-id',
      AKS_SERVER_APP_ID,
    ]);
    assert.equal(user?.exec?.command, 'credless');
  });
});
