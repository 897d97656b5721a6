/**
 * A self-signed RSA certificate for an application's certificate credential (keyCredentials), with
 * its private key: what a client signs its certificate assertions with.
 * @module
 */
import { createHash } from 'node:crypto';
import { x509 } from '@credless/common';

const ALG = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
};

export interface ClientCertificate {
  der: Buffer;
  privateKey: CryptoKey;
  /** Certificate and PKCS#8 private key in PEM, as MSAL Python and azure.identity read them. */
  certPem: string;
  keyPem: string;
  /** Upper-case hex SHA-1, as az and the portal show it (MSAL Python's `thumbprint`). */
  sha1Hex: string;
}

export async function makeClientCertificate(notBefore: number, notAfter: number): Promise<ClientCertificate> {
  const keys = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: ['credless client certificate test'] }],
    keys,
    notBefore: new Date(notBefore),
    notAfter: new Date(notAfter),
    signingAlgorithm: ALG,
  });
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const der = Buffer.from(cert.rawData);
  return {
    der,
    privateKey: keys.privateKey,
    certPem: cert.toString('pem'),
    keyPem: `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)?.join('\n')}\n-----END PRIVATE KEY-----\n`,
    sha1Hex: createHash('sha1').update(der).digest('hex').toUpperCase(),
  };
}
