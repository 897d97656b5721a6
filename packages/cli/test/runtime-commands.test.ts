import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LocalPlatforms, type RunningLocalRuntime, startLocalRuntime } from '@credless/platforms';
import { startTestCredless, type TestCredless } from '@credless/testkit';
import { main } from '../src/cli.ts';
import { deploymentTable } from '../src/commands/runtime/runtime-commands.ts';

const MANIFEST = `apiVersion: v1
kind: Pod
metadata:
  name: hello
spec:
  containers:
    - name: app
      image: \${REGISTRY}.azurecr.io/hello:1
`;

/** Runs the CLI, capturing what it prints. */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const write = process.stdout.write.bind(process.stdout);
  const error = console.error;
  // The test runner reports over stdout too, in Buffers; the commands write strings.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk !== 'string') return write(chunk, ...rest);
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  console.error = (...parts: unknown[]) => {
    err += `${parts.join(' ')}\n`;
  };
  try {
    return { code: await main(['node', 'credless', ...args]), out, err };
  } finally {
    process.stdout.write = write;
    console.error = error;
  }
}

async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('credless acr / cluster apply|get|logs|update|delete', () => {
  let credless: TestCredless;
  let runtime: RunningLocalRuntime;
  let work: string;
  let data: string[];

  before(async () => {
    const platforms = new LocalPlatforms();
    credless = await startTestCredless({ plugins: [platforms] });
    data = ['--data-dir', credless.dataDir];
    // As az aks create: through the Resource Manager (in-process), done once the server serves it.
    const created = await run('cluster', 'create', '-n', 'aks2', '-g', 'rg', '--url', credless.url, ...data);
    assert.equal(created.code, 0, created.err);
    const issueServiceAccountToken = platforms.issueServiceAccountToken.bind(platforms);
    runtime = await startLocalRuntime(
      { ...credless, issueServiceAccountToken },
      {
        dataDir: credless.dataDir,
        backoff: { initialMs: 100, maxMs: 300 },
        stopGraceMs: 2000,
      },
    );
    work = await mkdtemp(join(tmpdir(), 'credless-cli-runtime-'));
    await writeFile(join(work, 'pod.yaml'), MANIFEST);
    await writeFile(join(work, 'package.json'), JSON.stringify({ scripts: { start: 'node hello.mjs' } }));
    await writeFile(
      join(work, 'hello.mjs'),
      "console.log('hello from ' + process.env.HOSTNAME); setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0));",
    );
  });

  after(async () => {
    await runtime?.close();
    await credless?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('acr create is idempotent; acr build stores the directory as the image', async () => {
    const created = await run('acr', 'create', '-n', 'myreg02', '-g', 'rg', '--sku', 'Basic', ...data);
    assert.equal(created.code, 0, created.err);
    assert.equal(JSON.parse(created.out).loginServer, 'myreg02.azurecr.io');
    assert.equal((await run('acr', 'create', '-n', 'myreg02', ...data)).code, 0);
    const built = await run('acr', 'build', work, '--registry', 'myreg02', '--image', 'hello:1', ...data);
    assert.equal(built.code, 0, built.err);
    assert.equal(JSON.parse(built.out).image, 'myreg02.azurecr.io/hello:1');
    const missing = await run('acr', 'build', work, '-r', 'nosuchreg', '-t', 'hello:1', ...data);
    assert.equal(missing.code, 3);
    assert.match(missing.err, /registry 'nosuchreg' does not exist/);
  });

  test('apply refuses an unresolved placeholder; with it set the pod waits for the attach, then runs', async () => {
    delete process.env['REGISTRY'];
    const refused = await run('cluster', 'apply', '-f', join(work, 'pod.yaml'), '-n', 'aks2', ...data);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /placeholder \$\{REGISTRY\} has no value/);

    process.env['REGISTRY'] = 'myreg02';
    try {
      const applied = await run('cluster', 'apply', '-f', join(work, 'pod.yaml'), '-n', 'aks2', ...data);
      assert.equal(applied.code, 0, applied.err);
      assert.equal(applied.out, 'pod/hello created\n');
    } finally {
      delete process.env['REGISTRY'];
    }
    const table = await until(async () => {
      const { out } = await run('cluster', 'get', 'pods', '-n', 'aks2', ...data);
      return /ErrImagePull|ImagePullBackOff/.test(out) ? out : undefined;
    });
    assert.match(
      table,
      /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nhello\s+0\/1\s+(ErrImagePull|ImagePullBackOff)/,
    );
    // The reason's fix shows in the table output, not only with -o json.
    assert.match(
      table,
      /\n\nhello \(app\): (ErrImagePull|ImagePullBackOff): failed to pull myreg02\.azurecr\.io\/hello:1: .*`credless cluster update --name aks2 --resource-group rg --attach-acr myreg02`\n$/,
    );

    const attached = await run(
      'cluster',
      'update',
      '-n',
      'aks2',
      '-g',
      'rg',
      '--attach-acr',
      'myreg02',
      '--query',
      'name',
      '-o',
      'tsv',
      ...data,
    );
    // As az aks update: the cluster is printed; the grant is an AcrPull assignment on the registry.
    assert.equal(attached.out, 'aks2\n', attached.err);
    const registryId = (
      await run('acr', 'show', '-n', 'myreg02', '--query', 'id', '-o', 'tsv', ...data)
    ).out.trim();
    const granted = await run(
      'role',
      'assignment',
      'list',
      '--scope',
      registryId,
      '--query',
      '[].roleDefinitionName',
      '-o',
      'tsv',
      ...data,
    );
    assert.equal(granted.out, 'AcrPull\n', granted.err);
    await until(async () => {
      const { out } = await run('cluster', 'get', 'pods', '-n', 'aks2', '-o', 'json', ...data);
      return JSON.parse(out)[0]?.status === 'Running' ? true : undefined;
    });
    const logs = await until(async () => {
      const { out } = await run('cluster', 'logs', 'hello', '-n', 'aks2', ...data);
      return out.includes('hello from hello') ? out : undefined;
    });
    assert.match(logs, /hello from hello/);
  });

  test('get: the default namespace unless --namespace or -A/--all-namespaces', async () => {
    process.env['REGISTRY'] = 'myreg02';
    try {
      const applied = await run(
        'cluster',
        'apply',
        '-f',
        join(work, 'pod.yaml'),
        '--namespace',
        'other',
        '-n',
        'aks2',
        ...data,
      );
      assert.equal(applied.code, 0, applied.err);
    } finally {
      delete process.env['REGISTRY'];
    }
    const names = (out: string) =>
      (JSON.parse(out) as Array<{ namespace: string; name: string }>).map((p) => `${p.namespace}/${p.name}`);
    const plain = await run('cluster', 'get', 'pods', '-n', 'aks2', '-o', 'json', ...data);
    assert.deepEqual(names(plain.out), ['default/hello']);
    const other = await run(
      'cluster',
      'get',
      'pods',
      '-n',
      'aks2',
      '--namespace',
      'other',
      '-o',
      'json',
      ...data,
    );
    assert.deepEqual(names(other.out), ['other/hello']);
    const all = await run('cluster', 'get', 'pods', '-n', 'aks2', '-A', ...data);
    assert.match(all.out, /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
    assert.match(all.out, /\ndefault\s+hello\s/);
    assert.match(all.out, /\nother\s+hello\s/);
  });

  test('delete -f: every object is tried; each missing one is reported; exit 3 unless --ignore-not-found', async () => {
    const file = join(work, 'several.yaml');
    await writeFile(
      file,
      `apiVersion: v1
kind: Pod
metadata: {name: ghost}
---
apiVersion: v1
kind: Pod
metadata: {name: hello, namespace: other}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ghost-settings}
`,
    );
    const deleted = await run('cluster', 'delete', '-f', file, '-n', 'aks2', ...data);
    assert.equal(deleted.code, 3, deleted.err);
    assert.equal(deleted.out, 'pod/hello deleted\n');
    const [first, second, summary] = deleted.err.split('\n');
    assert.equal(
      first,
      `Error from server (NotFound): error when deleting "${file}": pods "ghost" not found`,
    );
    assert.equal(
      second,
      `Error from server (NotFound): error when deleting "${file}": configmaps "ghost-settings" not found`,
    );
    assert.match(summary ?? '', /^credless: .*2 of 3 objects not found/);
    const again = await run('cluster', 'delete', '-f', file, '-n', 'aks2', '--ignore-not-found', ...data);
    assert.equal(again.code, 0, again.err);
    assert.equal(again.out, '');
    assert.equal(again.err, '');
  });

  test('delete: objects by kind and name; the cluster itself needs -g', async () => {
    const vague = await run('cluster', 'delete', '-n', 'aks2', ...data);
    assert.equal(vague.code, 2);
    const deleted = await run('cluster', 'delete', 'pod', 'hello', '-n', 'aks2', ...data);
    assert.equal(deleted.out, 'pod/hello deleted\n', deleted.err);
    const { out } = await run('cluster', 'get', 'pods', '-n', 'aks2', '-o', 'json', ...data);
    assert.deepEqual(JSON.parse(out), []);
    const gone = await run('cluster', 'delete', 'pod', 'hello', '-n', 'aks2', ...data);
    assert.equal(gone.code, 3);
    assert.match(gone.err, /^Error from server \(NotFound\): pods "hello" not found\n/);
  });
});

test('get deployments: kubectl columns; why a Deployment backs off is printed under the table', () => {
  const now = Date.parse('2026-01-01T00:10:00Z');
  const row = {
    name: 'api',
    namespace: 'dev',
    ready: '0/1',
    upToDate: 0,
    available: 0,
    status: 'BackOff',
    replacements: 3,
    reason: 'CreateContainerConfigError',
    message: 'back-off 4s replacing the failed pod: pod api-1-x: no command',
    createdAt: '2026-01-01T00:00:00Z',
  };
  assert.equal(
    deploymentTable([row], now, true),
    'NAMESPACE   NAME   READY   UP-TO-DATE   AVAILABLE   STATUS    AGE\n' +
      'dev         api    0/1     0            0           BackOff   10m\n' +
      '\napi: CreateContainerConfigError: back-off 4s replacing the failed pod: pod api-1-x: no command (3 replacements)\n',
  );
  assert.doesNotMatch(
    deploymentTable([{ ...row, status: 'Available', reason: undefined, message: undefined } as never], now),
    /\n\n/,
  );
});
