import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readCertificateInfo } from '@credless/common';
import { ensureLocalTls } from '../../src/tls/local-tls.ts';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2030, 0, 1);
const posixOnly = { skip: process.platform === 'win32' ? 'file modes are POSIX-only' : false };

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'credless-tls-'));
  tempDirs.push(dir);
  return dir;
}
after(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const fileMode = async (path: string) => (await stat(path)).mode & 0o777;

describe('ensureLocalTls', () => {
  test('first call creates CA and server certificate with private file modes', posixOnly, async () => {
    const dataDir = await tempDir();
    const logs: string[] = [];
    const tls = await ensureLocalTls({ dataDir, now: () => T0, log: (m) => logs.push(m) });
    const dir = join(dataDir, 'tls');
    assert.equal(tls.created, true);
    assert.equal(tls.caPath, join(dir, 'ca.crt'));
    assert.equal(await fileMode(dir), 0o700);
    assert.equal(await fileMode(join(dir, 'ca.key')), 0o600);
    assert.equal(await fileMode(join(dir, 'server.key')), 0o600);
    assert.equal(await readFile(join(dir, 'ca.crt'), 'utf8'), tls.caCertPem);
    assert.equal(await readFile(join(dir, 'server.crt'), 'utf8'), tls.certPem);
    assert.equal(await readFile(join(dir, 'server.key'), 'utf8'), tls.keyPem);
    assert.ok(logs.length > 0);
    assert.ok(
      logs.every((m) => !m.includes('PRIVATE KEY')),
      'no key material in logs',
    );

    const ca = new X509Certificate(tls.caCertPem);
    const server = new X509Certificate(tls.certPem);
    assert.ok(ca.ca);
    assert.ok(server.checkIssued(ca) && server.verify(ca.publicKey));
    assert.equal(new Date(ca.validTo).getTime(), T0 + 3650 * DAY);
    assert.deepEqual(readCertificateInfo(tls.certPem), {
      notAfter: new Date(T0 + 397 * DAY),
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1', '::1'],
    });
  });

  test('reuses everything on a second call, re-issues the server certificate when hostnames change', async () => {
    const dataDir = await tempDir();
    const first = await ensureLocalTls({ dataDir, hostnames: ['sts.example.test'], now: () => T0 });
    const second = await ensureLocalTls({ dataDir, hostnames: ['STS.example.test'], now: () => T0 + DAY });
    assert.equal(second.created, false);
    assert.equal(second.caCertPem, first.caCertPem);
    assert.equal(second.certPem, first.certPem, 'same names (DNS is case-insensitive): reuse');
    assert.equal(second.keyPem, first.keyPem);

    const changed = await ensureLocalTls({
      dataDir,
      hostnames: ['sts.example.test', 'credless.internal', '10.1.2.3'],
      now: () => T0 + 2 * DAY,
    });
    assert.equal(changed.created, false);
    assert.equal(changed.caCertPem, first.caCertPem, 'the CA stays, so clients keep trusting it');
    assert.notEqual(changed.certPem, first.certPem);
    assert.notEqual(changed.keyPem, first.keyPem);
    const info = readCertificateInfo(changed.certPem);
    assert.deepEqual(info.dnsNames.sort(), ['credless.internal', 'localhost', 'sts.example.test']);
    assert.deepEqual(info.ipAddresses.sort(), ['10.1.2.3', '127.0.0.1', '::1']);
    assert.ok(new X509Certificate(changed.certPem).verify(new X509Certificate(first.caCertPem).publicKey));
  });

  test('ca.crt ends with a newline, and one written without it by an older version is repaired', async () => {
    const dataDir = await tempDir();
    const caPath = join(dataDir, 'tls', 'ca.crt');
    const first = await ensureLocalTls({ dataDir });
    assert.match(await readFile(caPath, 'utf8'), /-----END CERTIFICATE-----\n$/);

    await writeFile(caPath, first.caCertPem.trimEnd());
    const again = await ensureLocalTls({ dataDir });
    assert.equal(await readFile(caPath, 'utf8'), first.caCertPem);
    assert.equal(again.caCertPem, first.caCertPem);
    assert.equal(again.certPem, first.certPem, 'the same CA: the server certificate stays');
  });

  test('re-issues the server certificate when less than 30 days of validity remain', async () => {
    const dataDir = await tempDir();
    const first = await ensureLocalTls({ dataDir, now: () => T0 });
    const expiry = readCertificateInfo(first.certPem).notAfter.getTime();
    const stillFine = await ensureLocalTls({ dataDir, now: () => expiry - 31 * DAY });
    assert.equal(stillFine.certPem, first.certPem);
    const renewed = await ensureLocalTls({ dataDir, now: () => expiry - 29 * DAY });
    assert.notEqual(renewed.certPem, first.certPem);
    assert.equal(renewed.caCertPem, first.caCertPem);
    assert.equal(readCertificateInfo(renewed.certPem).notAfter.getTime(), expiry - 29 * DAY + 397 * DAY);
  });

  test('replaces an unreadable server certificate but keeps the CA', async () => {
    const dataDir = await tempDir();
    const first = await ensureLocalTls({ dataDir });
    await writeFile(join(dataDir, 'tls', 'server.crt'), 'not a certificate');
    const again = await ensureLocalTls({ dataDir });
    assert.equal(again.caCertPem, first.caCertPem);
    assert.ok(new X509Certificate(again.certPem).verify(new X509Certificate(first.caCertPem).publicKey));
  });

  test('refuses a CA key readable by others', posixOnly, async () => {
    const dataDir = await tempDir();
    await ensureLocalTls({ dataDir });
    const keyPath = join(dataDir, 'tls', 'ca.key');
    await chmod(keyPath, 0o644);
    await assert.rejects(ensureLocalTls({ dataDir }), (error: Error) =>
      error.message.includes(`chmod 600 ${keyPath}`),
    );
  });

  test('an HTTPS server with the certificate is trusted by a client that trusts only ca.crt', async (t) => {
    const dataDir = await tempDir();
    const tls = await ensureLocalTls({ dataDir });
    const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (_req, res) =>
      res.end('hello over tls'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const caFromDisk = await readFile(tls.caPath, 'utf8');

    const get = (options: { servername?: string; ca?: string }) =>
      new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/', agent: false, ...options }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () => resolve(body));
        });
        req.on('error', reject);
        req.end();
      });

    assert.equal(await get({ ca: caFromDisk, servername: 'localhost' }), 'hello over tls');
    assert.equal(await get({ ca: caFromDisk }), 'hello over tls', 'IP SAN 127.0.0.1');
    await assert.rejects(get({ servername: 'localhost' }), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    await assert.rejects(get({ ca: caFromDisk, servername: 'not-in-san.example.test' }), {
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });
});
