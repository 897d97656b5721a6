/**
 * Where the webhook finds ServiceAccounts. The Kubernetes implementation watches the API server; the
 * local cluster supplies its own directly. `get` answers undefined for "does not exist" and throws a
 * CredlessError when it cannot tell (API server unreachable), so the pod is refused, not admitted bare.
 * @module
 */
import type { ServiceAccountInfo } from '../mutation/types.ts';

export interface ServiceAccountSource {
  get(namespace: string, name: string): Promise<ServiceAccountInfo | undefined>;
  /** True once the source can answer from memory (the Kubernetes cache has listed at least once). */
  ready(): boolean;
  close(): Promise<void>;
}
