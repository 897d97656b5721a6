/**
 * POST /{tenant}/explain runs the token endpoint's issuer-policy steps: for each case the dry run's
 * verdict agrees with what the token endpoint answers, and a refusal names the refusing step and its
 * AADSTS code (untrusted issuer in enforce mode, assertion lifetime over the issuer's maximum).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  clientCredentialsForm,
  createWorkloadScenario,
  startTestStack,
  type TestCredless,
  type TestOidcIssuer,
  type TestStack,
  type WorkloadScenario,
} from '@credless/testkit';
import { createAdminAssertion, readAdminIdentity } from '../../src/admin/admin-identity.ts';
import type { DryRunReport } from '../../src/explain/dry-run.ts';

const SUBJECT = 'system:serviceaccount:payments:api';
const AUDIENCE = 'api://AzureADTokenExchange';

describe('explain runs the issuer policy as the token endpoint does', () => {
  let issuer: TestOidcIssuer;
  let credless: TestCredless;
  let stack: TestStack;
  let workload: WorkloadScenario;
  let bearer: string;

  const postToken = async (clientId: string, assertion: string) => {
    const response = await credless.app.inject({
      method: 'POST',
      url: `/${credless.tenantId}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(clientCredentialsForm({ clientId, assertion })).toString(),
    });
    return { status: response.statusCode, body: response.json() as Record<string, unknown> };
  };

  before(async () => {
    stack = await startTestStack({ issuer: { kidStyle: 'kubernetes' } });
    ({ issuer, credless } = stack);
    workload = await createWorkloadScenario(credless, {
      issuer: issuer.issuer,
      subject: SUBJECT,
      graphRoles: ['Organization.Read.All'],
    });
    const admin = await readAdminIdentity(credless.dataDir);
    assert.ok(admin);
    const endpoint = `${credless.url}/${credless.tenantId}/oauth2/v2.0/token`;
    const answer = await postToken(admin.clientId, await createAdminAssertion(admin, endpoint));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    bearer = answer.body['access_token'] as string;
  });
  after(() => stack.close());

  type Case = [
    name: string,
    setUp: () => Promise<unknown>,
    lifetimeSeconds: number,
    refusal: { step: string; aadsts: number; text: RegExp } | null,
  ];
  const tenant = () => credless.tenantId;
  const CASES: Case[] = [
    [
      'enforce, issuer not on the list: refused by applyIssuerPolicy (700211, not trusted)',
      () => credless.store.updateIssuerPolicy(tenant(), { mode: 'enforce' }),
      300,
      { step: 'applyIssuerPolicy', aadsts: 700211, text: /is not trusted by this tenant/ },
    ],
    [
      'trusted with a 600 s maximum lifetime, a one-hour assertion: refused by checkClaims (700024)',
      () =>
        credless.store.upsertTrustedIssuer(tenant(), {
          issuer: issuer.issuer,
          maxAssertionLifetimeSeconds: 600,
        }),
      3600,
      { step: 'checkClaims', aadsts: 700024, text: /exceeds the 600 s allowed for its issuer/ },
    ],
    ['trusted, a five-minute assertion: accepted by both', async () => undefined, 300, null],
  ];

  for (const [name, setUp, lifetimeSeconds, refusal] of CASES) {
    test(name, async () => {
      await setUp();
      const assertion = await issuer.issueToken(
        { sub: SUBJECT, aud: AUDIENCE },
        { expiresInSeconds: lifetimeSeconds },
      );
      const explained = await credless.app.inject({
        method: 'POST',
        url: `/${credless.tenantId}/explain`,
        headers: { authorization: `Bearer ${bearer}` },
        payload: { appId: workload.appId, token: assertion },
      });
      assert.equal(explained.statusCode, 200, explained.body);
      const report = explained.json() as DryRunReport;
      // The credential itself matches: only the policy can refuse here.
      assert.equal(report.explanation.matchedCredential?.name, 'workload');
      const exchanged = await postToken(workload.appId, assertion);
      if (!refusal) {
        assert.equal(report.verdict, 'match', JSON.stringify(report.issuerPolicy));
        assert.equal(report.issuerPolicy.refusedBy, null);
        assert.equal(exchanged.status, 200, JSON.stringify(exchanged.body));
        return;
      }
      assert.equal(report.verdict, 'no_match');
      assert.equal(report.issuerPolicy.refusedBy?.step, refusal.step);
      assert.equal(report.issuerPolicy.refusedBy?.refusal?.aadsts, refusal.aadsts);
      assert.match(report.issuerPolicy.refusedBy?.summary ?? '', refusal.text);
      assert.equal(exchanged.status, 401);
      assert.deepEqual(exchanged.body['error_codes'], [refusal.aadsts]);
      assert.match(String(exchanged.body['error_description']), refusal.text);
    });
  }
});
