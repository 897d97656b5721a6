/**
 * Explanations end to end: failed exchanges over HTTPS keep their Entra error on the wire and record
 * the nearest-miss credential with a field-by-field diff in the sign-in log; POST /{tenant}/explain
 * dry-runs a token against an application, guarded by a Graph token with Application.Read(Write).All.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ERROR_CATALOGUE } from '@credless/core';
import {
  addFederatedCredential,
  clientCredentialsForm,
  createWorkloadScenario,
  requestToken,
  startTestStack,
  type TestCredless,
  type TestOidcIssuer,
  type TestStack,
  type WorkloadScenario,
} from '@credless/testkit';
import { type Agent, request } from 'undici';
import type { DryRunReport } from '../../src/explain/dry-run.ts';
import type { SignInExplanation } from '../../src/store/sign-in-logs.ts';

const SUBJECT = 'system:serviceaccount:default:workload';
const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';

describe('explanations over HTTPS', () => {
  let issuer: TestOidcIssuer;
  let credless: TestCredless;
  let stack: TestStack;
  let client: Agent;
  let workload: WorkloadScenario;
  let slashed: WorkloadScenario;
  let reader: WorkloadScenario;
  let nobody: WorkloadScenario;
  let auditor: WorkloadScenario;
  const secrets: string[] = [];

  before(async () => {
    stack = await startTestStack({ issuer: { kidStyle: 'kubernetes' } });
    ({ issuer, credless, client } = stack);
    workload = await createWorkloadScenario(credless, {
      issuer: issuer.issuer,
      subject: SUBJECT,
      credentialName: 'workload-fic',
    });
    // A second, unrelated credential: the nearest miss must still be the right one.
    await addFederatedCredential(credless, workload.appId, {
      name: 'other-fic',
      issuer: 'https://token.actions.githubusercontent.com',
      subject: 'repo:contoso/web:ref:refs/heads/main',
    });
    slashed = await createWorkloadScenario(credless, {
      displayName: 'slashed',
      issuer: `${issuer.issuer}/`,
      subject: SUBJECT,
      credentialName: 'slashed-fic',
    });
    reader = await createWorkloadScenario(credless, {
      displayName: 'app-reader',
      issuer: issuer.issuer,
      subject: 'system:serviceaccount:ops:reader',
      graphRoles: ['Application.Read.All'],
    });
    auditor = await createWorkloadScenario(credless, {
      displayName: 'auditor',
      issuer: issuer.issuer,
      subject: 'system:serviceaccount:ops:auditor',
      graphRoles: ['AuditLog.Read.All'],
    });
    nobody = await createWorkloadScenario(credless, {
      displayName: 'no-roles',
      issuer: issuer.issuer,
      subject: 'system:serviceaccount:ops:nobody',
      graphRoles: ['User.Read.All'],
    });
  });
  after(() => stack.close());

  const exchange = async (appId: string, assertion: string) => {
    secrets.push(assertion);
    const response = await requestToken(credless, clientCredentialsForm({ clientId: appId, assertion }), {
      dispatcher: client,
    });
    if (typeof response.body['access_token'] === 'string') secrets.push(response.body['access_token']);
    return { ...response, traceId: response.headers['x-ms-request-id'] as string };
  };

  const stored = async (traceId: string) => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const found = (await credless.store.querySignInLogs({ tenantId: credless.tenantId, limit: 1000 })).find(
        (record) => record.traceId === traceId,
      );
      if (found) return found;
      await sleep(50);
    }
    assert.fail(`no sign-in record with trace id ${traceId}`);
  };

  /** The failure's wire error is exactly the catalogue's, and the record carries an explanation. */
  const failAndExplain = async (
    appId: string,
    assertion: string,
    code: keyof typeof ERROR_CATALOGUE,
  ): Promise<SignInExplanation> => {
    const response = await exchange(appId, assertion);
    const spec = ERROR_CATALOGUE[code];
    assert.ok(spec.kind === 'sts');
    assert.equal(response.status, spec.status);
    assert.equal(response.body['error'], spec.error);
    assert.deepEqual(response.body['error_codes'], [spec.aadsts]);
    assert.match(String(response.body['error_description']), new RegExp(`^AADSTS${spec.aadsts}: `));
    // Nothing about the explanation leaks onto the wire.
    assert.doesNotMatch(JSON.stringify(response.body), /nearest|workload-fic|slashed-fic/);
    const record = await stored(response.traceId);
    assert.equal(record.errorCode, code);
    assert.ok(record.explanation, 'the failure carries an explanation');
    assert.equal(record.explanation.verdict, 'no_match');
    return record.explanation;
  };

  const fieldOf = (explanation: SignInExplanation, name: string) => {
    const [miss] = explanation.nearestMisses;
    assert.ok(miss, 'a nearest miss is named');
    const field = miss.fields.find((entry) => entry.field === name);
    assert.ok(field, `the diff has a ${name} field`);
    return { miss, field };
  };

  test('a subject differing only in case: 7002138 on the wire, the case-only diff in the log', async () => {
    const assertion = await issuer.issueToken({
      sub: 'system:serviceaccount:default:Workload',
      aud: FEDERATION_AUDIENCE,
    });
    const explanation = await failAndExplain(workload.appId, assertion, 'subject_case_mismatch');
    const { miss, field } = fieldOf(explanation, 'subject');
    assert.equal(miss.name, 'workload-fic');
    assert.equal(field.status, 'case_only');
    assert.equal(field.expected, SUBJECT);
    assert.match(explanation.summary, /nearest is 'workload-fic': subject differs only in letter case/);
    assert.equal(explanation.assertionVerified, true);
  });

  test('an issuer differing by a trailing slash: 700211 on the wire, the slash named in the log', async () => {
    const assertion = await issuer.issueToken({ sub: SUBJECT, aud: FEDERATION_AUDIENCE });
    const explanation = await failAndExplain(slashed.appId, assertion, 'issuer_no_match');
    const { miss, field } = fieldOf(explanation, 'issuer');
    assert.equal(miss.name, 'slashed-fic');
    assert.equal(field.status, 'trailing_slash');
    assert.match(field.summary, /trailing slash, present in the credential/);
    // Refused before the signature was checked: the log says the claims were not verified.
    assert.equal(explanation.assertionVerified, false);
  });

  test("an audience holding the app's client id: 700212 on the wire, 'wrong place' in the log", async () => {
    const assertion = await issuer.issueToken({ sub: SUBJECT, aud: workload.appId });
    const explanation = await failAndExplain(workload.appId, assertion, 'audience_no_match');
    const { field } = fieldOf(explanation, 'audience');
    assert.equal(field.status, 'wrong_place');
    assert.equal(field.expected, FEDERATION_AUDIENCE);
    assert.match(field.summary, /client id/);
  });

  test('an expired token: 700024 on the wire, "expired N s ago" in the log', async () => {
    const assertion = await issuer.issueToken(
      { sub: SUBJECT, aud: FEDERATION_AUDIENCE },
      {
        issuedAt: Math.floor(Date.now() / 1000) - 600,
        notBefore: Math.floor(Date.now() / 1000) - 600,
        expiresInSeconds: -120,
      },
    );
    const explanation = await failAndExplain(workload.appId, assertion, 'assertion_time_invalid');
    assert.equal(explanation.time.status, 'expired');
    assert.ok(
      explanation.time.seconds! >= 120 && explanation.time.seconds! < 180,
      String(explanation.time.seconds),
    );
    assert.match(explanation.time.summary, /^the token expired \d+ s ago/);
    // The credential itself fits: only the time is wrong.
    assert.equal(explanation.matchedCredential?.name, 'workload-fic');
  });

  test('successes carry no explanation, and no token text is stored', async () => {
    const assertion = await issuer.issueToken({ sub: SUBJECT, aud: FEDERATION_AUDIENCE });
    const response = await exchange(workload.appId, assertion);
    assert.equal(response.status, 200);
    const record = await stored(response.traceId);
    assert.equal(record.explanation, undefined);
    const all = JSON.stringify(
      await credless.store.querySignInLogs({ tenantId: credless.tenantId, limit: 1000 }),
    );
    for (const secret of secrets) {
      assert.ok(!all.includes(secret), 'a token is stored');
      assert.ok(!all.includes(secret.split('.')[2]!), 'a signature is stored');
    }
  });

  const graphToken = async (appId: string, subject: string) => {
    const response = await exchange(
      appId,
      await issuer.issueToken({ sub: subject, aud: FEDERATION_AUDIENCE }),
    );
    assert.equal(response.status, 200, JSON.stringify(response.body));
    // Settled in the log, so that counting records afterwards sees only what came later.
    await stored(response.traceId);
    return response.body['access_token'] as string;
  };

  test('GET /signins shows the explanation of a failed exchange', async () => {
    const assertion = await issuer.issueToken({ sub: `${SUBJECT}-x`, aud: FEDERATION_AUDIENCE });
    const failed = await exchange(workload.appId, assertion);
    assert.equal(failed.status, 401);
    await stored(failed.traceId);
    const bearer = await graphToken(auditor.appId, 'system:serviceaccount:ops:auditor');
    const response = await request(`${credless.url}/${credless.tenantId}/signins?failed=true`, {
      headers: { authorization: `Bearer ${bearer}` },
      dispatcher: client,
    });
    assert.equal(response.statusCode, 200);
    const { value } = (await response.body.json()) as { value: Array<Record<string, unknown>> };
    const entry = value.find((record) => record['traceId'] === failed.traceId);
    const explanation = entry?.['explanation'] as SignInExplanation | undefined;
    assert.equal(explanation?.nearestMisses[0]?.name, 'workload-fic');
    assert.match(
      explanation?.summary ?? '',
      /^no credential matches; nearest is 'workload-fic': subject differs/,
    );
  });

  const explainApi = async (body: unknown, bearer?: string) => {
    const response = await request(`${credless.url}/${credless.tenantId}/explain`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
      },
      body: JSON.stringify(body),
      dispatcher: client,
    });
    return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
  };

  test('POST /explain: 401 without a Graph token, 403 without Application.Read.All', async () => {
    const token = await issuer.issueToken({ sub: SUBJECT, aud: FEDERATION_AUDIENCE });
    assert.equal((await explainApi({ appId: workload.appId, token })).status, 401);
    assert.equal((await explainApi({ appId: workload.appId, token }, token)).status, 401);
    const denied = await explainApi(
      { appId: workload.appId, token },
      await graphToken(nobody.appId, 'system:serviceaccount:ops:nobody'),
    );
    assert.equal(denied.status, 403);
    assert.equal((denied.body['error'] as { code: string }).code, 'Authorization_RequestDenied');
  });

  test('POST /explain: a matching token is named, signature verified, nothing issued', async () => {
    const bearer = await graphToken(reader.appId, 'system:serviceaccount:ops:reader');
    const token = await issuer.issueToken({ sub: SUBJECT, aud: FEDERATION_AUDIENCE });
    const before = (await credless.store.querySignInLogs({ tenantId: credless.tenantId, limit: 1000 }))
      .length;
    const { status, body } = await explainApi({ appId: workload.appId, token }, bearer);
    assert.equal(status, 200, JSON.stringify(body));
    const report = body as unknown as DryRunReport;
    assert.equal(report.verdict, 'match');
    assert.deepEqual(report.signature, { status: 'verified' });
    assert.equal(report.explanation.matchedCredential?.name, 'workload-fic');
    assert.equal(report.application.appId, workload.appId);
    const text = JSON.stringify(body);
    assert.ok(!text.includes(token) && !text.includes(token.split('.')[2]!), 'the token is not echoed');
    assert.ok(!('access_token' in body));
    await sleep(400);
    const afterCount = (await credless.store.querySignInLogs({ tenantId: credless.tenantId, limit: 1000 }))
      .length;
    assert.equal(afterCount, before, 'a dry run records no sign-in');
  });

  test('POST /explain: a mismatching token gets the nearest miss; a forged signature is reported', async () => {
    const bearer = await graphToken(reader.appId, 'system:serviceaccount:ops:reader');
    const token = await issuer.issueToken({ sub: `${SUBJECT}-2`, aud: FEDERATION_AUDIENCE });
    const { status, body } = await explainApi({ appId: workload.appId, token }, bearer);
    assert.equal(status, 200);
    const report = body as unknown as DryRunReport;
    assert.equal(report.verdict, 'no_match');
    assert.equal(report.explanation.nearestMisses[0]?.name, 'workload-fic');
    assert.equal(report.signature.status, 'verified');

    const [header, payload] = (await issuer.issueToken({ sub: SUBJECT, aud: FEDERATION_AUDIENCE })).split(
      '.',
    );
    const forged = `${header}.${payload}.${'A'.repeat(342)}`;
    const refused = (await explainApi({ appId: workload.appId, token: forged }, bearer))
      .body as unknown as DryRunReport;
    assert.equal(refused.signature.status, 'invalid');
    assert.equal(refused.verdict, 'no_match');
    assert.equal(refused.explanation.matchedCredential?.name, 'workload-fic');
  });

  test('POST /explain: unknown application 404, unreadable token or body 400', async () => {
    const bearer = await graphToken(reader.appId, 'system:serviceaccount:ops:reader');
    const token = await issuer.issueToken({ sub: SUBJECT, aud: FEDERATION_AUDIENCE });
    assert.equal(
      (await explainApi({ appId: '00000000-0000-0000-0000-00000000beef', token }, bearer)).status,
      404,
    );
    assert.equal((await explainApi({ appId: workload.appId, token: 'not a jwt' }, bearer)).status, 400);
    assert.equal((await explainApi({ appId: workload.appId }, bearer)).status, 400);
    assert.equal((await explainApi([1, 2], bearer)).status, 400);
  });
});
