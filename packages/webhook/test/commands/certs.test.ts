import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createSecureContext } from 'node:tls';
import { CredlessError } from '@credless/core';
import { createWebhookCerts, serviceDnsNames } from '../../src/commands/certs.ts';

describe('credless webhook certs', () => {
  const dirs: string[] = [];
  after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  test('a CA and a serving certificate for every Service DNS name, and the caBundle', async () => {
    const out = await mkdtemp(join(tmpdir(), 'credless-webhook-certs-'));
    dirs.push(out);
    const result = await createWebhookCerts({
      service: 'credless-webhook',
      namespace: 'credless-system',
      out,
    });
    const names = [
      'credless-webhook',
      'credless-webhook.credless-system',
      'credless-webhook.credless-system.svc',
      'credless-webhook.credless-system.svc.cluster.local',
    ];
    assert.deepEqual(result.dnsNames, names);
    const caPem = await readFile(join(out, 'ca.crt'), 'utf8');
    assert.match(caPem, /-----END CERTIFICATE-----\n$/, 'ends with a newline, so it concatenates');
    assert.equal(Buffer.from(result.caBundle, 'base64').toString(), caPem);
    const ca = new X509Certificate(caPem);
    const serving = new X509Certificate(await readFile(join(out, 'tls.crt'), 'utf8'));
    assert.equal(ca.ca, true);
    assert.equal(serving.ca, false);
    assert.ok(serving.verify(ca.publicKey), 'serving certificate signed by the CA');
    for (const name of names) assert.equal(serving.checkHost(name), name);
    assert.equal(serving.checkHost('other.credless-system.svc'), undefined);
    // The key belongs to the certificate, and private keys are private.
    createSecureContext({ cert: serving.toString(), key: await readFile(join(out, 'tls.key'), 'utf8') });
    for (const key of ['ca.key', 'tls.key']) assert.equal((await stat(join(out, key))).mode & 0o777, 0o600);
  });

  const invalid: Array<[string, string, RegExp]> = [
    ['Upper', 'ns', /--service 'Upper' is not a DNS label/],
    ['svc', 'a.b', /--namespace 'a.b' is not a DNS label/],
    ['-svc', 'ns', /--service/],
    ['', 'ns', /--service/],
  ];
  for (const [service, namespace, message] of invalid)
    test(`refused: service '${service}', namespace '${namespace}'`, () =>
      assert.throws(
        () => serviceDnsNames(service, namespace),
        (error: unknown) => error instanceof CredlessError && message.test(error.message),
      ));
});
