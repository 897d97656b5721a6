/**
 * `credless webhook serve`: flags and environment (serve-environment.ts) resolved into serveWebhook
 * options; a flag wins over its variable.
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

export async function webhookServe(
  options: WebhookServeCommandOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningWebhook> {
  // Loaded on use, like the certificate helpers in certs.ts: importing @credless/webhook stays light.
  const [{ createLogger, parseEnvironment }, { webhookEnvironment }] = await Promise.all([
    import('@credless/common'),
    import('./serve-environment.ts'),
  ]);
  const vars = parseEnvironment(
    webhookEnvironment,
    env,
    (reason) => new CredlessError('webhook_config_invalid', { reason }),
  );
  const authorityHost = options.authorityHost ?? vars.CREDLESS_AUTHORITY_HOST;
  if (!authorityHost)
    throw new CredlessError('webhook_config_invalid', {
      reason:
        'no authority host: pass --authority-host https://<credless-host>/ or set CREDLESS_AUTHORITY_HOST',
    });
  return serveWebhook({
    authorityHost,
    tenantId: options.tenantId ?? vars.AZURE_TENANT_ID,
    audience: options.audience ?? vars.CREDLESS_WEBHOOK_AUDIENCE,
    tokenPath: options.tokenPath ?? vars.CREDLESS_WEBHOOK_TOKEN_PATH,
    identityBindingsFile: options.identityBindings ?? vars.CREDLESS_WEBHOOK_IDENTITY_BINDINGS,
    kubeconfig: options.kubeconfig,
    port: options.port ?? vars.CREDLESS_WEBHOOK_PORT,
    host: options.host,
    tls: {
      certFile: options.tlsCertFile ?? vars.CREDLESS_WEBHOOK_TLS_CERT_FILE,
      keyFile: options.tlsKeyFile ?? vars.CREDLESS_WEBHOOK_TLS_KEY_FILE,
    },
    logger: createLogger({ logLevel: vars.CREDLESS_LOG_LEVEL }),
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
