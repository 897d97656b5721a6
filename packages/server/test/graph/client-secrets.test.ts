/**
 * Client secrets as `az ad sp create-for-rbac` uses them, through real HTTPS: create the application,
 * addPassword (lifetime clamped to the tenant's maximum, the secret shown once), create the service
 * principal, then client_secret sign-ins at both token endpoints — flagged in the sign-in log in audit
 * mode — until removePassword; and the deny policy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GRAPH_RESOURCE_URI } from '@credless/core';
import { requestToken } from '@credless/testkit';
import type { SignInLogRecord } from '../../src/store/sign-in-logs.ts';
import { type GraphFixture, startGraphFixture } from './graph-fixture.ts';

const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;

describe('Graph API: client secrets (addPassword, removePassword, client_secret sign-in)', () => {
  let f: GraphFixture;
  before(async () => {
    f = await startGraphFixture();
  });
  after(() => f.close());

  const secretForm = (clientId: string, secret: string, version: 'v1' | 'v2'): Record<string, string> => ({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: secret,
    ...(version === 'v2' ? { scope: `${GRAPH_RESOURCE_URI}/.default` } : { resource: GRAPH_RESOURCE_URI }),
  });
  const signIn = (clientId: string, secret: string, version: 'v1' | 'v2' = 'v2') =>
    requestToken(f.credless, secretForm(clientId, secret, version), { dispatcher: f.agent, version });

  /** Sign-in records of one app; the recorder writes in batches, so wait until `count` are there. */
  async function records(appId: string, count: number): Promise<SignInLogRecord[]> {
    for (let attempt = 0; ; attempt++) {
      const found = (
        await f.credless.store.querySignInLogs({ tenantId: f.credless.tenantId, appId })
      ).reverse();
      if (found.length >= count || attempt >= 50) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  test("create-for-rbac's sequence: app, addPassword (clamped), service principal, secret sign-ins", async () => {
    const created = await f.asAdmin('POST', '/applications', { displayName: 'sp-rbac' });
    assert.equal(created.status, 201);
    const { id, appId } = created.body as { id: string; appId: string };
    assert.equal(created.headers['location'], `${f.credless.url}/v1.0/applications/${id}`);

    // az asks for one year; the default policy allows one day.
    const before = Date.now();
    const added = await f.asAdmin('POST', `/applications/${id}/addPassword`, {
      passwordCredential: { displayName: 'rbac', endDateTime: new Date(before + YEAR_MS).toISOString() },
    });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    const secret = added.body['secretText'] as string;
    assert.equal(secret.length, 40);
    assert.equal(added.body['hint'], secret.slice(0, 3));
    assert.equal(added.body['displayName'], 'rbac');
    const end = Date.parse(added.body['endDateTime'] as string);
    assert.ok(
      end <= Date.now() + DAY_MS && end >= before + DAY_MS - 60_000,
      `clamped: ${added.body['endDateTime']}`,
    );
    assert.equal(added.body['secretHash'], undefined);

    // Shown once: the application lists the credential without its text or hash.
    const shown = await f.asAdmin('GET', `/applications/${id}?$select=passwordCredentials`);
    const listed = shown.body['passwordCredentials'] as Array<Record<string, unknown>>;
    assert.deepEqual(
      listed.map((c) => [c['keyId'], c['secretText'], c['hint'], 'secretHash' in c]),
      [[added.body['keyId'], null, secret.slice(0, 3), false]],
    );

    const principal = await f.asAdmin('POST', '/servicePrincipals', { appId });
    assert.equal(principal.status, 201);
    assert.equal(
      principal.headers['location'],
      `${f.credless.url}/v1.0/servicePrincipals/${principal.body['id']}`,
    );

    for (const version of ['v2', 'v1'] as const) {
      const answer = await signIn(appId, secret, version);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      // A credless-issued Graph token: it authenticates (403 for want of a role, not 401).
      const token = answer.body['access_token'] as string;
      assert.equal((await f.call('GET', '/groups', token)).status, 403);
    }
    const wrong = await signIn(appId, `${secret.slice(0, 3)}${'x'.repeat(37)}`);
    assert.equal(wrong.status, 401);
    assert.equal((wrong.body['error_codes'] as number[])[0], 7000215);

    // Audit mode (the default): the creation and every secret sign-in are flagged.
    const logged = await records(appId, 4);
    assert.deepEqual(
      logged.map((r) => [r.result, r.policyAudit ?? null, r.credentialId]),
      [
        ['success', 'client_secret_created', added.body['keyId']],
        ['success', 'client_secret', added.body['keyId']],
        ['success', 'client_secret', added.body['keyId']],
        ['failure', null, null],
      ],
    );

    const removed = await f.asAdmin('POST', `/applications/${id}/removePassword`, {
      keyId: added.body['keyId'],
    });
    assert.equal(removed.status, 204);
    const after = await signIn(appId, secret);
    assert.equal(after.status, 401, 'a removed secret no longer signs in');
  });

  test("deny: addPassword is Graph's 400 naming the alternatives, and secrets stop signing in", async () => {
    const created = await f.asAdmin('POST', '/applications', { displayName: 'sp-denied' });
    const { id, appId } = created.body as { id: string; appId: string };
    await f.asAdmin('POST', '/servicePrincipals', { appId });
    const added = await f.asAdmin('POST', `/applications/${id}/addPassword`, {});
    assert.equal(added.status, 200);
    const secret = added.body['secretText'] as string;

    const tenantId = f.credless.tenantId;
    await f.credless.store.updateClientSecretPolicy(tenantId, { mode: 'deny', maxLifetimeSeconds: 3600 });
    try {
      const refused = await f.asAdmin('POST', `/applications/${id}/addPassword`, {});
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error?.code, 'Request_BadRequest');
      assert.match(refused.body.error?.message ?? '', /federated identity credential.*--create-cert/);
      const shown = await f.asAdmin('GET', `/applications/${id}?$select=passwordCredentials`);
      assert.equal((shown.body['passwordCredentials'] as unknown[]).length, 1, 'nothing added');
      const signIn2 = await signIn(appId, secret);
      assert.equal(signIn2.status, 401);
      assert.match(String(signIn2.body['error_description']), /policy is 'deny'/);
    } finally {
      await f.credless.store.updateClientSecretPolicy(tenantId, null);
    }
  });
});
