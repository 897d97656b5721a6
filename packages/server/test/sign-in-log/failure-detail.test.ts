/**
 * A refused issuer fetch end to end: an exchange against a credential whose issuer host name resolves
 * to loopback makes no connection and answers the caller with the one generic reason, while the
 * sign-in record (store, and the sign-ins API's JSON) keeps the detail: which address was refused.
 */
import assert from 'node:assert/strict';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createWorkloadScenario, startTestCredless, type TestCredless } from '@credless/testkit';
import { generateKeyPair, SignJWT } from 'jose';
import { Agent, request } from 'undici';
import { toGraphSignIn } from '../../src/graph/routes/sign-ins.ts';
import { ISSUER_KEYS_UNAVAILABLE } from '../../src/issuers/issuer-key-cache.ts';
import type { SignInLogRecord } from '../../src/store/sign-in-logs.ts';

const SUBJECT = 'system:serviceaccount:default:probe';

describe('issuer fetch failures: generic to the caller, detailed in the sign-in record', () => {
  let credless: TestCredless;
  let client: Agent;
  let listener: Server;
  let connections = 0;
  let issuer: string;
  let appId: string;

  before(async () => {
    // The port a prober would aim at: it counts every connection, and must see none.
    listener = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    // `localhost` goes through the system resolver, as a hostile issuer's name would.
    issuer = `https://localhost:${(listener.address() as AddressInfo).port}`;
    // The default issuer agent: private networks refused (no test dispatcher that would bypass it).
    credless = await startTestCredless();
    client = new Agent({ connect: { ca: credless.caCertPem! } });
    ({ appId } = await createWorkloadScenario(credless, { issuer, subject: SUBJECT }));
  });
  after(async () => {
    await client.close();
    await credless.close();
    await new Promise((resolve) => listener.close(resolve));
  });

  const exchange = async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'probe' })
      .setIssuer(issuer)
      .setSubject(SUBJECT)
      .setAudience('api://AzureADTokenExchange')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    const response = await request(`${credless.url}/${credless.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: appId,
        scope: 'https://graph.microsoft.com/.default',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }).toString(),
      dispatcher: client,
    });
    return {
      status: response.statusCode,
      text: await response.body.text(),
      traceId: response.headers['x-ms-request-id'] as string,
    };
  };

  /** Waits (bounded) for the recorder's flush to store the record with this trace id. */
  const stored = async (traceId: string): Promise<SignInLogRecord> => {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const records = await credless.store.querySignInLogs({ tenantId: credless.tenantId, limit: 1000 });
      const found = records.find((record) => record.traceId === traceId);
      if (found) return found;
      await sleep(50);
    }
    assert.fail(`no sign-in record with trace id ${traceId}`);
  };

  test('the caller reads the generic reason; the record names the refused address', async (t) => {
    const answer = await exchange();
    assert.equal(answer.status, 401, answer.text);
    const body = JSON.parse(answer.text) as { error_description: string };
    assert.ok(body.error_description.includes(ISSUER_KEYS_UNAVAILABLE), body.error_description);
    // Nothing about the address or the network reaches the caller.
    assert.doesNotMatch(answer.text, /refused|127\.0\.0\.1|::1|ECONN|ADDRESS_BLOCKED/);
    assert.equal(connections, 0, 'credless connected to the loopback listener');

    const record = await stored(answer.traceId);
    assert.equal(record.result, 'failure');
    assert.equal(record.errorCode, 'external_oidc_failed');
    assert.match(record.failureDetail ?? '', /refused address \((127\.0\.0\.1|::1)\)/);
    t.diagnostic(`caller: ${body.error_description.split('\n')[0]} | record: ${record.failureDetail}`);
    // The sign-ins API (GET /auditLogs/signIns, which `credless signins list` reads) carries it too.
    assert.equal(toGraphSignIn(record).failureDetail, record.failureDetail);
  });

  test('a failure with nothing hidden from the caller records no detail', async () => {
    const response = await request(`${credless.url}/${credless.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: appId }).toString(),
      dispatcher: client,
    });
    await response.body.text();
    const record = await stored(response.headers['x-ms-request-id'] as string);
    assert.equal(record.result, 'failure');
    assert.equal(record.failureDetail, undefined);
  });
});
