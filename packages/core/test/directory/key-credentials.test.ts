/**
 * findKeyCredential: which assertion headers name a stored certificate. The thumbprints are base64url
 * with or without `=` padding (Entra accepts both); nothing else matches, and the key always comes from
 * the stored credential.
 */
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { findKeyCredential, normalizeKeyCredential } from '../../src/directory/key-credentials.ts';

const PEM = readFileSync(new URL('./fixtures/key-credential.crt', import.meta.url), 'utf8');
const certificate = new X509Certificate(PEM);
const credential = normalizeKeyCredential({ key: PEM, displayName: 'fixture' }, () => 'key-1');
const NOW = Date.parse(certificate.validFrom) + 86_400_000;
const thumbprint = (hash: 'sha1' | 'sha256') => createHash(hash).update(certificate.raw).digest('base64url');
const sha1 = thumbprint('sha1');
const sha256 = thumbprint('sha256');

describe('findKeyCredential: thumbprint forms', () => {
  // A SHA-1 thumbprint is 27 base64url characters (one '=' of padding), a SHA-256 one 43 (one '=').
  const cases: Array<{ name: string; header: Record<string, unknown>; matches: boolean }> = [
    { name: 'x5t unpadded (msal-node, MSAL.NET)', header: { x5t: sha1 }, matches: true },
    { name: 'x5t padded (MSAL Python, ADAL)', header: { x5t: `${sha1}=` }, matches: true },
    { name: 'x5t#S256 unpadded', header: { 'x5t#S256': sha256 }, matches: true },
    { name: 'x5t#S256 padded', header: { 'x5t#S256': `${sha256}=` }, matches: true },
    { name: 'wrong x5t, right x5t#S256', header: { x5t: 'AAAA', 'x5t#S256': sha256 }, matches: true },
    { name: 'x5t with two padding characters', header: { x5t: `${sha1}==` }, matches: false },
    { name: 'x5t#S256 with padding and a space', header: { 'x5t#S256': `${sha256}= ` }, matches: false },
    {
      name: 'x5t as upper-case hex (customKeyIdentifier)',
      header: { x5t: credential.customKeyIdentifier },
      matches: false,
    },
    { name: 'x5t truncated by one character', header: { x5t: sha1.slice(0, -1) }, matches: false },
    { name: 'SHA-256 thumbprint in x5t', header: { x5t: sha256 }, matches: false },
    { name: 'SHA-1 thumbprint in x5t#S256', header: { 'x5t#S256': `${sha1}=` }, matches: false },
    { name: 'x5t not a string', header: { x5t: [sha1] }, matches: false },
    { name: 'no thumbprint', header: { kid: sha1 }, matches: false },
  ];
  for (const { name, header, matches } of cases) {
    test(`${name}: ${matches ? 'names' : 'does not name'} the certificate`, () => {
      const found = findKeyCredential([credential], header, NOW);
      assert.equal(found !== undefined, matches);
      if (found) {
        assert.equal(found.credential.keyId, 'key-1');
        assert.ok(found.publicKey.equals(certificate.publicKey));
      }
    });
  }

  test('a padded thumbprint still needs a current certificate', () => {
    const before = Date.parse(certificate.validFrom) - 1000;
    assert.equal(findKeyCredential([credential], { x5t: `${sha1}=` }, before), undefined);
  });
});
