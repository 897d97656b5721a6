/**
 * Sign-in logs end to end: real token exchanges over HTTPS are recorded (off the hot path, within a
 * flush), with identifiers only; GET /{tenant}/signins is guarded by a Graph token with AuditLog.Read.All.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { GRAPH_RESOURCE_URI } from '@credless/core';
import {
  createWorkloadScenario,
  startTestStack,
  type TestCredless,
  type TestOidcIssuer,
  type TestStack,
} from '@credless/testkit';
import Sqlite from 'better-sqlite3';
import { type Agent, request } from 'undici';
import { SQLITE_FILE_NAME } from '../../src/store/database.ts';

const SUBJECT = 'system:serviceaccount:default:workload';
const AUDITOR_SUBJECT = 'system:serviceaccount:ops:auditor';
const READER_SUBJECT = 'system:serviceaccount:ops:reader';
const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';

/** The endpoint's answers: `{ value }` on success, Graph's `{ error }` otherwise. */
interface SignInsBody {
  value: Array<Record<string, unknown> & { traceId: string; createdDateTime: string }>;
  error: { code: string; message: string };
}

describe('sign-in logs over HTTPS', () => {
  let issuer: TestOidcIssuer;
  let credless: TestCredless;
  let stack: TestStack;
  let client: Agent;
  let workload: Awaited<ReturnType<typeof createWorkloadScenario>>;
  let auditor: Awaited<ReturnType<typeof createWorkloadScenario>>;
  let reader: Awaited<ReturnType<typeof createWorkloadScenario>>;
  /** Every assertion sent and token received, to prove none of them reached the table. */
  const secrets: string[] = [];

  before(async () => {
    stack = await startTestStack({ issuer: { kidStyle: 'kubernetes' } });
    ({ issuer, credless, client } = stack);
    workload = await createWorkloadScenario(credless, {
      issuer: issuer.issuer,
      subject: SUBJECT,
      credentialName: 'workload-fic',
      graphRoles: ['User.Read.All'],
    });
    auditor = await createWorkloadScenario(credless, {
      displayName: 'auditor',
      issuer: issuer.issuer,
      subject: AUDITOR_SUBJECT,
      graphRoles: ['AuditLog.Read.All'],
    });
    reader = await createWorkloadScenario(credless, {
      displayName: 'reader',
      issuer: issuer.issuer,
      subject: READER_SUBJECT,
      graphRoles: ['User.Read.All'],
    });
  });
  after(() => stack.close());

  const exchange = async (appId: string, subject: string, clientRequestId = randomUUID()) => {
    const assertion = await issuer.issueToken({ sub: subject, aud: FEDERATION_AUDIENCE });
    secrets.push(assertion);
    const response = await request(`${credless.url}/${credless.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'client-request-id': clientRequestId,
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: appId,
        scope: `${GRAPH_RESOURCE_URI}/.default`,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }).toString(),
      dispatcher: client,
    });
    const body = (await response.body.json()) as Record<string, unknown>;
    if (typeof body['access_token'] === 'string') secrets.push(body['access_token']);
    return { status: response.statusCode, body, traceId: response.headers['x-ms-request-id'] as string };
  };

  const graphToken = async (appId: string, subject: string) => {
    const { status, body } = await exchange(appId, subject);
    assert.equal(status, 200, JSON.stringify(body));
    return body['access_token'] as string;
  };

  const signIns = async (query: string, token?: string) => {
    const response = await request(`${credless.url}/${credless.tenantId}/signins${query}`, {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      dispatcher: client,
    });
    return {
      status: response.statusCode,
      headers: response.headers,
      body: (await response.body.json()) as SignInsBody,
    };
  };

  /** Waits (bounded) until the recorder's next flush has stored the record with this trace id. */
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

  test('a success and a failure are both recorded with the right fields', async () => {
    const okRequestId = randomUUID();
    const ok = await exchange(workload.appId, SUBJECT, okRequestId);
    assert.equal(ok.status, 200);
    const failedRequestId = randomUUID();
    const failed = await exchange(workload.appId, `${SUBJECT}-other`, failedRequestId);
    assert.equal(failed.status, 401);

    const success = await stored(ok.traceId);
    assert.equal(success.tenantId, credless.tenantId);
    assert.equal(success.appId, workload.appId);
    assert.equal(success.applicationId, workload.applicationObjectId);
    assert.equal(success.credentialName, 'workload-fic');
    assert.match(success.credentialId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(success.issuer, issuer.issuer);
    assert.equal(success.subject, SUBJECT);
    assert.equal(success.audience, FEDERATION_AUDIENCE);
    assert.equal(success.resource, GRAPH_RESOURCE_URI);
    assert.equal(success.result, 'success');
    assert.equal(success.errorCode, null);
    assert.equal(success.aadsts, null);
    assert.equal(success.failedStep, null);
    assert.equal(success.clientRequestId, okRequestId);
    assert.ok(Number.isInteger(success.latencyMs) && success.latencyMs >= 0);
    assert.deepEqual(success.roles, ['User.Read.All'], 'the roles the issued token carries');

    const failure = await stored(failed.traceId);
    assert.equal(failure.roles, undefined, 'a failure issued nothing, so it has no roles');
    assert.equal(failure.result, 'failure');
    assert.equal(failure.errorCode, 'subject_no_match');
    assert.equal(failure.aadsts, 700213);
    assert.equal(failure.failedStep, 'matchCredential');
    assert.equal(failure.subject, `${SUBJECT}-other`);
    assert.equal(failure.credentialName, null);
    assert.equal(failure.applicationId, workload.applicationObjectId);
    assert.equal(failure.clientRequestId, failedRequestId);
  });

  test('no assertion or token text is anywhere in the table', async () => {
    const last = await exchange(workload.appId, SUBJECT);
    await stored(last.traceId);
    const database = new Sqlite(join(credless.dataDir, SQLITE_FILE_NAME), { readonly: true });
    try {
      const rows = database.prepare('select * from sign_in_logs').all() as Array<Record<string, unknown>>;
      assert.ok(rows.length >= 3);
      // Each JWT whole and by signature: a stored fragment of either would show up here.
      const needles = secrets.flatMap((jwt) => [jwt, jwt.split('.')[2]!]);
      for (const row of rows) {
        for (const [column, value] of Object.entries(row)) {
          const text = String(value);
          for (const needle of needles)
            assert.ok(!text.includes(needle), `column ${column} holds token text`);
          assert.ok(!/eyJ[A-Za-z0-9_-]{10,}\./.test(text), `column ${column} looks like a JWT`);
        }
      }
    } finally {
      database.close();
    }
  });

  test('GET /signins: 401 without a token or with an invalid one', async () => {
    const missing = await signIns('');
    assert.equal(missing.status, 401);
    assert.equal(missing.body.error.code, 'InvalidAuthenticationToken');
    assert.match(String(missing.headers['www-authenticate']), /^Bearer/);
    const token = await graphToken(auditor.appId, AUDITOR_SUBJECT);
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(342)}`;
    assert.equal((await signIns('', forged)).status, 401);
    assert.equal((await signIns('', 'not-a-jwt')).status, 401);
    // The workload's own federated assertion is not a credless Graph token.
    const assertion = await issuer.issueToken({ sub: SUBJECT, aud: GRAPH_RESOURCE_URI });
    assert.equal((await signIns('', assertion)).status, 401);
  });

  test('GET /signins: 403 for a valid Graph token without AuditLog.Read.All', async () => {
    const token = await graphToken(reader.appId, READER_SUBJECT);
    const { status, body } = await signIns('', token);
    assert.equal(status, 403);
    assert.equal(body.error.code, 'Authorization_RequestDenied');
  });

  test('GET /signins: 200 with the records in camelCase, filtered', async () => {
    const failed = await exchange(workload.appId, `${SUBJECT}-again`);
    await stored(failed.traceId);
    const token = await graphToken(auditor.appId, AUDITOR_SUBJECT);

    const all = await signIns('', token);
    assert.equal(all.status, 200);
    assert.equal(all.headers['cache-control'], 'no-store');
    assert.ok(Array.isArray(all.body.value) && all.body.value.length >= 3);
    const newest = all.body.value.find((entry) => entry.traceId === failed.traceId);
    assert.ok(newest, 'the failed exchange is listed');
    assert.equal(newest.appId, workload.appId);
    assert.equal(newest.result, 'failure');
    assert.equal(newest.errorCode, 'subject_no_match');
    assert.equal(newest.aadsts, 700213);
    assert.equal(typeof newest.createdDateTime, 'string');
    assert.ok(!Number.isNaN(Date.parse(newest.createdDateTime)));
    const times = all.body.value.map((entry: { createdDateTime: string }) =>
      Date.parse(entry.createdDateTime),
    );
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );

    const failedOnly = await signIns(`?appId=${workload.appId}&failed=true&since=1h&limit=5`, token);
    assert.equal(failedOnly.status, 200);
    assert.ok(failedOnly.body.value.length >= 1 && failedOnly.body.value.length <= 5);
    for (const entry of failedOnly.body.value) {
      assert.equal(entry.result, 'failure');
      assert.equal(entry.appId, workload.appId);
    }
    const future = await signIns(
      `?since=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`,
      token,
    );
    assert.deepEqual(future.body.value, []);

    assert.equal((await signIns('?since=yesterday', token)).status, 400);
    assert.equal((await signIns('?limit=5000', token)).status, 400);
    assert.equal((await signIns('?failed=maybe', token)).status, 400);
  });
});
