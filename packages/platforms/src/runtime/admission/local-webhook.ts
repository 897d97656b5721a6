/**
 * The webhook a local cluster calls: the real credless webhook, started in-process over HTTPS on a
 * loopback port with a certificate from `credless webhook certs` (kept in `<data>/clusters/.webhook/`),
 * fed ServiceAccounts from the cluster's own objects. One per cluster: each has its own tenant.
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createWebhookCerts,
  MUTATE_PATH,
  type RunningWebhook,
  StaticServiceAccountSource,
  serveWebhook,
} from '@credless/webhook';
import type { WebhookEndpoint } from './admission-client.ts';

const SERVICE = 'credless-webhook';
const NAMESPACE = 'credless-system';

export interface LocalWebhook {
  endpoint: WebhookEndpoint;
  serviceAccounts: StaticServiceAccountSource;
  close(): Promise<void>;
}

export interface LocalWebhookOptions {
  certDir: string;
  authorityHost: string;
  tenantId: string;
}

let pendingCerts: Promise<void> | undefined;

async function ensureCerts(certDir: string): Promise<void> {
  if ((await stat(join(certDir, 'tls.key')).catch(() => undefined))?.isFile()) return;
  // Clusters starting together share one generation.
  pendingCerts ??= createWebhookCerts({ service: SERVICE, namespace: NAMESPACE, out: certDir })
    .then(() => undefined)
    .finally(() => {
      pendingCerts = undefined;
    });
  await pendingCerts;
}

export async function startLocalWebhook(options: LocalWebhookOptions): Promise<LocalWebhook> {
  await ensureCerts(options.certDir);
  const serviceAccounts = new StaticServiceAccountSource();
  const running: RunningWebhook = await serveWebhook({
    authorityHost: options.authorityHost,
    tenantId: options.tenantId,
    tls: { certFile: join(options.certDir, 'tls.crt'), keyFile: join(options.certDir, 'tls.key') },
    port: 0,
    host: '127.0.0.1',
    serviceAccounts,
    log: () => {},
  });
  return {
    endpoint: {
      url: `${running.url.replace('localhost', '127.0.0.1')}${MUTATE_PATH}`,
      servername: `${SERVICE}.${NAMESPACE}.svc`,
      caPem: await readFile(join(options.certDir, 'ca.crt'), 'utf8'),
    },
    serviceAccounts,
    close: () => running.close(),
  };
}
