/**
 * Starting a real credless (HTTPS on a loopback port, a fresh data directory) for tests, and setting
 * up the usual scenario: an application with a federated credential, its service principal and
 * admin-consented Graph roles — through the same command functions the CLI runs.
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addPermission,
  adminConsent,
  createApplication,
  createFederatedCredential,
  createServicePrincipal,
} from '@credless/cli';
import { GRAPH_APP_ID, GRAPH_APP_ROLES } from '@credless/core';
import { type ConfigOverrides, loadConfig, type RunningCredless, startCredless } from '@credless/server';
import pino, { type Logger } from 'pino';
import type { Dispatcher } from 'undici';

export interface TestCredless extends RunningCredless {
  dataDir: string;
  tenantId: string;
}

export interface StartTestCredlessOptions {
  /** Dispatcher trusting the test issuers' CA (TestOidcIssuer.dispatcher). */
  issuerDispatcher?: Dispatcher;
  config?: ConfigOverrides;
  now?: () => number;
  /** Environment read by loadConfig (default: none, so the developer's CREDLESS_* do not leak in). */
  env?: NodeJS.ProcessEnv;
  /** Logger to use (default: pino at the configured level, silent for tests). */
  logger?: Logger;
}

export async function startTestCredless(options: StartTestCredlessOptions = {}): Promise<TestCredless> {
  const dataDir = await mkdtemp(join(tmpdir(), 'credless-test-'));
  const config = loadConfig(options.env ?? {}, {
    dataDir,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    ...options.config,
  });
  const running = await startCredless(config, {
    ...(options.issuerDispatcher ? { issuerDispatcher: options.issuerDispatcher } : {}),
    ...(options.now ? { now: options.now } : {}),
    logger: options.logger ?? pino({ level: config.logLevel }),
  });
  const close = running.close.bind(running);
  return Object.assign(running, {
    dataDir,
    tenantId: running.defaultTenantId,
    async close() {
      await close();
      await rm(dataDir, { recursive: true, force: true });
    },
  });
}

export interface WorkloadScenario {
  appId: string;
  applicationObjectId: string;
  servicePrincipalId: string;
}

export interface WorkloadScenarioOptions {
  displayName?: string;
  issuer: string;
  subject: string;
  audience?: string;
  credentialName?: string;
  /** Graph application permissions to request and admin-consent, by value (e.g. 'User.Read.All'). */
  graphRoles?: string[];
  tenantId?: string;
}

/** App + federated credential + service principal (+ consented Graph roles), as a pipeline would. */
export async function createWorkloadScenario(
  credless: Pick<TestCredless, 'store' | 'tenantId'>,
  options: WorkloadScenarioOptions,
): Promise<WorkloadScenario> {
  const ctx = { store: credless.store, tenantId: options.tenantId ?? credless.tenantId };
  const application = await createApplication(ctx, { displayName: options.displayName ?? 'workload' });
  await createFederatedCredential(ctx, application.appId, {
    name: options.credentialName ?? 'workload',
    issuer: options.issuer,
    subject: options.subject,
    ...(options.audience ? { audiences: [options.audience] } : {}),
  });
  const principal = await createServicePrincipal(ctx, application.appId);
  if (options.graphRoles?.length) {
    const ids = options.graphRoles.map((value) => {
      const role = GRAPH_APP_ROLES.find((candidate) => candidate.value === value);
      if (!role) throw new Error(`unknown Graph role ${value}`);
      return `${role.id}=Role`;
    });
    await addPermission(ctx, { id: application.appId, api: GRAPH_APP_ID, apiPermissions: ids });
    await adminConsent(ctx, application.appId);
  }
  return { appId: application.appId, applicationObjectId: application.id, servicePrincipalId: principal.id };
}
