/**
 * The small slice of a Pod the mutation reads, and the JSON-Patch operations it writes. Admission input
 * is untrusted JSON, so every field is typed as possibly anything and checked where it is read.
 * @module
 */

/** Mutations only ever add: nothing the webhook does not know is removed or replaced. */
export interface AddOperation {
  op: 'add';
  path: string;
  value: unknown;
}

export type JsonObject = Record<string, unknown>;

export type ContainerKind = 'initContainers' | 'containers';

/** A ServiceAccount as the webhook needs it: who it is and its annotations. */
export interface ServiceAccountInfo {
  namespace: string;
  name: string;
  annotations: Readonly<Record<string, string>>;
}

/** The webhook's fixed settings, checked and precomputed once at start. */
export interface MutationConfig {
  /** The credless authority clients send token requests to, e.g. https://credless.example:8443/ */
  authorityHost: string;
  /** Tenant used when the ServiceAccount has no tenant-id annotation. */
  tenantId: string | undefined;
  /** Audience of the projected token. */
  audience: string;
  /** Where containers find the token file. */
  tokenPath: string;
  /** Directory mounted into each container (dirname of tokenPath). */
  mountPath: string;
  /** File name inside the projected volume (basename of tokenPath). */
  tokenFileName: string;
}

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
