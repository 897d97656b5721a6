import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { explainToken } from '@credless/core';
import type { SignInExplanation, SignInLogRecord } from '../../src/store/sign-in-logs.ts';
import { describeEachStore } from './store-suite.ts';

const ISSUER = 'https://issuer.example/cluster/';
const START = Date.UTC(2026, 0, 1);

await describeEachStore('explanations in the store', (target) => {
  async function setup() {
    let now = START;
    const store = await target.openStore({ now: () => (now += 1000), ficLimitPerApp: null });
    const tenant = await store.createTenant({ defaultDomain: 'contoso.test', displayName: 'Contoso' });
    const app = await store.createApplication(tenant.id, { displayName: 'deployer' });
    const add = (name: string, issuer: string, subject: string) =>
      store.createFederatedIdentityCredential(tenant.id, app.id, { name, issuer, subject });
    return { store, tenantId: tenant.id, appId: app.id, add };
  }

  test('a failed record keeps its explanation (JSON) and reads it back', async () => {
    const { store, tenantId, add } = await setup();
    const credential = await add('workload', ISSUER, 'system:serviceaccount:default:workload');
    const explanation: SignInExplanation = {
      ...explainToken({
        payload: {
          iss: ISSUER,
          sub: 'system:serviceaccount:default:Workload',
          aud: 'api://AzureADTokenExchange',
        },
        nowSeconds: START / 1000,
        clockSkewSeconds: 30,
        credentials: [credential],
      }),
      assertionVerified: true,
    };
    const base: SignInLogRecord = {
      id: randomUUID(),
      tenantId,
      createdAt: new Date(START),
      appId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
      applicationId: null,
      credentialName: null,
      credentialId: null,
      issuer: ISSUER,
      subject: 'system:serviceaccount:default:Workload',
      audience: 'api://AzureADTokenExchange',
      resource: null,
      result: 'failure',
      errorCode: 'subject_case_mismatch',
      aadsts: 7002138,
      failedStep: 'matchCredential',
      clientRequestId: randomUUID(),
      traceId: randomUUID(),
      latencyMs: 1,
    };
    const failed = { ...base, explanation };
    const plain = { ...base, id: randomUUID(), createdAt: new Date(START - 1000) };
    await store.insertSignInLogs([failed, plain]);
    const [first, second] = await store.querySignInLogs({ tenantId });
    assert.deepEqual(first, failed);
    assert.equal(first?.explanation?.nearestMisses[0]?.fields[1]?.status, 'case_only');
    assert.deepEqual(second, plain);
  });

  test('the bounded lookup puts relevant credentials first and reports truncation', async () => {
    const { store, tenantId, appId, add } = await setup();
    // Names sort before the relevant ones, so only relevance can bring those to the front.
    for (let index = 0; index < 6; index++) await add(`a-${index}`, 'https://other.example', `s-${index}`);
    const exact = await add('z-exact', ISSUER, 'sub-1');
    const caseOnly = await add('z-case', ISSUER, 'SUB-2');
    const slashless = await add('z-slash', ISSUER.slice(0, -1), 'sub-3');

    const hint = { issuer: ISSUER, subject: 'sub-2' };
    const small = await store.listFederatedIdentityCredentialsForExplanation(tenantId, appId, hint, 4);
    assert.equal(small.credentials.length, 4);
    assert.equal(small.truncated, true);
    assert.deepEqual(
      small.credentials
        .slice(0, 3)
        .map((credential) => credential.name)
        .sort(),
      [caseOnly.name, exact.name, slashless.name].sort(),
    );

    const all = await store.listFederatedIdentityCredentialsForExplanation(tenantId, appId, hint, 9);
    assert.equal(all.credentials.length, 9);
    assert.equal(all.truncated, false);
    assert.equal(new Set(all.credentials.map((credential) => credential.id)).size, 9);

    const none = await store.listFederatedIdentityCredentialsForExplanation(tenantId, appId, {}, 100);
    assert.equal(none.credentials.length, 9);
  });
});
