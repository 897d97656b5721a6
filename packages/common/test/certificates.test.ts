import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  canonicalIpAddress,
  createCertificateAuthority,
  isIssuedBy,
  issueServerCertificate,
  pemFileText,
  readCertificateInfo,
  x509,
} from '@credless/common';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2030, 5, 1);

describe('certificates', () => {
  test('createCertificateAuthority makes a P-256 CA with critical basicConstraints and keyCertSign', async () => {
    const ca = await createCertificateAuthority({ commonName: 'test CA', validityDays: 10, now: () => NOW });
    assert.match(ca.keyPem, /^-----BEGIN PRIVATE KEY-----\n/, 'PKCS#8 PEM');
    const key = createPrivateKey(ca.keyPem);
    assert.equal(key.asymmetricKeyType, 'ec');
    assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');

    const cert = new X509Certificate(ca.certPem);
    assert.equal(cert.ca, true);
    assert.equal(cert.subject, 'CN=test CA');
    assert.ok(cert.checkPrivateKey(key));
    assert.ok(cert.verify(cert.publicKey), 'self-signed');

    const parsed = new x509.X509Certificate(ca.certPem);
    const basic = parsed.getExtension(x509.BasicConstraintsExtension);
    assert.equal(basic?.critical, true);
    assert.equal(basic?.ca, true);
    const usage = parsed.getExtension(x509.KeyUsagesExtension);
    assert.equal(usage?.critical, true);
    assert.ok(usage && (usage.usages & x509.KeyUsageFlags.keyCertSign) !== 0);
    assert.equal(readCertificateInfo(ca.certPem).notAfter.getTime(), NOW + 10 * DAY);
  });

  test('issueServerCertificate makes a serverAuth leaf with DNS and IP SANs, signed by the CA', async () => {
    const ca = await createCertificateAuthority({ commonName: 'test CA' });
    const other = await createCertificateAuthority({ commonName: 'test CA' });
    const leaf = await issueServerCertificate({
      ca,
      dnsNames: ['localhost', 'sts.example.test'],
      ipAddresses: ['127.0.0.1', '0:0:0:0:0:0:0:1'],
      validityDays: 30,
      now: () => NOW,
    });
    const cert = new X509Certificate(leaf.certPem);
    const caCert = new X509Certificate(ca.certPem);
    assert.equal(cert.ca, false);
    assert.ok(cert.checkIssued(caCert));
    assert.ok(cert.verify(caCert.publicKey));
    assert.ok(!cert.verify(new X509Certificate(other.certPem).publicKey));
    assert.ok(cert.checkPrivateKey(createPrivateKey(leaf.keyPem)));
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'extended key usage: serverAuth');
    assert.equal(cert.checkHost('sts.example.test'), 'sts.example.test');
    assert.equal(cert.checkIP('::1'), '::1');
    assert.equal(cert.checkHost('elsewhere.example.test'), undefined);

    assert.deepEqual(readCertificateInfo(leaf.certPem), {
      notAfter: new Date(NOW + 30 * DAY),
      dnsNames: ['localhost', 'sts.example.test'],
      ipAddresses: ['127.0.0.1', '::1'],
    });
    assert.equal(await isIssuedBy(leaf.certPem, ca.certPem), true);
    // Same subject name, different key: only the signature tells them apart.
    assert.equal(await isIssuedBy(leaf.certPem, other.certPem), false);
  });

  test('every PEM ends with one newline, so concatenated files stay a valid bundle', async () => {
    const ca = await createCertificateAuthority({ commonName: 'test CA' });
    const leaf = await issueServerCertificate({ ca, dnsNames: ['localhost'], ipAddresses: [] });
    for (const pem of [ca.certPem, ca.keyPem, leaf.certPem, leaf.keyPem]) {
      assert.match(pem, /-----\n$/);
      assert.doesNotMatch(pem, /\n\n$/);
    }
    const bundle = ca.certPem + leaf.certPem;
    assert.match(bundle, /-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----/);
    assert.equal(new X509Certificate(bundle).subject, 'CN=test CA', 'the first certificate still parses');
  });

  test('pemFileText adds the missing newline and leaves a complete PEM as it is', () => {
    const body = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----';
    assert.equal(pemFileText(body), `${body}\n`);
    assert.equal(pemFileText(`${body}\n`), `${body}\n`);
  });

  test('canonicalIpAddress spells each address one way and rejects non-addresses', () => {
    assert.equal(canonicalIpAddress('0:0:0:0:0:0:0:1'), '::1');
    assert.equal(canonicalIpAddress('FE80:0:0::1'), 'fe80::1');
    assert.equal(canonicalIpAddress('10.0.0.1'), '10.0.0.1');
    assert.throws(() => canonicalIpAddress('localhost'), /Not an IP address/);
  });
});
