/** Shared set-up for runtime tests: a real credless, a local cluster, a registry and a tiny node image. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLocalCluster,
  type IssuedServiceAccountToken,
  LocalPlatforms,
  type ServiceAccountTokenRequest,
} from '@credless/platforms';
import { type ClusterRecord, loadKeyEncryptionKey } from '@credless/server';
import { startTestCredless, type TestCredless } from '@credless/testkit';

/** A test credless serving the local platforms, with their token signer as the runtime takes it. */
export type PlatformCredless = TestCredless & {
  issueServiceAccountToken(
    id: string,
    request: ServiceAccountTokenRequest,
  ): Promise<IssuedServiceAccountToken>;
};

export async function startPlatformCredless(): Promise<PlatformCredless> {
  const platforms = new LocalPlatforms();
  const credless = await startTestCredless({ plugins: [platforms] });
  return Object.assign(credless, {
    issueServiceAccountToken: (id: string, request: ServiceAccountTokenRequest) =>
      platforms.issueServiceAccountToken(id, request),
  });
}

export async function setUpCluster(
  name = 'aks1',
): Promise<{ credless: PlatformCredless; cluster: ClusterRecord }> {
  const credless = await startPlatformCredless();
  const kek = await loadKeyEncryptionKey({ dataDir: credless.dataDir });
  const { cluster } = await createLocalCluster(
    { store: credless.store, kek },
    {
      tenantId: credless.tenantId,
      baseUrl: credless.url,
      resourceGroup: 'rg',
      name,
      enableWorkloadIdentity: true,
    },
  );
  return { credless, cluster };
}

/** An image directory: an HTTP server on $PORT answering its identity env and projected token. */
export async function writeWebImage(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'credless-image-'));
  await writeFile(
    join(dir, 'server.mjs'),
    `import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
const env = process.env;
console.log('client=' + env.AZURE_CLIENT_ID + ' file=' + env.AZURE_FEDERATED_TOKEN_FILE + ' greeting=' + env.GREETING);
createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ client: env.AZURE_CLIENT_ID, tenant: env.AZURE_TENANT_ID, authority: env.AZURE_AUTHORITY_HOST,
    token: readFileSync(env.AZURE_FEDERATED_TOKEN_FILE, 'utf8'), greeting: env.GREETING, backend: env.BACKEND_URL }));
}).listen(Number(env.PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`,
  );
  await writeFile(join(dir, 'credless-image.json'), JSON.stringify({ command: ['node', 'server.mjs'] }));
  return dir;
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
