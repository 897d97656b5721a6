/**
 * The webhook over real HTTPS on loopback: serveWebhook with certificate files, an admission through a
 * client that verifies the certificate, and a hot reload: new files on disk are served to new
 * connections without a restart, and a half-written pair never replaces a good one.
 * @module
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect } from 'node:tls';
import { createCertificateAuthority, issueServerCertificate, type PemKeyPair } from '@credless/common';
import { type RunningWebhook, serveWebhook } from '../../src/main.ts';
import { CLIENT_ID_ANNOTATION } from '../../src/mutation/constants.ts';
import { StaticServiceAccountSource } from '../../src/service-accounts/static-source.ts';
import { readCertificatePair } from '../../src/tls/serving-certificate.ts';
import { AUTHORITY, CLIENT_ID, pod, serviceAccount, TENANT } from '../support.ts';

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** The fingerprint of the certificate a fresh TLS connection is served. */
function servedFingerprint(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const fingerprint = socket.getPeerX509Certificate()?.fingerprint256 ?? '';
      socket.end();
      resolve(fingerprint);
    });
    socket.on('error', reject);
  });
}

function postJson(
  port: number,
  ca: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        ca,
        servername: 'localhost',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('serveWebhook over HTTPS with certificate hot reload', () => {
  let dir: string;
  let ca: PemKeyPair;
  let first: PemKeyPair;
  let webhook: RunningWebhook;
  let port: number;
  const certFile = () => join(dir, 'tls.crt');
  const keyFile = () => join(dir, 'tls.key');
  const issue = () => issueServerCertificate({ ca, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  /** Atomic replace, as kubelet's Secret volume update and cert-manager do. */
  const replace = async (path: string, content: string) => {
    await writeFile(`${path}.tmp`, content, { mode: 0o600 });
    await rename(`${path}.tmp`, path);
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credless-webhook-tls-'));
    ca = await createCertificateAuthority({ commonName: 'webhook test CA' });
    first = await issue();
    await writeFile(certFile(), first.certPem);
    await writeFile(keyFile(), first.keyPem, { mode: 0o600 });
    webhook = await serveWebhook({
      tls: { certFile: certFile(), keyFile: keyFile() },
      port: 0,
      host: '127.0.0.1',
      authorityHost: AUTHORITY,
      tenantId: TENANT,
      serviceAccounts: new StaticServiceAccountSource([
        serviceAccount({ [CLIENT_ID_ANNOTATION]: CLIENT_ID }),
      ]),
      certificatePollIntervalMs: 0,
      log: () => {},
    });
    port = Number(new URL(webhook.url).port);
  });

  after(async () => {
    await webhook?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('admits a pod over HTTPS with a verified certificate', async () => {
    const response = await postJson(port, ca.certPem, '/mutate-v1-pod', {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'u-https',
        kind: { kind: 'Pod' },
        namespace: 'apps',
        operation: 'CREATE',
        object: pod(),
      },
    });
    assert.equal(response.status, 200);
    const body = JSON.parse(response.body) as { response: { uid: string; allowed: boolean; patch: string } };
    assert.deepEqual([body.response.uid, body.response.allowed], ['u-https', true]);
    assert.ok(body.response.patch);
  });

  test('serves the first certificate', async () => {
    assert.equal(
      await servedFingerprint(port, ca.certPem),
      new X509Certificate(first.certPem).fingerprint256,
    );
  });

  test('a half-written pair (new certificate, old key) is not taken; the complete pair is', async () => {
    const second = await issue();
    await replace(certFile(), second.certPem);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(
      await servedFingerprint(port, ca.certPem),
      new X509Certificate(first.certPem).fingerprint256,
    );
    await replace(keyFile(), second.keyPem);
    const expected = new X509Certificate(second.certPem).fingerprint256;
    await eventually(
      async () => (await servedFingerprint(port, ca.certPem)) === expected,
      'the new certificate',
    );
    // Still the same server: admissions keep working.
    assert.equal((await postJson(port, ca.certPem, '/mutate-v1-pod', [])).status, 400);
  });

  test('readCertificatePair refuses a key that does not match', async () => {
    const other = await issue();
    const mismatched = join(dir, 'other.key');
    await writeFile(mismatched, other.keyPem);
    await assert.rejects(readCertificatePair({ certFile: certFile(), keyFile: mismatched }));
  });
});
