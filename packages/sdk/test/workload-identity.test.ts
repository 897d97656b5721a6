import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CredlessSdkError, TokenServiceError } from '../src/index.ts';
import { GRAPH_SCOPE, type StsFixture, startStsFixture } from './sts-fixture.ts';

const MINUTE = 60_000;

describe('WorkloadIdentityCredential against a real credless', () => {
  let sts: StsFixture;
  before(async () => {
    sts = await startStsFixture();
  });
  after(() => sts.close());
  beforeEach(async () => {
    sts.tokenRequests.length = 0;
    sts.clockOffset = 0;
    await sts.writeToken();
  });

  test('exchanges the token file for a Graph token that verifies with credless JWKS', async () => {
    const credential = sts.credential();
    const before = Date.now();
    const accessToken = await credential.getToken(GRAPH_SCOPE);
    const payload = await sts.verify(accessToken.token);
    assert.equal(payload['appid'], sts.scenario.appId);
    assert.equal(payload['tid'], sts.credless.tenantId);
    assert.deepEqual(payload['roles'], ['Organization.Read.All']);
    assert.equal(accessToken.tokenType, 'Bearer');
    // expiresOnTimestamp is the token's exp, measured from when the request left.
    assert.ok(Math.abs(accessToken.expiresOnTimestamp - (payload.exp as number) * 1000) < 5_000);
    assert.ok(accessToken.expiresOnTimestamp > before + 59 * MINUTE);
    assert.equal(accessToken.refreshAfterTimestamp, accessToken.expiresOnTimestamp - 5 * MINUTE);
    const [sent] = sts.tokenRequests;
    assert.equal(sent?.get('grant_type'), 'client_credentials');
    assert.equal(sent?.get('scope'), GRAPH_SCOPE);
    assert.equal(
      sent?.get('client_assertion_type'),
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    );
  });

  test('answers from the cache until the refresh margin, with no second STS request', async () => {
    const credential = sts.credential();
    const first = await credential.getToken(GRAPH_SCOPE);
    const again = await credential.getToken([GRAPH_SCOPE]);
    assert.equal(again.token, first.token);
    sts.clockOffset = first.refreshAfterTimestamp - Date.now() - 10_000;
    assert.equal((await credential.getToken(GRAPH_SCOPE)).token, first.token);
    assert.equal(sts.tokenRequests.length, 1);
  });

  test('concurrent callers share one request', async () => {
    const credential = sts.credential();
    const tokens = await Promise.all(Array.from({ length: 8 }, () => credential.getToken(GRAPH_SCOPE)));
    assert.equal(new Set(tokens.map((t) => t.token)).size, 1);
    assert.equal(sts.tokenRequests.length, 1);
  });

  test('refreshes once inside the margin before expiry, with the rotated token file', async () => {
    const credential = sts.credential();
    const first = await credential.getToken(GRAPH_SCOPE);
    const rotated = await sts.writeToken({ jti: 'rotated' });
    sts.clockOffset = first.refreshAfterTimestamp - Date.now() + 1_000;
    const second = await credential.getToken(GRAPH_SCOPE);
    assert.notEqual(second.token, first.token);
    assert.equal(sts.tokenRequests.length, 2);
    assert.equal(sts.tokenRequests[1]?.get('client_assertion'), rotated);
    await sts.verify(second.token);
  });

  test('a custom refresh margin moves the refresh time', async () => {
    const credential = sts.credential({ refreshMarginMs: 20 * MINUTE });
    const first = await credential.getToken(GRAPH_SCOPE);
    assert.equal(first.refreshAfterTimestamp, first.expiresOnTimestamp - 20 * MINUTE);
  });

  test('an expired federated token is refused (AADSTS700024); its rotated successor works', async () => {
    await sts.writeToken({}, -120);
    const credential = sts.credential();
    await assert.rejects(credential.getToken(GRAPH_SCOPE), (error: unknown) => {
      assert.ok(error instanceof TokenServiceError);
      assert.equal(error.aadstsCode, 'AADSTS700024');
      return true;
    });
    const fresh = await sts.writeToken();
    const accessToken = await credential.getToken(GRAPH_SCOPE);
    await sts.verify(accessToken.token);
    assert.equal(sts.tokenRequests.at(-1)?.get('client_assertion'), fresh);
  });

  test('a refused exchange is a TokenServiceError with the AADSTS code and error_description', async () => {
    await sts.writeToken({ sub: 'system:serviceaccount:default:someone-else' });
    const credential = sts.credential();
    await assert.rejects(credential.getToken(GRAPH_SCOPE), (error: unknown) => {
      assert.ok(error instanceof TokenServiceError);
      assert.ok(error instanceof CredlessSdkError);
      assert.equal(error.code, 'ERR_STS_REJECTED');
      assert.equal(error.status, 401);
      assert.equal(error.error, 'invalid_client');
      assert.deepEqual(error.errorCodes, [700213]);
      assert.equal(error.aadstsCode, 'AADSTS700213');
      assert.match(error.errorDescription ?? '', /^AADSTS700213: /);
      assert.match(error.message, /HTTP 401, invalid_client\): AADSTS700213/);
      assert.ok(!error.message.includes(sts.tokenRequests[0]?.get('client_assertion') ?? '-'));
      return true;
    });
  });

  test('an unknown client id is AADSTS700016', async () => {
    const credential = sts.credential({ clientId: '00000000-1111-2222-3333-444444444444' });
    await assert.rejects(credential.getToken(GRAPH_SCOPE), {
      code: 'ERR_STS_REJECTED',
      aadstsCode: 'AADSTS700016',
    });
  });

  test('past the refresh time a failed refresh still answers with the valid cached token', async () => {
    const credential = sts.credential();
    const first = await credential.getToken(GRAPH_SCOPE);
    await writeFile(sts.tokenFile, 'not-a-jwt');
    sts.clockOffset = first.refreshAfterTimestamp - Date.now() + 1_000;
    const kept = await credential.getToken(GRAPH_SCOPE);
    assert.equal(kept.token, first.token);
    assert.equal(sts.tokenRequests.length, 2);
    // The failed refresh is retried 30 s later, not on every call.
    assert.equal((await credential.getToken(GRAPH_SCOPE)).token, first.token);
    assert.equal(sts.tokenRequests.length, 2);
    assert.ok(kept.refreshAfterTimestamp - (Date.now() + sts.clockOffset) > 25_000);
    sts.clockOffset += 31_000;
    assert.equal((await credential.getToken(GRAPH_SCOPE)).token, first.token);
    assert.equal(sts.tokenRequests.length, 3);
    sts.clockOffset = first.expiresOnTimestamp - Date.now() + 1_000;
    await assert.rejects(credential.getToken(GRAPH_SCOPE), { code: 'ERR_STS_REJECTED' });
  });
});
