/**
 * Issuer policy over HTTPS: enforce and audit modes, per-issuer lifetime and clock skew, and pinned
 * JWKS for an issuer whose discovery cannot be reached (rotated by uploading a new set).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IssuerPolicyMode } from '@credless/core';
import {
  addFederatedCredential,
  clientCredentialsForm,
  createWorkloadScenario,
  requestToken,
  startTestOidcIssuer,
  startTestStack,
  type TestCredless,
  type TestOidcIssuer,
  type TestStack,
} from '@credless/testkit';
import { type Agent, request } from 'undici';
import type { TrustedIssuerInput } from '../../src/store/directory-store.ts';

const AUDIENCE = 'api://AzureADTokenExchange';
const SUBJECT = 'system:serviceaccount:payments:api';

describe('issuer policy over HTTPS', { timeout: 120_000 }, () => {
  let trusted: TestOidcIssuer;
  let untrusted: TestOidcIssuer;
  let cluster: TestOidcIssuer;
  let credless: TestCredless;
  let client: Agent;
  let stack: TestStack;
  const apps: Record<'trusted' | 'untrusted' | 'cluster', string> = {
    trusted: '',
    untrusted: '',
    cluster: '',
  };
  // The policy is set in the store, as `credless issuer-policy` does through the API.
  const setMode = (mode: IssuerPolicyMode) => credless.store.updateIssuerPolicy(credless.tenantId, { mode });
  const trust = (input: TrustedIssuerInput) => credless.store.upsertTrustedIssuer(credless.tenantId, input);

  before(async () => {
    stack = await startTestStack();
    ({ issuer: trusted, credless, client } = stack);
    // One CA for all three, so the one dispatcher credless is given trusts every issuer.
    untrusted = await startTestOidcIssuer({ certificateAuthority: trusted.certificateAuthority });
    cluster = await startTestOidcIssuer({ certificateAuthority: trusted.certificateAuthority });
    for (const [name, issuer] of [
      ['trusted', trusted],
      ['untrusted', untrusted],
      ['cluster', cluster],
    ] as const) {
      const scenario = await createWorkloadScenario(credless, {
        displayName: name,
        issuer: issuer.issuer,
        subject: SUBJECT,
        graphRoles: ['Organization.Read.All'],
      });
      apps[name] = scenario.appId;
    }
    await trust({ issuer: trusted.issuer });
  });
  after(async () => {
    await stack.close();
    await cluster.close();
    await untrusted.close();
  });

  const exchange = async (appId: string, assertion: string) => {
    const { status, headers, body } = await requestToken(
      credless,
      clientCredentialsForm({ clientId: appId, assertion }),
      { dispatcher: client },
    );
    return { status, body, traceId: String(headers['x-ms-request-id'] ?? body['trace_id']) };
  };
  const token = (issuer: TestOidcIssuer, options: Parameters<TestOidcIssuer['issueToken']>[1] = {}) =>
    issuer.issueToken({ sub: SUBJECT, aud: AUDIENCE }, options);

  /** Waits (bounded) for the recorder's flush of the sign-in record with this trace id. */
  const signIn = async (traceId: string) => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const records = await credless.store.querySignInLogs({ tenantId: credless.tenantId, limit: 1000 });
      const found = records.find((record) => record.traceId === traceId);
      if (found) return found;
      await sleep(50);
    }
    assert.fail(`no sign-in record with trace id ${traceId}`);
  };

  const refused = (response: { status: number; body: Record<string, unknown> }, aadsts: number) => {
    assert.equal(response.status, 401, JSON.stringify(response.body));
    assert.equal(response.body['error'], 'invalid_client');
    assert.deepEqual(response.body['error_codes'], [aadsts]);
    assert.equal(response.body['access_token'], undefined);
  };

  test('enforce: an unlisted issuer is refused with 700211 before its keys are fetched', async () => {
    await setMode('enforce');
    untrusted.requests.length = 0;
    const response = await exchange(apps.untrusted, await token(untrusted));
    refused(response, 700211);
    assert.match(
      String(response.body['error_description']),
      /^AADSTS700211: The presented assertion issuer '[^']+' is not trusted by this tenant/,
    );
    assert.equal(untrusted.requests.length, 0, 'the untrusted issuer was never contacted');
    const record = await signIn(response.traceId);
    assert.deepEqual(
      [record.result, record.errorCode, record.failedStep],
      ['failure', 'assertion_issuer_untrusted', 'applyIssuerPolicy'],
    );
    // Listed issuers keep working, and new credentials for unlisted issuers are refused.
    assert.equal((await exchange(apps.trusted, await token(trusted))).status, 200);
    await assert.rejects(
      addFederatedCredential(credless, apps.untrusted, {
        name: 'another',
        issuer: untrusted.issuer,
        subject: 'system:serviceaccount:other:sa',
      }),
      /not on this tenant's trusted-issuer list/,
    );
  });

  test('audit: an unlisted issuer gets its token and the sign-in record says why it was let through', async () => {
    await setMode('audit');
    const audited = await exchange(apps.untrusted, await token(untrusted));
    assert.equal(audited.status, 200, JSON.stringify(audited.body));
    assert.equal(typeof audited.body['access_token'], 'string');
    assert.equal((await signIn(audited.traceId)).policyAudit, 'issuer_not_trusted');
    const listed = await exchange(apps.trusted, await token(trusted));
    assert.equal(listed.status, 200);
    assert.equal((await signIn(listed.traceId)).policyAudit, undefined);
  });

  test('per-issuer maximum assertion lifetime and clock skew override the server settings', async () => {
    await setMode('enforce');
    await trust({ issuer: trusted.issuer, maxAssertionLifetimeSeconds: 600 });
    const long = await exchange(apps.trusted, await token(trusted, { expiresInSeconds: 3600 }));
    refused(long, 700024);
    assert.match(String(long.body['error_description']), /lifetime \(3600 s\) exceeds the 600 s/);
    assert.equal((await signIn(long.traceId)).errorCode, 'assertion_lifetime_exceeded');
    assert.equal((await exchange(apps.trusted, await token(trusted, { expiresInSeconds: 600 }))).status, 200);

    // Not yet valid for 90 s: beyond the server's 30 s skew, within this issuer's 120 s.
    const early = () =>
      token(trusted, { notBefore: Math.floor(Date.now() / 1000) + 90, expiresInSeconds: 300 });
    refused(await exchange(apps.trusted, await early()), 700024);
    await trust({ issuer: trusted.issuer, clockSkewSeconds: 120 });
    assert.equal((await exchange(apps.trusted, await early())).status, 200);
    await trust({ issuer: trusted.issuer, clockSkewSeconds: 0 });
    refused(
      await exchange(apps.trusted, await token(trusted, { notBefore: Math.floor(Date.now() / 1000) + 5 })),
      700024,
    );
  });

  test('pinned JWKS: unreachable discovery still exchanges, the issuer is never contacted, uploads rotate', async () => {
    const publishedJwks = async () => {
      cluster.setFault(null);
      const response = await request(cluster.jwksUri, { dispatcher: cluster.dispatcher });
      const document = await response.body.json();
      // Discovery goes dark from here on; nothing below may reach the issuer.
      cluster.setFault('status500', { on: 'discovery' });
      cluster.requests.length = 0;
      return document;
    };
    await trust({ issuer: cluster.issuer, pinnedJwks: await publishedJwks() });
    const oldKeyToken = await token(cluster);
    assert.equal((await exchange(apps.cluster, oldKeyToken)).status, 200);

    await cluster.rotateKeys();
    const newKeyToken = await token(cluster);
    // The new key is not pinned yet, and there is no refetch to find it.
    refused(await exchange(apps.cluster, newKeyToken), 7000272);
    assert.equal(cluster.requests.length, 0);

    await trust({ issuer: cluster.issuer, pinnedJwks: await publishedJwks() });
    refused(await exchange(apps.cluster, oldKeyToken), 7000272);
    assert.equal((await exchange(apps.cluster, newKeyToken)).status, 200);
    assert.equal(cluster.requests.length, 0, 'a pinned issuer receives zero requests');

    // Unpinned, the issuer's own (unreachable) discovery is what counts again.
    await credless.store.deleteTrustedIssuer(credless.tenantId, cluster.issuer);
    await setMode('off');
    refused(await exchange(apps.cluster, newKeyToken), 50166);
    assert.ok(cluster.requests.length > 0);
  });
});
