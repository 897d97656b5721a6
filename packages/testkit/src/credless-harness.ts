/**
 * Starting a real credless (HTTPS on a loopback port, a fresh data directory) for tests, and setting
 * up the usual scenario: an application with a federated credential, its service principal and
 * admin-consented Graph roles — written to the server's store, as the directory API would.
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Logger } from '@credless/common';
import { GRAPH_APP_ID } from '@credless/core';
import {
  type ConfigOverrides,
  loadConfig,
  type RunningCredless,
  type ServerPlugin,
  startCredless,
} from '@credless/server';
import type { Dispatcher } from 'undici';
import {
  addFederatedCredential,
  grantAppRole,
  graphRoleId,
  servicePrincipalOf,
} from './directory-objects.ts';

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
  /** Logger to use (default: the server's logger at the configured level, silent for tests). */
  logger?: Logger;
  /** What else the server serves, e.g. `new LocalPlatforms()` (emulated issuers, cluster API). */
  plugins?: readonly ServerPlugin[];
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
    ...(options.plugins ? { plugins: options.plugins } : {}),
    logger: options.logger ?? createLogger(config),
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
  /** false: the Graph roles are requested but not consented (default true). */
  consent?: boolean;
  tenantId?: string;
}

/** App + federated credential + service principal (+ requested, consented Graph roles), as a pipeline would. */
export async function createWorkloadScenario(
  credless: Pick<TestCredless, 'store' | 'tenantId'>,
  options: WorkloadScenarioOptions,
): Promise<WorkloadScenario> {
  const target = { store: credless.store, tenantId: options.tenantId ?? credless.tenantId };
  const roleIds = (options.graphRoles ?? []).map(graphRoleId);
  const application = await target.store.createApplication(target.tenantId, {
    displayName: options.displayName ?? 'workload',
    // What `ad app permission add` records; the role assignments below are the admin consent.
    ...(roleIds.length
      ? {
          requiredResourceAccess: [
            { resourceAppId: GRAPH_APP_ID, resourceAccess: roleIds.map((id) => ({ id, type: 'Role' })) },
          ],
        }
      : {}),
  });
  await addFederatedCredential(target, application.appId, {
    name: options.credentialName ?? 'workload',
    issuer: options.issuer,
    subject: options.subject,
    ...(options.audience ? { audiences: [options.audience] } : {}),
  });
  const principal = await servicePrincipalOf(target, application.appId);
  if (options.consent !== false) {
    for (const appRoleId of roleIds)
      await grantAppRole(target, { clientAppId: application.appId, resourceAppId: GRAPH_APP_ID, appRoleId });
  }
  return { appId: application.appId, applicationObjectId: application.id, servicePrincipalId: principal.id };
}
