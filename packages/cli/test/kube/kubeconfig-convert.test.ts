/**
 * `credless kubeconfig convert`: table of transformations of a kubeconfig, and the file handling.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import {
  type ConvertKubeconfigOptions,
  convertKubeconfig,
  convertKubeconfigText,
  defaultKubeconfigPath,
} from '../../src/commands/kube/kubeconfig-convert.ts';
import { UsageError } from '../../src/exit-codes.ts';

const SERVER_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';

// Shaped like `az aks get-credentials` output plus a local user, with comments and unknown fields.
const KUBECONFIG = `# written by az aks get-credentials
apiVersion: v1
kind: Config
current-context: prod-aks
preferences:
  colors: true
clusters:
  - name: prod-aks
    cluster:
      certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM=
      server: https://prod-aks.hcp.norwayeast.azmk8s.io:443
      extensions:
        - name: client.authentication.k8s.io/exec
          extension: { audience: aks }
  - name: kind
    cluster:
      server: https://127.0.0.1:6443
      insecure-skip-tls-verify: true
contexts:
  - name: prod-aks
    context: { cluster: prod-aks, user: clusterUser_rg_prod-aks, namespace: payments }
  - name: kind
    context: { cluster: kind, user: kind-admin }
users:
  - name: clusterUser_rg_prod-aks # the AAD user
    user:
      auth-provider:
        name: azure
        config:
          apiserver-id: ${SERVER_ID}
          client-id: 80faf920-1908-4b52-b5ef-a8e7bedfc67a
          environment: AzurePublicCloud
          tenant-id: 72f988bf-86f1-41af-91ab-2d7cd011db47
      as: impersonated-admin
      x-vendor-field: keep me
  - name: kind-admin
    user:
      client-certificate-data: Y2VydA==
      client-key-data: a2V5
`;

const original = parse(KUBECONFIG);
const users = (doc: { users: Array<{ name: string; user: Record<string, unknown> }> }) =>
  Object.fromEntries(doc.users.map((entry) => [entry.name, entry.user]));
const execOf = (
  serverId: string,
  extra: string[] = [],
  apiVersion = 'client.authentication.k8s.io/v1beta1',
) => ({
  apiVersion,
  command: 'credless',
  args: ['get-token', '--login', 'workloadidentity', '--server-id', serverId, ...extra],
  env: null,
  installHint: 'credless is required: install @credless/cli and put `credless` on the PATH.',
  interactiveMode: 'Never',
  provideClusterInfo: false,
});

interface Case {
  name: string;
  options: Partial<ConvertKubeconfigOptions>;
  converted: string[];
  users: Record<string, Record<string, unknown>>;
}

const CASES: Case[] = [
  {
    name: 'every user, with --server-id: credentials replaced, other user fields kept',
    options: { serverId: 'aaaaaaaa-0000-0000-0000-000000000001' },
    converted: ['clusterUser_rg_prod-aks', 'kind-admin'],
    users: {
      'clusterUser_rg_prod-aks': {
        as: 'impersonated-admin',
        'x-vendor-field': 'keep me',
        exec: execOf('aaaaaaaa-0000-0000-0000-000000000001'),
      },
      'kind-admin': { exec: execOf('aaaaaaaa-0000-0000-0000-000000000001') },
    },
  },
  {
    name: '--context: only its user; server id from the azure auth-provider apiserver-id',
    options: { context: 'prod-aks' },
    converted: ['clusterUser_rg_prod-aks'],
    users: {
      'clusterUser_rg_prod-aks': {
        as: 'impersonated-admin',
        'x-vendor-field': 'keep me',
        exec: execOf(SERVER_ID),
      },
      'kind-admin': users(original)['kind-admin'] as Record<string, unknown>,
    },
  },
  {
    name: '--tenant-id, --client-id, --authority-host, --command and --exec-api-version v1',
    options: {
      context: 'kind',
      serverId: SERVER_ID,
      tenantId: 'tid',
      clientId: 'cid',
      authorityHost: 'https://localhost:8443/',
      command: '/opt/credless/bin/credless',
      execApiVersion: 'v1',
    },
    converted: ['kind-admin'],
    users: {
      'clusterUser_rg_prod-aks': users(original)['clusterUser_rg_prod-aks'] as Record<string, unknown>,
      'kind-admin': {
        exec: {
          ...execOf(
            SERVER_ID,
            ['--tenant-id', 'tid', '--client-id', 'cid', '--authority-host', 'https://localhost:8443/'],
            'client.authentication.k8s.io/v1',
          ),
          command: '/opt/credless/bin/credless',
        },
      },
    },
  },
];

describe('kubeconfig convert: transformations', () => {
  for (const entry of CASES) {
    test(entry.name, () => {
      const result = convertKubeconfigText(KUBECONFIG, { login: 'workloadidentity', ...entry.options });
      assert.deepEqual(result.converted, entry.converted);
      const converted = parse(result.text);
      assert.deepEqual(users(converted), entry.users);
      // Everything but the users is unchanged; comments survive.
      const { users: _a, ...restBefore } = original;
      const { users: _b, ...restAfter } = converted;
      assert.deepEqual(restAfter, restBefore);
      assert.match(result.text, /^# written by az aks get-credentials/);
      assert.match(result.text, /# the AAD user/);
    });
  }

  test('converting again (a kubelogin or credless exec user) keeps its --server-id', () => {
    const once = convertKubeconfigText(KUBECONFIG, { login: 'workloadidentity', context: 'prod-aks' });
    const twice = convertKubeconfigText(once.text, { login: 'workloadidentity', context: 'prod-aks' });
    assert.equal(twice.text, once.text);
  });

  for (const [name, text, options, message] of [
    ['another login mode', KUBECONFIG, { login: 'devicecode' }, /'devicecode' is not supported/],
    [
      'a user without server id',
      KUBECONFIG,
      { login: 'workloadidentity' },
      /user 'kind-admin' names no server id/,
    ],
    ['an unknown context', KUBECONFIG, { login: 'workloadidentity', context: 'nope' }, /no context 'nope'/],
    [
      'an exec API version',
      KUBECONFIG,
      { login: 'workloadidentity', serverId: 'x', execApiVersion: 'v1alpha1' },
      /v1alpha1/,
    ],
    ['invalid YAML', 'users: [\n', { login: 'workloadidentity', serverId: 'x' }, /not valid YAML/],
    ['a YAML list', '- a\n', { login: 'workloadidentity', serverId: 'x' }, /not a YAML mapping/],
  ] as const) {
    test(`refuses ${name}`, () => {
      assert.throws(
        () => convertKubeconfigText(text, options as ConvertKubeconfigOptions),
        (error: unknown) => error instanceof UsageError && message.test(error.message),
      );
    });
  }
});

describe('kubeconfig convert: files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credless-kubeconfig-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('in place: atomic rename keeps the file mode and leaves no temporary file', async () => {
    const file = join(dir, 'config');
    await writeFile(file, KUBECONFIG, { mode: 0o640 });
    const result = await convertKubeconfig({
      login: 'workloadidentity',
      kubeconfig: file,
      context: 'prod-aks',
    });
    assert.deepEqual(result, { kubeconfig: file, output: file, converted: ['clusterUser_rg_prod-aks'] });
    assert.equal((await stat(file)).mode & 0o777, 0o640);
    assert.deepEqual(
      users(parse(await readFile(file, 'utf8')))['clusterUser_rg_prod-aks']?.['exec'],
      execOf(SERVER_ID),
    );
    assert.deepEqual(await readdir(dir), ['config']);
  });

  test('--output writes a new 0600 file and leaves the source alone; - writes to standard output', async () => {
    const source = join(dir, 'source');
    const target = join(dir, 'converted');
    await writeFile(source, KUBECONFIG);
    await convertKubeconfig({ login: 'workloadidentity', kubeconfig: source, output: target, serverId: 'x' });
    assert.equal(await readFile(source, 'utf8'), KUBECONFIG);
    assert.equal((await stat(target)).mode & 0o777, 0o600);
    const stdout = new PassThrough();
    let printed = '';
    stdout.on('data', (chunk) => {
      printed += chunk;
    });
    await convertKubeconfig({
      login: 'workloadidentity',
      kubeconfig: source,
      output: '-',
      serverId: 'x',
      stdout,
    });
    assert.equal(printed, await readFile(target, 'utf8'));
  });

  test('a missing kubeconfig is a usage error; $KUBECONFIG with several files must be explicit', async () => {
    await assert.rejects(
      convertKubeconfig({ login: 'workloadidentity', kubeconfig: join(dir, 'missing'), serverId: 'x' }),
      /cannot read .* \(ENOENT\)/,
    );
    assert.equal(defaultKubeconfigPath({ KUBECONFIG: '/a/config' }), '/a/config');
    assert.throws(() => defaultKubeconfigPath({ KUBECONFIG: '/a:/b' }), UsageError);
    assert.match(defaultKubeconfigPath({}), /\.kube\/config$/);
  });
});
