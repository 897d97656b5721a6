/**
 * What every benchmark server child shares: reading its environment, listening (HTTPS by default,
 * plain HTTP with BENCH_PROTOCOL=http), announcing itself with one JSON line on stdout, and closing
 * cleanly on SIGTERM/SIGINT (or when its parent goes away).
 * @module
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, issueServerCertificate } from '@credless/common';

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

export function benchProtocol(): 'http' | 'https' {
  const protocol = process.env['BENCH_PROTOCOL'] ?? 'https';
  if (protocol !== 'http' && protocol !== 'https') throw new Error('BENCH_PROTOCOL must be http or https');
  return protocol;
}

export interface ListeningServer {
  url: string;
  /** CA to trust for `url` (undefined over plain HTTP). */
  caCertPem: string | undefined;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (free port) over BENCH_PROTOCOL; HTTPS uses a fresh CA-issued certificate. */
export async function listen(
  name: string,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<ListeningServer> {
  const protocol = benchProtocol();
  const tls = protocol === 'https' ? await createServerTls(name) : undefined;
  const server = tls
    ? createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, handler)
    : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${protocol}://127.0.0.1:${port}`,
    caCertPem: tls?.caCertPem,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
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
