/**
 * credless's management routes next to Graph's directory (README, API): /auditLogs/signIns,
 * /credless/issuerPolicy and /credless/tenants over HTTPS — roles, the operator rule for tenants,
 * answers and errors in Graph's shape.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { clientCredentialsForm, requestToken } from '@credless/testkit';
import { type GraphFixture, startGraphFixture } from './graph-fixture.ts';

const ISSUER = 'https://oidc.cluster.example/a/b';
const issuerPath = `/credless/issuerPolicy/trustedIssuers/${encodeURIComponent(ISSUER)}`;

describe('management routes: sign-ins, issuer policy, tenants', () => {
  let f: GraphFixture;
  before(async () => {
    f = await startGraphFixture();
  });
  after(() => f.close());

  test('issuer policy: read with Policy.Read.All, change with Policy.ReadWrite.ApplicationConfiguration', async () => {
    const appWriter = await f.workloadToken(['Application.ReadWrite.All']);
    assert.equal((await f.call('GET', '/credless/issuerPolicy', appWriter)).status, 403);
    const reader = await f.workloadToken(['Policy.Read.All']);
    const shown = await f.call('GET', '/credless/issuerPolicy', reader);
    assert.equal(shown.status, 200);
    assert.deepEqual(
      { ...shown.body, '@odata.context': undefined },
      { '@odata.context': undefined, mode: 'off', sharedIssuerGuard: true, trustedIssuers: [] },
    );
    assert.equal((await f.call('PATCH', '/credless/issuerPolicy', reader, { mode: 'audit' })).status, 403);
    const writer = await f.workloadToken(['Policy.ReadWrite.ApplicationConfiguration']);
    const patched = await f.call('PATCH', '/credless/issuerPolicy', writer, { mode: 'audit' });
    assert.equal(patched.status, 200);
    assert.equal(patched.body['mode'], 'audit');
    const bad = await f.call('PATCH', '/credless/issuerPolicy', writer, { mode: 'strict' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error?.code, 'Request_BadRequest');
    assert.equal((await f.call('PATCH', '/credless/issuerPolicy', writer, { other: 1 })).status, 400);
  });

  test('trusted issuers: POST adds (201, Location) then changes (200); GET and DELETE by encoded issuer', async () => {
    const added = await f.asAdmin('POST', '/credless/issuerPolicy/trustedIssuers', {
      issuer: ISSUER,
      clockSkewSeconds: 30,
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.equal(added.headers['location'], `${f.credless.graphUrl}${issuerPath}`);
    const changed = await f.asAdmin('POST', '/credless/issuerPolicy/trustedIssuers', {
      issuer: ISSUER,
      maxAssertionLifetimeSeconds: 600,
    });
    assert.equal(changed.status, 200);
    assert.equal(changed.body['clockSkewSeconds'], 30, 'fields not sent are kept');
    assert.equal(changed.body['maxAssertionLifetimeSeconds'], 600);
    const one = await f.asAdmin('GET', issuerPath);
    assert.equal(one.status, 200);
    assert.equal(one.body['issuer'], ISSUER);
    const list = await f.asAdmin('GET', '/credless/issuerPolicy/trustedIssuers');
    assert.deepEqual(
      list.body.value?.map((entry) => entry['issuer']),
      [ISSUER],
    );
    const typed = await f.asAdmin('POST', '/credless/issuerPolicy/trustedIssuers', {
      issuer: ISSUER,
      clockSkewSeconds: '30',
    });
    assert.equal(typed.status, 400);
    assert.equal((await f.asAdmin('DELETE', issuerPath)).status, 204);
    const gone = await f.asAdmin('DELETE', issuerPath);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error?.code, 'Request_ResourceNotFound');
  });

  test('sign-ins: AuditLog.Read.All; $filter subset and $top checked, Graph errors otherwise', async () => {
    const reader = await f.workloadToken(['Application.Read.All']);
    assert.equal((await f.call('GET', '/auditLogs/signIns', reader)).status, 403);
    const auditor = await f.workloadToken(['AuditLog.Read.All']);
    // The two exchanges above are recorded (in batches): at least they are listed eventually.
    let listed: Array<Record<string, unknown>> = [];
    for (let attempt = 0; attempt < 20 && listed.length < 2; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 250));
      listed = (await f.call('GET', '/auditLogs/signIns?$top=50', auditor)).body.value ?? [];
    }
    assert.ok(listed.length >= 2, JSON.stringify(listed));
    const [newest] = listed;
    assert.deepEqual(newest?.['status'], { errorCode: 0, failureReason: null, additionalDetails: null });
    assert.deepEqual(newest?.['signInEventTypes'], ['servicePrincipal']);
    const appId = String(newest?.['appId']);
    const since = new Date(Date.parse(String(newest?.['createdDateTime'])) - 1).toISOString();
    const filter = encodeURIComponent(`appId eq '${appId}' and createdDateTime ge ${since}`);
    const filtered = await f.call('GET', `/auditLogs/signIns?$filter=${filter}`, auditor);
    assert.equal(filtered.status, 200);
    assert.ok(filtered.body.value?.every((record) => record['appId'] === appId));
    assert.ok((filtered.body.value?.length ?? 0) >= 1);
    const failed = encodeURIComponent('status/errorCode ne 0');
    assert.deepEqual((await f.call('GET', `/auditLogs/signIns?$filter=${failed}`, auditor)).body.value, []);

    // One refused exchange (an application that does not exist), then each side by status.
    const unknownApp = randomUUID();
    const refused = await requestToken(
      { url: f.credless.url, tenantId: f.credless.tenantId },
      clientCredentialsForm({
        clientId: unknownApp,
        assertion: 'not.a.jwt',
        scope: 'https://graph.microsoft.com/.default',
      }),
      { dispatcher: f.agent },
    );
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    const byFilter = async (text: string) => {
      const answer = await f.call(
        'GET',
        `/auditLogs/signIns?$top=1000&$filter=${encodeURIComponent(text)}`,
        auditor,
      );
      assert.equal(answer.status, 200, `${text}: ${JSON.stringify(answer.body)}`);
      return answer.body.value ?? [];
    };
    let failures: Array<Record<string, unknown>> = [];
    for (let attempt = 0; attempt < 20 && failures.length === 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 250));
      failures = await byFilter('status/errorCode ne 0');
    }
    const errorCodeOf = (record: Record<string, unknown>) =>
      (record['status'] as { errorCode: number }).errorCode;
    assert.deepEqual(
      failures.map((record) => record['appId']),
      [unknownApp],
    );
    const aadsts = errorCodeOf(failures[0] as Record<string, unknown>);
    assert.ok(aadsts > 0, `a failure's status/errorCode is its AADSTS number: ${aadsts}`);
    const successes = await byFilter('status/errorCode eq 0');
    assert.ok(successes.length >= 2, JSON.stringify(successes));
    assert.ok(successes.every((record) => errorCodeOf(record) === 0));
    assert.deepEqual(
      (await byFilter(`status/errorCode eq ${aadsts} and appId eq '${unknownApp}'`)).map((r) => r['appId']),
      [unknownApp],
    );
    assert.deepEqual(await byFilter(`appId eq '${unknownApp}' and status/errorCode eq 0`), []);
    assert.deepEqual(await byFilter(`status/errorCode ne 0 and createdDateTime lt ${since}`), []);
    assert.equal(
      (await byFilter(`appId eq '${appId}' and createdDateTime ge ${since} and status/errorCode eq 0`))
        .length,
      filtered.body.value?.length,
    );
    for (const [query, code] of [
      [`$filter=${encodeURIComponent("userId eq 'x'")}`, 'Request_UnsupportedQuery'],
      [`$filter=${encodeURIComponent('status/errorCode ne 50126')}`, 'Request_UnsupportedQuery'],
      [`$filter=${encodeURIComponent('status/errorCode eq 0 or appId eq x')}`, 'Request_UnsupportedQuery'],
      [`$filter=${encodeURIComponent('createdDateTime ge yesterday')}`, 'BadRequest'],
      ['$top=0', 'BadRequest'],
      ['$orderby=createdDateTime', 'BadRequest'],
    ] as const) {
      const answer = await f.call('GET', `/auditLogs/signIns?${query}`, auditor);
      assert.equal(answer.status, 400, query);
      assert.equal(answer.body.error?.code, code, query);
    }
  });

  test('tenants: the operator (first tenant) lists and creates; another tenant sees only its own', async () => {
    const created = await f.asAdmin('POST', '/credless/tenants', {
      defaultDomain: 'fabrikam.example',
      displayName: 'Fabrikam',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const fabrikam = String(created.body['id']);
    assert.deepEqual(created.body['clientSecretPolicy'], { mode: 'audit', maxLifetimeSeconds: 86_400 });
    const listed = await f.asAdmin('GET', '/credless/tenants');
    assert.deepEqual(
      listed.body.value?.map((tenant) => tenant['id']),
      [f.credless.tenantId, fabrikam],
    );
    assert.equal((await f.asAdmin('GET', '/credless/tenants/fabrikam.example')).body['id'], fabrikam);
    assert.equal((await f.asAdmin('POST', '/credless/tenants', { defaultDomain: 'x' })).status, 400);

    // Fabrikam's own administrator: its tenant and policy, nothing else.
    const other = await f.workloadToken(['Organization.ReadWrite.All'], { tenantId: fabrikam });
    const refused = await f.call('GET', '/credless/tenants', other);
    assert.equal(refused.status, 403);
    assert.match(refused.body.error?.message ?? '', /first \(operator\) tenant/);
    const create = { defaultDomain: 'evil.example', displayName: 'Evil' };
    assert.equal((await f.call('POST', '/credless/tenants', other, create)).status, 403);
    assert.equal((await f.call('GET', `/credless/tenants/${f.credless.tenantId}`, other)).status, 404);
    assert.equal((await f.call('GET', `/credless/tenants/${fabrikam}`, other)).status, 200);
    const own = `/credless/tenants/${fabrikam}/clientSecretPolicy`;
    assert.equal((await f.call('GET', own, other)).status, 200);
    assert.equal((await f.call('PATCH', own, other, { mode: 'allow' })).status, 403);

    // The operator governs every tenant's client secret policy.
    const patched = await f.asAdmin('PATCH', own, { mode: 'deny' });
    assert.equal(patched.status, 200);
    assert.deepEqual(
      { ...patched.body, '@odata.context': undefined },
      {
        '@odata.context': undefined,
        mode: 'deny',
        maxLifetimeSeconds: 86_400,
      },
    );
    assert.equal((await f.asAdmin('PATCH', own, { mode: 'sometimes' })).status, 400);
    assert.equal((await f.asAdmin('DELETE', own)).status, 204);
    assert.equal((await f.asAdmin('GET', own)).body['mode'], 'audit');
  });
});
