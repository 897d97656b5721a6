/**
 * Starts the webhook: checks its configuration, starts the ServiceAccount source, reads the serving
 * certificate, listens over HTTPS and keeps the certificate fresh. The only place that listens.
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { buildWebhookApp } from './http/app.ts';
import { compileMutationConfig, type MutationOptions } from './mutation/config.ts';
import { type IdentityBindingPolicy, parseIdentityBindingPolicy } from './mutation/identity-bindings.ts';
import type { KubernetesServiceAccountSource } from './service-accounts/kubernetes-source.ts';
import type { ServiceAccountSource } from './service-accounts/source.ts';
import {
  type CertificateFiles,
  readCertificatePair,
  watchCertificateFiles,
} from './tls/serving-certificate.ts';

export interface ServeWebhookOptions extends MutationOptions {
  tls: CertificateFiles;
  port?: number | undefined;
  host?: string | undefined;
  identityBindingsFile?: string | undefined;
  /** Given: used as is (local cluster, tests). Otherwise the Kubernetes API through `kubeconfig`. */
  serviceAccounts?: ServiceAccountSource | undefined;
  /** Path of a kubeconfig; default: in-cluster, then $KUBECONFIG / ~/.kube/config. */
  kubeconfig?: string | undefined;
  certificatePollIntervalMs?: number | undefined;
  logger?: FastifyBaseLogger | undefined;
  log?: ((message: string) => void) | undefined;
}

export interface RunningWebhook {
  url: string;
  app: FastifyInstance;
  serviceAccounts: ServiceAccountSource;
  close(): Promise<void>;
}

export const DEFAULT_WEBHOOK_PORT = 9443;

export async function serveWebhook(options: ServeWebhookOptions): Promise<RunningWebhook> {
  const log = options.log ?? ((message: string) => options.logger?.info(message));
  // Failures of the ServiceAccount watch are worth a warning; they retry on their own.
  const warn = options.log ?? ((message: string) => options.logger?.warn(message));
  const config = compileMutationConfig(options);
  const bindings: IdentityBindingPolicy | undefined = options.identityBindingsFile
    ? parseIdentityBindingPolicy(await readFile(options.identityBindingsFile, 'utf8'))
    : undefined;
  const certificate = await readCertificatePair(options.tls);

  let serviceAccounts = options.serviceAccounts;
  let ownSource: KubernetesServiceAccountSource | undefined;
  if (!serviceAccounts) {
    // Loaded here, not at start-up: client-node is large and only a cluster-watching webhook needs it.
    const [{ KubeConfig }, { KubernetesServiceAccountSource }] = await Promise.all([
      import('@kubernetes/client-node'),
      import('./service-accounts/kubernetes-source.ts'),
    ]);
    const kubeConfig = new KubeConfig();
    if (options.kubeconfig) kubeConfig.loadFromFile(options.kubeconfig);
    else kubeConfig.loadFromDefault();
    ownSource = new KubernetesServiceAccountSource({ kubeConfig, log: warn });
    await ownSource.start();
    serviceAccounts = ownSource;
  }

  const app = buildWebhookApp({
    config,
    bindings,
    serviceAccounts,
    https: certificate,
    logger: options.logger,
  });
  let watcher: { close(): void } | undefined;
  try {
    await app.listen({ port: options.port ?? DEFAULT_WEBHOOK_PORT, host: options.host ?? '0.0.0.0' });
    const server = app.server as unknown as HttpsServer;
    watcher = watchCertificateFiles(options.tls, certificate, {
      onChange: (pair) => server.setSecureContext(pair),
      log,
      ...(options.certificatePollIntervalMs !== undefined
        ? { pollIntervalMs: options.certificatePollIntervalMs }
        : {}),
    });
  } catch (error) {
    await app.close();
    await ownSource?.close();
    throw error;
  }
  const { port } = app.server.address() as AddressInfo;
  const host =
    options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : 'localhost';
  log(
    `credless webhook listening on https://${host.includes(':') ? `[${host}]` : host}:${port}/mutate-v1-pod` +
      (bindings ? ` with ${bindings.byClientId.size} identity bindings` : ''),
  );
  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    app,
    serviceAccounts,
    async close() {
      watcher?.close();
      await app.close();
      await ownSource?.close();
    },
  };
}
