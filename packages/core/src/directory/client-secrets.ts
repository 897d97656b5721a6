/**
 * Client secrets (Graph `passwordCredentials`) and the tenant policy that governs them. A secret is
 * shown once, at creation; the directory keeps only a salted slow hash of it (see the server's
 * client-secret-hash.ts), so these types never hold the secret itself.
 * @module
 */

/** A client secret as the directory keeps it: Graph's fields plus the hash. */
export interface StoredPasswordCredential {
  keyId: string;
  displayName: string | null;
  /** The first three characters of the secret, as Graph shows them. */
  hint: string;
  startDateTime: string;
  endDateTime: string;
  /** `scrypt$<N>$<r>$<p>$<salt b64url>$<hash b64url>`. */
  secretHash: string;
}

/**
 * `deny`: no secret may be created or used; `audit` (default): allowed, and every secret created and
 * every secret-based sign-in is flagged in the sign-in log; `allow`: allowed, not flagged.
 */
export type ClientSecretMode = 'deny' | 'audit' | 'allow';

export interface ClientSecretPolicy {
  mode: ClientSecretMode;
  /** Longest lifetime a new secret may have; a longer endDateTime is clamped to it. */
  maxLifetimeSeconds: number;
}

export const CLIENT_SECRET_MODES: readonly ClientSecretMode[] = Object.freeze(['deny', 'audit', 'allow']);

/** One day: secrets are a stopgap; federated credentials and certificates are the way. */
export const DEFAULT_CLIENT_SECRET_POLICY: Readonly<ClientSecretPolicy> = Object.freeze({
  mode: 'audit',
  maxLifetimeSeconds: 86_400,
});

/** Graph's passwordCredential as returned: never the secret or its hash. */
export function publicPasswordCredential(credential: StoredPasswordCredential) {
  const { secretHash: _hash, ...rest } = credential;
  return { customKeyIdentifier: null, secretText: null, ...rest };
}
