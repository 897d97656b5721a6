/**
 * What every benchmark server child shares: reading its environment, announcing itself with one
 * JSON line on stdout, and closing cleanly on SIGTERM/SIGINT (or when its parent goes away).
 * @module
 */
import {
  createCertificateAuthority,
  issueServerCertificate,
} from '../../packages/server/src/tls/certificates.ts';

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

/** A fresh CA and a 127.0.0.1/localhost server certificate, the same kind credless makes for itself. */
export async function createServerTls(
  commonName: string,
): Promise<{ caCertPem: string; certPem: string; keyPem: string }> {
  const ca = await createCertificateAuthority({ commonName: `${commonName} bench CA` });
  const server = await issueServerCertificate({ ca, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  return { caCertPem: ca.certPem, ...server };
}

export function serveUntilSignal(announcement: Record<string, unknown>, close: () => Promise<void>): void {
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  // The parent keeps an IPC channel open; if it dies without stopping us, do not linger.
  process.once('disconnect', shutdown);
  process.channel?.unref();
  process.stdout.write(`${JSON.stringify(announcement)}\n`);
}
