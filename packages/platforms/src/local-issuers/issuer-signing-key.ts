/**
 * RSA-2048 signing keys of credless's emulated issuers (local clusters, GitHub Actions): generated
 * with WebCrypto, kid = base64url(SHA-256(SPKI DER)) as kube-apiserver computes it, the private JWK
 * stored only encrypted with the key-encryption key (as the tenants' token-signing keys are).
 * @module
 */
import { createHash, type KeyObject } from 'node:crypto';
import {
  decryptPrivateJwk,
  type EmulatedIssuerKey,
  encryptPrivateJwk,
  SIGNING_ALGORITHM,
} from '@credless/server';
import { importJWK } from 'jose';

/** A JWKS entry as kube-apiserver and GitHub publish it. */
export interface IssuerJwk {
  use: 'sig';
  kty: 'RSA';
  kid: string;
  alg: 'RS256';
  n: string;
  e: string;
}

/** kube-apiserver's key id: base64url (unpadded) SHA-256 of the DER-encoded SubjectPublicKeyInfo. */
export function kubernetesKeyId(spkiDer: Uint8Array): string {
  return createHash('sha256').update(spkiDer).digest('base64url');
}

export async function generateIssuerSigningKey(kek: Uint8Array, now: number): Promise<EmulatedIssuerKey> {
  // WebCrypto generates RSA keys off the main thread.
  const keys = await crypto.subtle.generateKey(
    { ...SIGNING_ALGORITHM, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ['sign', 'verify'],
  );
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey));
  const publicJwk = await crypto.subtle.exportKey('jwk', keys.publicKey);
  if (!publicJwk.n || !publicJwk.e) throw new Error('RSA public key export lacks n/e');
  const privateJwk = await crypto.subtle.exportKey('jwk', keys.privateKey);
  return {
    kid: kubernetesKeyId(spki),
    publicJwk: { kty: 'RSA', n: publicJwk.n, e: publicJwk.e },
    encryptedPrivateKey: await encryptPrivateJwk(privateJwk, kek),
    createdAt: new Date(now),
  };
}

/** The private key, decrypted and imported as non-extractable (it can sign, never be exported again). */
export async function importIssuerPrivateKey(key: EmulatedIssuerKey, kek: Uint8Array): Promise<CryptoKey> {
  const jwk = await decryptPrivateJwk(key.encryptedPrivateKey, kek);
  return crypto.subtle.importKey('jwk', jwk, SIGNING_ALGORITHM, false, ['sign']);
}

export async function importIssuerPublicKey(key: EmulatedIssuerKey): Promise<CryptoKey | KeyObject> {
  const imported = await importJWK({ ...key.publicJwk }, 'RS256');
  if (imported instanceof Uint8Array) throw new Error('an issuer public key cannot be symmetric');
  return imported;
}

export function issuerJwk(key: EmulatedIssuerKey): IssuerJwk {
  return { use: 'sig', kty: 'RSA', kid: key.kid, alg: 'RS256', n: key.publicJwk.n, e: key.publicJwk.e };
}
