/**
 * HTTPS for a local install without any setup: a private CA and a server certificate kept under
 * `<dataDir>/tls/`. The CA is made once (the user trusts it once, e.g. `NODE_EXTRA_CA_CERTS`); the
 * server certificate is re-issued by the same CA whenever its names change or it nears expiry.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import {
  canonicalIpAddress,
  createCertificateAuthority,
  isIssuedBy,
  issueServerCertificate,
  type PemKeyPair,
  pemFileText,
  readCertificateInfo,
} from '@credless/common';
import { CredlessError } from '@credless/core';

export interface EnsureLocalTlsOptions {
  dataDir: string;
  /** Extra names to serve besides localhost / 127.0.0.1 / ::1; IP literals become IP SANs. */
  hostnames?: string[];
  now?: () => number;
  log?: (msg: string) => void;
}

export interface LocalTls {
  caPath: string;
  caCertPem: string;
  certPem: string;
  keyPem: string;
  /** True when the CA was created by this call (the user still has to trust it). */
  created: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const CA_VALIDITY_DAYS = 3650;
/** The longest validity browsers accept for a server certificate. */
const SERVER_VALIDITY_DAYS = 397;
const RENEW_BEFORE_MS = 30 * DAY_MS;
const CA_COMMON_NAME = 'credless local CA';
const isWindows = process.platform === 'win32';

export async function ensureLocalTls(options: EnsureLocalTlsOptions): Promise<LocalTls> {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const dir = join(options.dataDir, 'tls');
  const paths = {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
  };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!isWindows) await chmod(dir, 0o700);

  let ca = await readPair(paths.caCert, paths.caKey);
  let created = false;
  if (!ca || readCertificateInfo(ca.certPem).notAfter.getTime() - now() < RENEW_BEFORE_MS) {
    ca = await createCertificateAuthority({
      commonName: CA_COMMON_NAME,
      validityDays: CA_VALIDITY_DAYS,
      now,
    });
    await writePair(paths.caCert, paths.caKey, ca);
    created = true;
    log(`Created a local certificate authority at ${paths.caCert}`);
  } else if (!ca.certPem.endsWith('\n')) {
    // Written by an older credless: without the newline, `cat ca.crt other.pem` makes a broken bundle.
    ca = { ...ca, certPem: pemFileText(ca.certPem) };
    await writeFileAtomic(paths.caCert, ca.certPem, 0o644);
  }

  const wanted = desiredNames(options.hostnames ?? []);
  let server = await readPair(paths.serverCert, paths.serverKey);
  const reason = server
    ? await reissueReason(server, ca, wanted, now()).catch(() => 'the existing one is unreadable')
    : 'none exists yet';
  if (!server || reason) {
    server = await issueServerCertificate({
      ca,
      dnsNames: wanted.dnsNames,
      ipAddresses: wanted.ipAddresses,
      commonName: 'localhost',
      validityDays: SERVER_VALIDITY_DAYS,
      now,
    });
    await writePair(paths.serverCert, paths.serverKey, server);
    log(
      `Issued the HTTPS server certificate (${reason}) for ${[...wanted.dnsNames, ...wanted.ipAddresses].join(', ')}`,
    );
  }

  return {
    caPath: paths.caCert,
    caCertPem: ca.certPem,
    certPem: server.certPem,
    keyPem: server.keyPem,
    created,
  };
}

interface SanSet {
  dnsNames: string[];
  ipAddresses: string[];
}

function desiredNames(hostnames: string[]): SanSet {
  const dns = new Set(['localhost']);
  const ips = new Set(['127.0.0.1', '::1']);
  for (const raw of hostnames) {
    const name = raw.trim().toLowerCase();
    if (!name) continue;
    // Allow "[::1]"-style bracketed IPv6 as people write it in URLs.
    const unbracketed = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
    if (isIP(unbracketed)) ips.add(canonicalIpAddress(unbracketed));
    else dns.add(name);
  }
  return { dnsNames: [...dns].sort(), ipAddresses: [...ips].sort() };
}

/** Why the existing server certificate must be replaced, or undefined when it can be kept. */
async function reissueReason(server: PemKeyPair, ca: PemKeyPair, wanted: SanSet, now: number) {
  if (!(await isIssuedBy(server.certPem, ca.certPem))) return 'the CA changed';
  const info = readCertificateInfo(server.certPem);
  if (info.notAfter.getTime() - now < RENEW_BEFORE_MS) return 'it expires within 30 days';
  const same = (a: string[], b: string[]) =>
    a.length === b.length && [...a].sort().every((v, i) => v === b[i]);
  const dnsNames = info.dnsNames.map((n) => n.toLowerCase());
  if (!same(dnsNames, wanted.dnsNames) || !same(info.ipAddresses, wanted.ipAddresses))
    return 'the host names changed';
  return undefined;
}

/** Reads a certificate and its key; undefined when either is missing. Refuses a key others can read. */
async function readPair(certPath: string, keyPath: string): Promise<PemKeyPair | undefined> {
  try {
    const keyStat = await stat(keyPath);
    if (!isWindows && (keyStat.mode & 0o077) !== 0) {
      throw new CredlessError('tls_key_insecure', { path: keyPath });
    }
    return { certPem: await readFile(certPath, 'utf8'), keyPem: await readFile(keyPath, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function writePair(certPath: string, keyPath: string, pair: PemKeyPair): Promise<void> {
  // Key first: a reader that sees the new certificate also finds its key.
  await writeFileAtomic(keyPath, pair.keyPem, 0o600);
  await writeFileAtomic(certPath, pair.certPem, 0o644);
}

/** Write to a private temporary file, then rename, so no reader ever sees a partial file. */
async function writeFileAtomic(path: string, content: string, mode: number): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, content, { mode, flag: 'wx' });
    if (!isWindows) await chmod(temp, mode);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}
