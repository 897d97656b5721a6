/**
 * What a cluster's runtime is given: its data directory and cluster, the credless it asks for tokens, and
 * the knobs tests turn. Its own module so the runtime's two halves (objects, workloads) both import it.
 * @module
 */
import type { ClusterRecord, DirectoryStore } from '@credless/server';
import type {
  IssuedServiceAccountToken,
  ServiceAccountTokenRequest,
} from '../local-issuers/local-issuers.ts';
import type { Scheduler } from './deployment-controller.ts';

export interface CredlessAccess {
  /** Authority host (no trailing slash). */
  url: string;
  caPath?: string | undefined;
  caCertPem?: string | undefined;
  store: DirectoryStore;
  issueServiceAccountToken(
    clusterId: string,
    request: ServiceAccountTokenRequest,
  ): Promise<IssuedServiceAccountToken>;
}

export interface ClusterRuntimeOptions {
  dataDir: string;
  cluster: ClusterRecord;
  credless: CredlessAccess;
  /** The runtime's clock for token refreshes (tests move it). */
  now?: () => number;
  tokenRefreshIntervalMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  stopGraceMs?: number;
  hostEnv?: NodeJS.ProcessEnv;
  /** Timers of the Deployment controller's back-off (tests record the delays). */
  scheduler?: Scheduler;
}
