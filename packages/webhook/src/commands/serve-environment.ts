/**
 * The webhook's environment variables (`credless webhook serve`), in the order of the README's table.
 * Names follow azure-workload-identity where it has one (AZURE_TENANT_ID). Flags override them.
 * @module
 */
import {
  choiceVariable,
  integerVariable,
  LOG_LEVELS,
  stringVariable,
  stringVariableWithDefault,
} from '@credless/common';
import { z } from 'zod';
import { DEFAULT_WEBHOOK_PORT } from '../main.ts';
import { DEFAULT_AUDIENCE, DEFAULT_TOKEN_PATH } from '../mutation/constants.ts';

/** Where a kubernetes.io/tls Secret is usually mounted in the webhook's Deployment. */
const DEFAULT_CERT_DIR = '/etc/credless-webhook/certs';

export const webhookEnvironment = z.object({
  CREDLESS_AUTHORITY_HOST: stringVariable({
    flags: ['--authority-host'],
    description: 'credless authority host (https) injected into pods as AZURE_AUTHORITY_HOST; required',
  }),
  AZURE_TENANT_ID: stringVariable({
    flags: ['--tenant-id'],
    description: 'tenant injected when the ServiceAccount names none',
  }),
  CREDLESS_WEBHOOK_AUDIENCE: stringVariable({
    flags: ['--audience'],
    shown: DEFAULT_AUDIENCE,
    description: 'audience of the projected service-account token',
  }),
  CREDLESS_WEBHOOK_TOKEN_PATH: stringVariable({
    flags: ['--token-path'],
    shown: DEFAULT_TOKEN_PATH,
    description: 'token file in the containers (AZURE_FEDERATED_TOKEN_FILE)',
  }),
  CREDLESS_WEBHOOK_IDENTITY_BINDINGS: stringVariable({
    flags: ['--identity-bindings'],
    description: 'YAML policy file: which ServiceAccounts may use which client ids',
  }),
  CREDLESS_WEBHOOK_PORT: integerVariable({
    default: DEFAULT_WEBHOOK_PORT,
    min: 0,
    max: 65535,
    flags: ['--port'],
    description: 'listen port',
  }),
  CREDLESS_WEBHOOK_TLS_CERT_FILE: stringVariableWithDefault({
    default: `${DEFAULT_CERT_DIR}/tls.crt`,
    flags: ['--tls-cert-file'],
    description: 'serving certificate (PEM), reloaded when it changes',
  }),
  CREDLESS_WEBHOOK_TLS_KEY_FILE: stringVariableWithDefault({
    default: `${DEFAULT_CERT_DIR}/tls.key`,
    flags: ['--tls-key-file'],
    description: "the serving certificate's private key (PEM)",
  }),
  CREDLESS_LOG_LEVEL: choiceVariable(LOG_LEVELS, {
    default: 'info',
    description: 'pino level; logs are JSON and never contain tokens',
  }),
});
