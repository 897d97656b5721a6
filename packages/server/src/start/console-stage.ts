/**
 * The start-up stage of the web console: its sign-in codes and sessions (in the store, shared by every
 * process serving it),
 * the hook that turns a session into its principal's bearer token, and its routes, for buildApp.
 * @module
 */
import { CredlessError } from '@credless/core';
import type { FastifyInstance } from 'fastify';
import type { AdminIdentityFile } from '../admin/admin-identity.ts';
import type { ServerConfig } from '../config.ts';
import { consoleBearerHook } from '../console/console-auth.ts';
import { consoleRoutes } from '../console/console-routes.ts';
import { ConsoleService, type SignInLink } from '../console/console-service.ts';
import { consoleDistDir } from '../console/console-static.ts';
import type { CachedTokenDirectory } from '../directory/cached-token-directory.ts';
import { createAccessTokenSigner } from '../keys/access-token-signer.ts';
import type { SigningKeyManager } from '../keys/signing-key-manager.ts';
import type { DirectoryStore } from '../store/directory-store.ts';
import type { PublicUrls } from './public-urls.ts';

const HOUR_MS = 3_600_000;

export interface ConsoleStage {
  /** For buildApp's `console`. */
  parts: {
    authenticate: ReturnType<typeof consoleBearerHook>;
    routes: (app: FastifyInstance) => Promise<void>;
  };
  /** A fresh sign-in link, for the local administrator unless another application of its tenant is named. */
  signInLink(appId?: string): Promise<SignInLink>;
}

export function startConsole(
  config: ServerConfig,
  deps: {
    store: DirectoryStore;
    directory: CachedTokenDirectory;
    keys: SigningKeyManager;
    urls: PublicUrls;
    admin: AdminIdentityFile | undefined;
    defaultTenantId: string;
    now: () => number;
  },
): ConsoleStage {
  const service = new ConsoleService({
    store: deps.store,
    directory: deps.directory,
    signer: createAccessTokenSigner(deps.keys),
    baseUrl: deps.urls.baseUrl,
    now: deps.now,
    sessionLifetimeMs: config.consoleSessionHours * HOUR_MS,
  });
  const graphToken = {
    baseUrl: deps.urls.baseUrl,
    directory: deps.directory,
    getJwks: (tenantId: string) => deps.keys.getJwks(tenantId),
    now: deps.now,
  };
  const distDir = consoleDistDir();
  return {
    parts: {
      authenticate: consoleBearerHook(service),
      routes: (app) => consoleRoutes(app, { service, distDir, graphToken }),
    },
    signInLink: (appId) => {
      const tenantId = deps.admin?.tenantId ?? deps.defaultTenantId;
      const principal = appId ?? deps.admin?.clientId;
      if (!principal) throw new CredlessError('console_principal_unusable', { appId: '(the administrator)' });
      return service.signInLink({ tenantId, appId: principal });
    },
  };
}
