/**
 * Certificate client assertions (Entra's certificate credentials) at the token endpoint: the key comes
 * only from the application's own keyCredentials, named by x5t or x5t#S256; iss = sub = client id; aud
 * = the tenant's token endpoint; the certificate must be current. Applications without certificates
 * keep the federated path (iss = client id is then just an unknown issuer).
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { GRAPH_RESOURCE_URI, JWT_BEARER_ASSERTION_TYPE } from '@credless/core';
import { requestToken } from '@credless/testkit';
import { SignJWT } from 'jose';
import { type ClientCertificate, makeClientCertificate } from '../support/client-certificate.ts';
import { type GraphFixture, startGraphFixture } from './graph-fixture.ts';

const DAY = 86_400_000;

const thumbprint = (der: Buffer, hash: 'sha1' | 'sha256') => createHash(hash).update(der).digest('base64url');

describe('certificate client assertions', () => {
  let f: GraphFixture;
  let appId: string;
  let current: ClientCertificate;
  let expired: ClientCertificate;
  before(async () => {
    f = await startGraphFixture();
    const now = Date.now();
    current = await makeClientCertificate(now - DAY, now + DAY);
    expired = await makeClientCertificate(now - 3 * DAY, now - DAY);
    const app = await f.asAdmin('POST', '/applications', {
      displayName: 'cert-app',
      keyCredentials: [
        {
          type: 'AsymmetricX509Cert',
          usage: 'Verify',
          key: current.der.toString('base64'),
          displayName: 'now',
        },
        {
          type: 'AsymmetricX509Cert',
          usage: 'Verify',
          key: expired.der.toString('base64'),
          displayName: 'old',
        },
      ],
    });
    assert.equal(app.status, 201);
    appId = app.body['appId'] as string;
    assert.equal((await f.asAdmin('POST', '/servicePrincipals', { appId })).status, 201);
  });
  after(() => f.close());

  const endpoint = () => `${f.credless.url}/${f.credless.tenantId}/oauth2/v2.0/token`;
  const assertion = (
    cert: ClientCertificate,
    options: { header?: Record<string, unknown>; iss?: string; sub?: string; aud?: string } = {},
  ) => {
    const seconds = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t: thumbprint(cert.der, 'sha1'), ...options.header })
      .setIssuer(options.iss ?? appId)
      .setSubject(options.sub ?? appId)
      .setAudience(options.aud ?? endpoint())
      .setJti(randomUUID())
      .setIssuedAt(seconds)
      .setExpirationTime(seconds + 300)
      .sign(cert.privateKey);
  };
  const exchange = async (clientAssertion: string, clientId = appId) =>
    requestToken(
      f.credless,
      {
        grant_type: 'client_credentials',
        client_id: clientId,
        scope: `${GRAPH_RESOURCE_URI}/.default`,
        client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
        client_assertion: clientAssertion,
      },
      { dispatcher: f.agent },
    );

  test('a current certificate named by x5t or x5t#S256 gets a token', async () => {
    assert.equal((await exchange(await assertion(current))).status, 200);
    const bySha256 = await assertion(current, {
      header: { x5t: undefined, 'x5t#S256': thumbprint(current.der, 'sha256') },
    });
    assert.equal((await exchange(bySha256)).status, 200);
    // The v1 endpoint is an accepted audience too.
    const v1 = await assertion(current, { aud: `${f.credless.url}/${f.credless.tenantId}/oauth2/token` });
    assert.equal((await exchange(v1)).status, 200);
  });

  test('thumbprints with base64url padding, as MSAL Python and ADAL send them, get a token', async () => {
    const padded = (der: Buffer, hash: 'sha1' | 'sha256') => `${thumbprint(der, hash)}=`;
    const bySha1 = await assertion(current, { header: { x5t: padded(current.der, 'sha1') } });
    assert.equal((await exchange(bySha1)).status, 200);
    const bySha256 = await assertion(current, {
      header: { x5t: undefined, 'x5t#S256': padded(current.der, 'sha256') },
    });
    assert.equal((await exchange(bySha256)).status, 200);
    // Padding does not loosen the match: the expired certificate, padded, is still refused.
    const expiredPadded = await assertion(expired, { header: { x5t: padded(expired.der, 'sha1') } });
    assert.deepEqual((await exchange(expiredPadded)).body['error_codes'], [700027]);
  });

  test('refused: expired certificate, unknown thumbprint, no thumbprint, wrong signer', async () => {
    const codes = async (clientAssertion: string) => (await exchange(clientAssertion)).body['error_codes'];
    assert.deepEqual(await codes(await assertion(expired)), [700027]);
    assert.deepEqual(await codes(await assertion(current, { header: { x5t: 'AAAA' } })), [700027]);
    assert.deepEqual(await codes(await assertion(current, { header: { x5t: undefined } })), [700027]);
    // Signed by the expired certificate's key but naming the current one.
    const forged = await assertion(expired, { header: { x5t: thumbprint(current.der, 'sha1') } });
    assert.deepEqual(await codes(forged), [700027]);
  });

  test('refused: sub differing from iss, audience not this token endpoint', async () => {
    const wrongSub = await exchange(await assertion(current, { sub: 'someone-else' }));
    assert.equal(wrongSub.status, 400);
    assert.deepEqual(wrongSub.body['error_codes'], [50027]);
    const wrongAud = await exchange(
      await assertion(current, { aud: 'https://login.microsoftonline.com/x/oauth2/v2.0/token' }),
    );
    assert.deepEqual(wrongAud.body['error_codes'], [700023]);
  });

  test('an application without certificates is never verified this way', async () => {
    const app = await f.asAdmin('POST', '/applications', { displayName: 'federated-only' });
    const otherAppId = app.body['appId'] as string;
    await f.asAdmin('POST', '/servicePrincipals', { appId: otherAppId });
    const answer = await exchange(await assertion(current, { iss: otherAppId, sub: otherAppId }), otherAppId);
    assert.equal(answer.status, 401);
    assert.deepEqual(answer.body['error_codes'], [700211]);
  });
});
