/**
 * Benchmark child: the credless webhook as deployed (serveWebhook: HTTPS from certificate files with
 * the hot-reload watcher running), its ServiceAccounts in memory so every admission is a cache hit.
 * Prints {url, caCertPem} once listening.
 * @module
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIENT_ID_ANNOTATION, StaticServiceAccountSource, serveWebhook } from '@credless/webhook';
import { createServerTls, requireEnv, serveUntilSignal } from './child-support.ts';

const dir = await mkdtemp(join(tmpdir(), 'credless-bench-webhook-'));
const tls = await createServerTls('webhook');
await writeFile(join(dir, 'tls.crt'), tls.certPem);
await writeFile(join(dir, 'tls.key'), tls.keyPem, { mode: 0o600 });

const webhook = await serveWebhook({
  tls: { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') },
  port: 0,
  host: '127.0.0.1',
  authorityHost: 'https://credless.bench:8443/',
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  serviceAccounts: new StaticServiceAccountSource([
    {
      namespace: 'bench',
      name: 'workload',
      annotations: { [CLIENT_ID_ANNOTATION]: requireEnv('BENCH_CLIENT_ID') },
    },
  ]),
  log: () => {},
});

serveUntilSignal({ url: webhook.url, caCertPem: tls.caCertPem }, async () => {
  await webhook.close();
  await rm(dir, { recursive: true, force: true });
});
