/**
 * The image as operators run it (deploy/image/build.sh builds it; skipped, saying why, without podman
 * or the image): read-only root filesystem, UID 65532, host network. `credless up` in the container
 * serves discovery and issues tokens to the credless CLI outside it; `credless webhook serve` answers
 * an AdmissionReview. Prints the image's size and its start-up time (container start to /readyz 200).
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { binaryEnv, runBinary } from '../../packages/cli/test/run-binary.ts';
import { FakeApiServer } from '../../packages/webhook/test/service-accounts/fake-apiserver.ts';
import { CLIENT_ID, pod } from '../../packages/webhook/test/support.ts';

const run = promisify(execFile);
const CONTAINERS_CONF = fileURLToPath(new URL('./containers.conf', import.meta.url));
const VERSION = (
  JSON.parse(await readFile(new URL('../../packages/cli/package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
const IMAGE = process.env['CREDLESS_IMAGE'] ?? `localhost/credless:${VERSION}`;
const UID = 65532;
/** The goal for the server image, uncompressed. */
const MAX_IMAGE_MB = 180;

const podmanEnv = { ...process.env, CONTAINERS_CONF: process.env['CONTAINERS_CONF'] ?? CONTAINERS_CONF };
const podman = (...args: string[]) => run('podman', args, { env: podmanEnv, maxBuffer: 16 * 1024 * 1024 });

/** Why the image cannot be tested here, or undefined when it can. */
function unavailable(): string | undefined {
  try {
    execFileSync('podman', ['image', 'exists', IMAGE], { env: podmanEnv, stdio: 'ignore' });
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT'
      ? 'podman is not installed (.ci/run installs it)'
      : `no image ${IMAGE}: build it with deploy/image/build.sh`;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

/** Polls `url` until it answers 200 (60 s at most); returns how long that took. */
async function until200(url: string, ca: () => Promise<string>, started: number): Promise<number> {
  for (;;) {
    const status = await ca()
      .then((pem) =>
        request(url, { dispatcher: new Agent({ connect: { ca: pem, servername: 'localhost' } }) }),
      )
      .then(async (answer) => {
        await answer.body.dump();
        return answer.statusCode;
      })
      .catch(() => 0);
    if (status === 200) return Date.now() - started;
    if (Date.now() - started > 60_000) assert.fail(`${url} not 200 within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `podman run` with what the image must bear: read-only root, the non-root UID, host network. */
async function runContainer(mounts: string[], args: string[]): Promise<string> {
  const volumes = mounts.flatMap((mount) => ['--volume', mount]);
  const { stdout } = await podman(
    'run',
    ...['--detach', '--rm', '--read-only', '--user', `${UID}:${UID}`, '--network', 'host', ...volumes],
    IMAGE,
    ...args,
  );
  return stdout.trim();
}

const reason = unavailable();
if (reason) console.warn(`SKIPPED the image tests: ${reason}`);

describe('the credless image', { skip: reason, timeout: 300_000 }, () => {
  let dir: string;
  const containers: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credless-image-'));
  });
  after(async () => {
    for (const id of containers) await podman('rm', '--force', id).catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const inspect = async () => {
    const { stdout } = await podman('image', 'inspect', IMAGE);
    return (
      JSON.parse(stdout) as Array<{ Size: number; Config: { User: string; Entrypoint: string[] } }>
    )[0]!;
  };

  test('runs as 65532 with credless as entrypoint and has no npm or compiler', async () => {
    const image = await inspect();
    assert.equal(image.Config.User, `${UID}:${UID}`);
    assert.match(image.Config.Entrypoint.join(' '), /credless\.cjs$/);
    // The file list of the image's root filesystem, read from outside: the base may have no shell.
    const id = (await podman('create', IMAGE)).stdout.trim();
    containers.push(id);
    const archive = join(dir, 'rootfs.tar');
    await podman('export', '--output', archive, id);
    const { stdout: files } = await run('tar', ['-tf', archive], { maxBuffer: 64 * 1024 * 1024 });
    await rm(archive);
    assert.ok(files.includes('opt/credless/bin/credless.cjs'), 'credless is in the image');
    const tools = files
      .split('\n')
      .filter((file) => /(^|\/)s?bin\/(npm|npx|corepack|yarn|gcc|g\+\+|cc|c\+\+|make|python3)$/.test(file));
    assert.deepEqual(tools, []);
    assert.equal((await podman('run', '--rm', '--read-only', IMAGE, '--version')).stdout, `${VERSION}\n`);
    // `credless` on the PATH, as the Helm chart and the manifests run it.
    const onPath = await podman('run', '--rm', '--read-only', '--entrypoint', 'credless', IMAGE, '--version');
    assert.equal(onPath.stdout, `${VERSION}\n`);
  });

  test(`is at most ${MAX_IMAGE_MB} MB uncompressed`, async () => {
    const megabytes = Math.round((await inspect()).Size / 1e6);
    console.log(`image ${IMAGE}: ${megabytes} MB uncompressed`);
    assert.ok(megabytes <= MAX_IMAGE_MB, `${megabytes} MB`);
  });

  test('credless up serves discovery and issues a token to the CLI outside the container', async () => {
    const data = await mkdtemp(join(dir, 'data-'));
    await chown(data, UID, UID);
    const port = await freePort();
    const url = `https://localhost:${port}`;
    const started = Date.now();
    containers.push(await runContainer([`${data}:/var/lib/credless`], ['up', '--port', String(port)]));
    const caFile = join(data, 'tls', 'ca.crt');
    const startup = await until200(`${url}/readyz`, () => readFile(caFile, 'utf8'), started);
    console.log(`credless up in the image: container start to /readyz 200 in ${startup} ms`);

    const env = { CREDLESS_CONFIG_DIR: join(dir, 'config'), NODE_EXTRA_CA_CERTS: caFile };
    const login = await runBinary(['login', '--local', '--authority', url, '--data-dir', data], { env });
    assert.equal(login.code, 0, login.stderr);
    // A token from the container's token endpoint, used on its Graph API.
    const apps = await runBinary(['ad', 'app', 'list'], { env });
    assert.equal(apps.code, 0, apps.stderr);
    assert.ok(Array.isArray(JSON.parse(apps.stdout)));
  });

  test('credless webhook serve answers an AdmissionReview', async () => {
    const api = new FakeApiServer();
    await api.start();
    try {
      api.put('apps', 'workload', { 'azure.workload.identity/client-id': CLIENT_ID });
      const certs = await mkdtemp(join(dir, 'certs-'));
      const created = await runBinary(
        [
          'webhook',
          'certs',
          '--service',
          'credless-webhook',
          '--namespace',
          'credless-system',
          '--out',
          certs,
        ],
        { env: binaryEnv() },
      );
      assert.equal(created.code, 0, created.stderr);
      await writeFile(join(certs, 'kubeconfig'), api.kubeconfigYaml());
      await run('chmod', ['-R', 'a+rX', certs]);
      const port = await freePort();
      containers.push(
        await runContainer(
          [`${certs}:/etc/credless-webhook/certs:ro`],
          [
            ...['webhook', 'serve', '--port', String(port), '--host', '127.0.0.1'],
            ...['--authority-host', 'https://credless.example:8443/', '--tenant-id', 'tenant-1'],
            ...['--kubeconfig', '/etc/credless-webhook/certs/kubeconfig'],
          ],
        ),
      );
      const ca = await readFile(join(certs, 'ca.crt'), 'utf8');
      const agent = new Agent({ connect: { ca, servername: 'credless-webhook.credless-system.svc' } });
      const base = `https://127.0.0.1:${port}`;
      const deadline = Date.now() + 60_000;
      while (
        (await request(`${base}/readyz`, { dispatcher: agent }).catch(() => undefined))?.statusCode !== 200
      )
        if (Date.now() > deadline) assert.fail('the webhook did not get ready within 60 s');
        else await new Promise((resolve) => setTimeout(resolve, 200));
      const answer = await request(`${base}/mutate-v1-pod`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          request: {
            uid: 'image-1',
            kind: { kind: 'Pod' },
            namespace: 'apps',
            operation: 'CREATE',
            object: pod(),
          },
        }),
      });
      const review = (await answer.body.json()) as {
        response: { uid: string; allowed: boolean; patch: string };
      };
      assert.equal(review.response.uid, 'image-1');
      assert.equal(review.response.allowed, true);
      assert.match(Buffer.from(review.response.patch, 'base64').toString(), new RegExp(CLIENT_ID));
    } finally {
      await api.stop();
    }
  });
});
