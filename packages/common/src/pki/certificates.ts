/**
 * Small X.509 helpers for local CAs and HTTPS server certificates: ECDSA P-256 keys, PKCS#8 PEM
 * private keys, certificates built with @peculiar/x509 on Node's WebCrypto. Every PEM returned here
 * ends with a newline, as PEM files do.
 * @module
 */
import type { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import { x509 } from './x509.ts';

export interface PemKeyPair {
  certPem: string;
  keyPem: string;
}

export interface CertificateInfo {
  notAfter: Date;
  dnsNames: string[];
  ipAddresses: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Backdating tolerates clocks that run slightly behind ours. */
const BACKDATE_MS = 60 * 60 * 1000;
const EC_KEY: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const EC_SIGNING: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

export async function createCertificateAuthority(options: {
  commonName: string;
  validityDays?: number;
  now?: () => number;
}): Promise<PemKeyPair> {
  const now = options.now?.() ?? Date.now();
  const keys = await generateEcKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [options.commonName] }],
    keys,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + (options.validityDays ?? 3650) * DAY_MS),
    signingAlgorithm: EC_SIGNING,
    extensions: [
      // pathLength 0: this CA only ever signs leaf certificates.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: pemFileText(cert.toString('pem')), keyPem: await exportPkcs8Pem(keys.privateKey) };
}

export async function issueServerCertificate(options: {
  ca: PemKeyPair;
  dnsNames: string[];
  ipAddresses: string[];
  commonName?: string;
  validityDays?: number;
  now?: () => number;
}): Promise<PemKeyPair> {
  const now = options.now?.() ?? Date.now();
  const caCert = new x509.X509Certificate(options.ca.certPem);
  const caKey = await importEcPrivateKey(options.ca.keyPem);
  const keys = await generateEcKeyPair();
  const sanNames = [
    ...options.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...options.ipAddresses.map((value) => ({ type: 'ip' as const, value: canonicalIpAddress(value) })),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    subject: [{ CN: [options.commonName ?? options.dnsNames[0] ?? options.ipAddresses[0] ?? 'localhost'] }],
    issuer: caCert.subjectName,
    publicKey: keys.publicKey,
    signingKey: caKey,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + (options.validityDays ?? 397) * DAY_MS),
    signingAlgorithm: EC_SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(sanNames),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    ],
  });
  return { certPem: pemFileText(cert.toString('pem')), keyPem: await exportPkcs8Pem(keys.privateKey) };
}

export function readCertificateInfo(certPem: string): CertificateInfo {
  const cert = new x509.X509Certificate(certPem);
  const names = cert.getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON() ?? [];
  return {
    notAfter: cert.notAfter,
    dnsNames: names.filter((n) => n.type === 'dns').map((n) => n.value),
    ipAddresses: names.filter((n) => n.type === 'ip').map((n) => canonicalIpAddress(n.value)),
  };
}

/** True when `certPem` carries a valid signature by the CA certificate `caCertPem`. */
export async function isIssuedBy(certPem: string, caCertPem: string): Promise<boolean> {
  const cert = new x509.X509Certificate(certPem);
  const ca = new x509.X509Certificate(caCertPem);
  if (cert.issuer !== ca.subject) return false;
  return cert.verify({ publicKey: ca.publicKey, signatureOnly: true });
}

/**
 * PEM text as a file should hold it: ending with a newline, so that `cat ca.crt other.pem > bundle`
 * keeps the END and the next BEGIN line apart (az and OpenSSL reject the joined line).
 */
export function pemFileText(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

/** One spelling per address (IPv6 compressed, lowercase) so SAN sets compare reliably. */
export function canonicalIpAddress(address: string): string {
  const version = isIP(address);
  if (version === 4) return address;
  if (version === 6) return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  throw new Error(`Not an IP address: ${address}`);
}

async function generateEcKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  // Extractable so the private key can be written out as PKCS#8.
  return crypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
}

async function exportPkcs8Pem(privateKey: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', privateKey);
  return pemFileText(x509.PemConverter.encode(der, x509.PemConverter.PrivateKeyTag));
}

async function importEcPrivateKey(keyPem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(keyPem);
  return crypto.subtle.importKey('pkcs8', der, EC_KEY, false, ['sign']);
}
