/**
 * Throttling (CREDLESS_THROTTLE): per-client and per-source limits on the token endpoint (Entra's 429
 * with AADSTS50196) and the Graph API (429 TooManyRequests), each with Retry-After; the limits count
 * independently; off by default.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  clientCredentialsForm,
  createWorkloadScenario,
  startTestCredless,
  startTestStack,
  type TestCredless,
  type TestOidcIssuer,
  type TestStack,
} from '@credless/testkit';
import { createAdminAssertion, readAdminIdentity } from '../../src/admin/admin-identity.ts';
import { loadConfig } from '../../src/config.ts';

const WINDOW_S = 60;
const LIMITS = {
  CREDLESS_THROTTLE: 'true',
  CREDLESS_THROTTLE_WINDOW_S: String(WINDOW_S),
  CREDLESS_THROTTLE_TOKEN_PER_CLIENT: '3',
  CREDLESS_THROTTLE_TOKEN_PER_SOURCE: '5',
  CREDLESS_THROTTLE_GRAPH_PER_CLIENT: '2',
  CREDLESS_THROTTLE_GRAPH_PER_SOURCE: '4',
};
const CLIENT_1 = '11111111-1111-4111-8111-111111111111';
const CLIENT_2 = '22222222-2222-4222-8222-222222222222';
const CLIENT_3 = '33333333-3333-4333-8333-333333333333';

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: Record<string, unknown>;
}

async function postToken(
  credless: TestCredless,
  clientId: string,
  remoteAddress: string,
  assertion = 'x.y.z',
) {
  const response = await credless.app.inject({
    method: 'POST',
    url: `/${credless.tenantId}/oauth2/v2.0/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(clientCredentialsForm({ clientId, assertion })).toString(),
    remoteAddress,
  });
  return {
    status: response.statusCode,
    retryAfter: response.headers['retry-after'] as string | undefined,
    body: response.json() as Record<string, unknown>,
  };
}

/** A refusal: 429 with a whole number of seconds in Retry-After, within the window. */
function assertRetryAfter(answer: Answer): void {
  assert.equal(answer.status, 429, JSON.stringify(answer.body));
  const seconds = Number(answer.retryAfter);
  assert.ok(
    Number.isInteger(seconds) && seconds >= 1 && seconds <= WINDOW_S,
    `Retry-After ${answer.retryAfter}`,
  );
}

describe('throttling configuration', () => {
  test('off unless CREDLESS_THROTTLE; explicit enabling has sensible defaults', () => {
    assert.equal(loadConfig({}).throttle, undefined);
    assert.equal(loadConfig({ CREDLESS_THROTTLE: 'false' }).throttle, undefined);
    assert.deepEqual(loadConfig({ CREDLESS_THROTTLE: 'true' }).throttle, {
      windowMs: 60_000,
      token: { perClient: 300, perSource: 3000 },
      graph: { perClient: 1200, perSource: 3000 },
    });
    assert.throws(() => loadConfig({ CREDLESS_THROTTLE: 'true', CREDLESS_THROTTLE_TOKEN_PER_CLIENT: '0' }));
  });
});

describe('throttling of the token endpoint and the Graph API', () => {
  let issuer: TestOidcIssuer;
  let credless: TestCredless;
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack({ issuer: { kidStyle: 'kubernetes' }, credless: { env: LIMITS } });
    ({ issuer, credless } = stack);
  });
  after(() => stack.close());

  test('token endpoint: per-client and per-source limits count independently (3 per client, 5 per address)', async () => {
    // [client, source address, throttled by]; each row in order, counts carried over.
    const table: Array<[string, string, 'client' | 'address' | undefined]> = [
      [CLIENT_1, '10.0.0.1', undefined],
      [CLIENT_1, '10.0.0.1', undefined],
      [CLIENT_1, '10.0.0.1', undefined],
      [CLIENT_1, '10.0.0.1', 'client'], // 4th for client 1
      [CLIENT_2, '10.0.0.1', undefined], // another client from the same address: its own count
      [CLIENT_1, '10.0.0.2', 'client'], // the client's limit follows it to another address
      [CLIENT_3, '10.0.0.1', 'address'], // 6th from 10.0.0.1, whatever the client
      [CLIENT_3, '10.0.0.2', undefined], // another address: its own count
    ];
    for (const [index, [clientId, address, throttledBy]] of table.entries()) {
      const answer = await postToken(credless, clientId, address);
      const row = `row ${index} (${clientId} from ${address})`;
      if (!throttledBy) {
        // Not throttled: the exchange itself refuses the fake assertion.
        assert.notEqual(answer.status, 429, row);
        assert.equal(answer.retryAfter, undefined, row);
        continue;
      }
      assertRetryAfter(answer);
      assert.equal(answer.body['error'], 'temporarily_unavailable', row);
      assert.deepEqual(answer.body['error_codes'], [50196], row);
      const description = answer.body['error_description'] as string;
      assert.match(
        description,
        /^AADSTS50196: The server terminated an operation because it encountered a client request loop/,
      );
      assert.match(description, new RegExp(`from this ${throttledBy}\\.`), row);
      assert.match(description, /Trace ID: .* Correlation ID: .* Timestamp: /);
      for (const field of ['timestamp', 'trace_id', 'correlation_id', 'error_uri'])
        assert.equal(typeof answer.body[field], 'string', `${row}: ${field}`);
    }
  });

  test('Graph API: per-application and per-source limits count independently (2 per app, 4 per address)', async () => {
    const tokenFor = async (clientId: string, assertion: string) => {
      const answer = await postToken(credless, clientId, '10.9.0.1', assertion);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body['access_token'] as string;
    };
    const admin = await readAdminIdentity(credless.dataDir);
    assert.ok(admin);
    const tokenEndpoint = `${credless.url}/${credless.tenantId}/oauth2/v2.0/token`;
    const adminToken = await tokenFor(admin.clientId, await createAdminAssertion(admin, tokenEndpoint));
    const subject = 'system:serviceaccount:throttle:workload';
    const workload = await createWorkloadScenario(credless, {
      issuer: issuer.issuer,
      subject,
      graphRoles: ['Organization.Read.All'],
    });
    const workloadAssertion = await issuer.issueToken({ sub: subject, aud: 'api://AzureADTokenExchange' });
    const workloadToken = await tokenFor(workload.appId, workloadAssertion);

    const table: Array<[string, string | undefined, string, boolean]> = [
      ['admin', adminToken, '10.1.0.1', false],
      ['admin', adminToken, '10.1.0.1', false],
      ['admin', adminToken, '10.1.0.1', true], // 3rd for the administrator
      ['workload', workloadToken, '10.1.0.1', false], // another application from the same address
      ['admin', adminToken, '10.1.0.2', true], // the application's limit follows it
      ['no token', undefined, '10.1.0.1', true], // 5th from 10.1.0.1: refused before authentication
      ['workload', workloadToken, '10.1.0.2', false], // another address: its own count
    ];
    for (const [index, [who, token, remoteAddress, throttled]] of table.entries()) {
      const response = await credless.app.inject({
        method: 'GET',
        url: '/v1.0/organization',
        headers: token ? { authorization: `Bearer ${token}` } : {},
        remoteAddress,
      });
      const answer = {
        status: response.statusCode,
        retryAfter: response.headers['retry-after'] as string | undefined,
        body: response.json() as Record<string, unknown>,
      };
      const row = `row ${index} (${who} from ${remoteAddress})`;
      if (!throttled) {
        assert.equal(answer.status, 200, `${row}: ${response.body}`);
        continue;
      }
      assertRetryAfter(answer);
      const error = answer.body['error'] as {
        code: string;
        message: string;
        innerError: Record<string, string>;
      };
      assert.equal(error.code, 'TooManyRequests', row);
      assert.equal(error.message, 'Please retry again later.', row);
      assert.equal(typeof error.innerError['request-id'], 'string', row);
      assert.equal(typeof error.innerError['date'], 'string', row);
    }
  });
});

describe('throttling is off by default', () => {
  let credless: TestCredless;
  before(async () => {
    credless = await startTestCredless();
  });
  after(() => credless.close());

  test('many token requests from one client and address are never answered 429', async () => {
    for (let index = 0; index < 40; index += 1) {
      const answer = await postToken(credless, CLIENT_1, '10.0.0.1');
      assert.notEqual(answer.status, 429);
      assert.equal(answer.retryAfter, undefined);
    }
  });
});
