/**
 * The stored form of a tenant's token-signing key. A leaf of the store: the row conversions and the
 * store interface both import it, so neither has to import the other.
 * @module
 */

export interface InsertSigningKeyOptions {
  /** Decides, atomically with the insert, from the tenant's stored keys, that the key is not needed. */
  unless?: (stored: SigningKeyRecord[]) => boolean;
}

/** A signing key as stored: public parts in clear, the private key encrypted (compact JWE). */
export interface SigningKeyRecord {
  kid: string;
  tenantId: string;
  /** Public JWK (kty, n, e) without kid/use; kid/x5t/x5c are added when publishing. */
  publicJwk: { kty: 'RSA'; n: string; e: string };
  /** Base64 (standard) DER of the self-signed certificate for x5c. */
  certificate: string;
  /** base64url SHA-1 thumbprint of the certificate (x5t). */
  x5t: string;
  /** The private JWK encrypted with the key-encryption key, as a compact JWE. */
  encryptedPrivateKey: string;
  createdAt: Date;
  /** Published from creation; used for signing from `activateAt`. */
  activateAt: Date;
  /** No longer used for signing from `retireAt` (the next key has taken over). */
  retireAt: Date;
  /** Removed from the JWKS (and deletable) from `expireAt`; ≥ retireAt + max token lifetime + cache TTL. */
  expireAt: Date;
}
