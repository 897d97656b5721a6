/**
 * `credless webhook serve`: flags and environment resolved into serveWebhook options. Environment
 * names follow azure-workload-identity where it has one (AZURE_TENANT_ID), so a Deployment written for
 * it needs few changes.
 * @module
 */
import { CredlessError } from '@credless/core';
import { type RunningWebhook, serveWebhook } from '../main.ts';

export interface WebhookServeCommandOptions {
  port?: number;
  host?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  authorityHost?: string;
  tenantId?: string;
  audience?: string;
  tokenPath?: string;
  identityBindings?: string;
  kubeconfig?: string;
}

/** Where a kubernetes.io/tls Secret is usually mounted in the webhook's Deployment. */
const DEFAULT_CERT_DIR = '/etc/credless-webhook/certs';

export async function webhookServe(
  options: WebhookServeCommandOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningWebhook> {
  const authorityHost = options.authorityHost ?? env['CREDLESS_AUTHORITY_HOST'];
  if (!authorityHost)
    throw new CredlessError('webhook_config_invalid', {
      reason:
        'no authority host: pass --authority-host https://<credless-host>/ or set CREDLESS_AUTHORITY_HOST',
    });
  // Loaded on use, like the certificate helpers in certs.ts: importing @credless/webhook stays light.
  const { createLogger, isLogLevel, LOG_LEVELS } = await import('@credless/common');
  const logLevel = env['CREDLESS_LOG_LEVEL'] ?? 'info';
  if (!isLogLevel(logLevel))
    throw new CredlessError('webhook_config_invalid', {
      reason: `CREDLESS_LOG_LEVEL '${logLevel}' is not one of ${LOG_LEVELS.join(', ')}`,
    });
  const logger = createLogger({ logLevel });
  const envPort = env['CREDLESS_WEBHOOK_PORT'];
  const port = options.port ?? (envPort ? Number(envPort) : undefined);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    throw new CredlessError('webhook_config_invalid', {
      reason: `CREDLESS_WEBHOOK_PORT '${envPort}' is not a port`,
    });
  return serveWebhook({
    authorityHost,
    tenantId: options.tenantId ?? env['AZURE_TENANT_ID'],
    audience: options.audience ?? env['CREDLESS_WEBHOOK_AUDIENCE'],
    tokenPath: options.tokenPath ?? env['CREDLESS_WEBHOOK_TOKEN_PATH'],
    identityBindingsFile: options.identityBindings ?? env['CREDLESS_WEBHOOK_IDENTITY_BINDINGS'],
    kubeconfig: options.kubeconfig,
    port,
    host: options.host,
    tls: {
      certFile: options.tlsCertFile ?? env['CREDLESS_WEBHOOK_TLS_CERT_FILE'] ?? `${DEFAULT_CERT_DIR}/tls.crt`,
      keyFile: options.tlsKeyFile ?? env['CREDLESS_WEBHOOK_TLS_KEY_FILE'] ?? `${DEFAULT_CERT_DIR}/tls.key`,
    },
    logger,
  });
}

/** Resolves once a SIGINT/SIGTERM has closed the webhook. */
export function closeWebhookOnSignals(running: RunningWebhook): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      console.error(`received ${signal}, shutting down the webhook…`);
      running.close().then(resolve, (error: unknown) => {
        console.error(error);
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
