/**
 * Self-signed certificates for token-signing keys. Entra publishes every signing key with an `x5c`
 * certificate and uses its SHA-1 thumbprint (`x5t`) as the `kid`; some verifiers (e.g. older
 * Microsoft.IdentityModel setups) rely on both, so credless does the same.
 * @module
 */
import type { webcrypto } from 'node:crypto';
import { createHash } from 'node:crypto';
import { x509 } from '@credless/common';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
export const SIGNING_ALGORITHM: webcrypto.RsaHashedImportParams = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
};

export interface SigningKeyCertificate {
  /** Base64 (standard) DER, as it goes into `x5c`. */
  certificate: string;
  /** base64url SHA-1 thumbprint of the DER. */
  x5t: string;
  /** Equal to `x5t`, as Entra does. */
  kid: string;
}

export async function createSigningKeyCertificate(options: {
  tenantId: string;
  keys: webcrypto.CryptoKeyPair;
  activateAt: Date;
  expireAt: Date;
}): Promise<SigningKeyCertificate> {
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [`credless token signing ${options.tenantId}`] }],
    keys: options.keys,
    // Covers the whole time the key is published, with slack for clock skew on either side.
    notBefore: new Date(options.activateAt.getTime() - HOUR_MS),
    notAfter: new Date(options.expireAt.getTime() + DAY_MS),
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    ],
  });
  const der = Buffer.from(cert.rawData);
  const x5t = certificateThumbprint(der);
  return { certificate: der.toString('base64'), x5t, kid: x5t };
}

/** base64url(SHA-1(DER)): the `x5t` of a certificate. */
export function certificateThumbprint(der: Uint8Array): string {
  return createHash('sha1').update(der).digest('base64url');
}
