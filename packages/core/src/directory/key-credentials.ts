/**
 * Certificate credentials of an application (Graph's `keyCredentials`): public certificates only.
 * An application proves itself with a client assertion signed by the certificate's private key, whose
 * header names the certificate by thumbprint (`x5t` = base64url SHA-1, `x5t#S256` = base64url SHA-256).
 * Pure: parsing a certificate and hashing it are computations, not I/O.
 * @module
 */
import { createHash, X509Certificate } from 'node:crypto';
import { CredlessError } from '../errors/index.ts';

/** Graph's keyCredential, as stored; `key` is the base64 (standard) DER of the certificate. */
export interface KeyCredential {
  keyId: string;
  type: 'AsymmetricX509Cert';
  usage: 'Verify';
  /** Upper-case hex SHA-1 thumbprint, as az and the portal show it. */
  customKeyIdentifier: string;
  displayName: string | null;
  startDateTime: string;
  endDateTime: string;
  key: string;
}

/** What a caller supplies: the certificate (base64 DER or PEM) and optional names and dates. */
export interface KeyCredentialInput {
  key: string;
  keyId?: string;
  displayName?: string | null;
  type?: string;
  usage?: string;
}

const invalid = (reason: string) => new CredlessError('invalid_value', { field: 'keyCredentials', reason });

function certificateDer(key: string): Buffer {
  const body = key.includes('-----BEGIN CERTIFICATE-----')
    ? key.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
    : key;
  const compact = body.replace(/\s+/g, '');
  if (compact.length === 0 || !/^[A-Za-z0-9+/]+=*$/.test(compact)) {
    throw invalid("'key' must be a base64 DER (or PEM) X.509 certificate");
  }
  return Buffer.from(compact, 'base64');
}

/** Validates a certificate credential and fills what Graph derives from the certificate. */
export function normalizeKeyCredential(input: KeyCredentialInput, newId: () => string): KeyCredential {
  if (typeof input?.key !== 'string') throw invalid("'key' (the certificate) is required");
  if (input.type !== undefined && input.type !== 'AsymmetricX509Cert') {
    throw invalid("only type 'AsymmetricX509Cert' is supported");
  }
  if (input.usage !== undefined && input.usage !== 'Verify')
    throw invalid("only usage 'Verify' is supported");
  const der = certificateDer(input.key);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(der);
  } catch {
    throw invalid("'key' is not an X.509 certificate");
  }
  if (certificate.publicKey.asymmetricKeyType !== 'rsa')
    throw invalid('the certificate must hold an RSA key');
  return {
    keyId: input.keyId ?? newId(),
    type: 'AsymmetricX509Cert',
    usage: 'Verify',
    customKeyIdentifier: createHash('sha1').update(der).digest('hex').toUpperCase(),
    displayName: input.displayName ?? null,
    startDateTime: new Date(certificate.validFrom).toISOString(),
    endDateTime: new Date(certificate.validTo).toISOString(),
    key: der.toString('base64'),
  };
}

/**
 * Whether a header thumbprint names the certificate: base64url with or without its `=` padding, as
 * Entra accepts (MSAL Python and ADAL send it padded, MSAL.NET and msal-node without). Only the exact
 * padded or unpadded form matches; nothing else is normalised.
 */
function namesCertificate(der: Buffer, hash: 'sha1' | 'sha256', named: unknown): boolean {
  if (typeof named !== 'string') return false;
  const unpadded = createHash(hash).update(der).digest('base64url');
  const padded = unpadded.padEnd(Math.ceil(unpadded.length / 4) * 4, '=');
  return named === unpadded || named === padded;
}

/**
 * The credential an assertion header names (`x5t` or `x5t#S256`), valid at `nowMs`, with its public
 * key; undefined when none is.
 */
export function findKeyCredential(
  credentials: readonly KeyCredential[],
  header: Record<string, unknown>,
  nowMs: number,
): { credential: KeyCredential; publicKey: import('node:crypto').KeyObject } | undefined {
  const sha1 = header['x5t'];
  const sha256 = header['x5t#S256'];
  for (const credential of credentials) {
    if (credential.usage !== 'Verify' || credential.type !== 'AsymmetricX509Cert') continue;
    const start = Date.parse(credential.startDateTime);
    const end = Date.parse(credential.endDateTime);
    if (!(nowMs >= start && nowMs <= end)) continue;
    const der = Buffer.from(credential.key, 'base64');
    const named = namesCertificate(der, 'sha1', sha1) || namesCertificate(der, 'sha256', sha256);
    if (named) return { credential, publicKey: new X509Certificate(der).publicKey };
  }
  return undefined;
}
