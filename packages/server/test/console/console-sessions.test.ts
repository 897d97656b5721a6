/**
 * The console's sign-in and sessions against a real credless (startCredless, requests injected): a
 * code is single use and dies after 5 minutes, the session cookie's attributes, the cookie acting only
 * together with its CSRF header, sessions listed, revoked and expiring, an application-bound session
 * bounded by that application's Graph roles (no escalation), and no code, cookie or CSRF token in the
 * server's log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createWorkloadScenario, startTestCredless, type TestCredless } from '@credless/testkit';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';

const logLines: string[] = [];
/** Every code, cookie and CSRF token the tests saw: none may be in the log. */
const secrets = new Set<string>();
let clockOffsetMs = 0;
let credless: TestCredless;

const SESSION_HOURS = 2;

before(async () => {
  credless = await startTestCredless({
    now: () => Date.now() + clockOffsetMs,
    config: { consoleSessionHours: SESSION_HOURS },
    // The most verbose level: nothing secret even at trace.
    logger: pino({ level: 'trace' }, { write: (line: string) => logLines.push(line) }),
  });
});
after(async () => {
  await credless.close();
});

const inject = (options: InjectOptions) => credless.app.inject(options);

interface SignedIn {
  cookie: string;
  csrf: string;
  body: Record<string, unknown> & { id: string; roles: string[]; principal: { appId: string } };
  response: LightMyRequestResponse;
}

const codeOf = (link: string) => {
  const code = new URL(link).hash.replace(/^#code=/, '');
  secrets.add(code);
  return code;
};

async function redeem(code: string): Promise<LightMyRequestResponse> {
  return inject({ method: 'POST', url: '/console/api/session', payload: { code } });
}

/** Signs in with a fresh administrator's link, as `credless up` prints it. */
const signIn = async (): Promise<SignedIn> => signInWith((await credless.consoleSignInLink()).link);

/** Redeems `link` (an API answer's: a missing one fails here). */
async function signInWith(link: unknown): Promise<SignedIn> {
  const response = await redeem(codeOf(String(link)));
  assert.equal(response.statusCode, 200, response.body);
  const setCookie = String(response.headers['set-cookie']);
  const cookie = /^credless_console=([^;]+)/.exec(setCookie)?.[1] ?? '';
  const body = response.json();
  secrets.add(cookie);
  secrets.add(body.csrfToken);
  return { cookie, csrf: body.csrfToken, body, response };
}

/** A request as the console sends it: the cookie, and the CSRF header unless `csrf` is false. */
function asConsole(
  session: SignedIn,
  method: InjectOptions['method'],
  url: string,
  options: { csrf?: string | false; payload?: unknown } = {},
) {
  const csrf = options.csrf === undefined ? session.csrf : options.csrf;
  return inject({
    method,
    url,
    headers: { cookie: `credless_console=${session.cookie}`, ...(csrf ? { 'x-credless-csrf': csrf } : {}) },
    ...(options.payload !== undefined ? { payload: options.payload as string } : {}),
  });
}

describe('sign-in codes', () => {
  test('a code opens one session whose cookie is HttpOnly, Secure, SameSite=Strict', async () => {
    const link = await credless.consoleSignInLink();
    assert.match(link.link, /^https:\/\/localhost:\d+\/console\/#code=[A-Za-z0-9_-]{43}$/);
    const { response, body } = await signInWith(link.link);
    const cookie = String(response.headers['set-cookie']);
    for (const attribute of [
      'HttpOnly',
      'Secure',
      'SameSite=Strict',
      'Path=/',
      `Max-Age=${SESSION_HOURS * 3600}`,
    ])
      assert.ok(cookie.split('; ').includes(attribute), `${attribute} in ${cookie}`);
    assert.equal(body.principal.appId, credless.admin?.clientId);
    assert.equal(body['tenantId'], credless.tenantId);
    assert.ok(body.roles.includes('Application.ReadWrite.All'), String(body.roles));
    assert.equal(
      Date.parse(String(body['expiresAt'])) - Date.parse(String(body['createdAt'])),
      SESSION_HOURS * 3_600_000,
    );
  });

  test('a used code is refused the second time, with the message the console shows', async () => {
    const code = codeOf((await credless.consoleSignInLink()).link);
    assert.equal((await redeem(code)).statusCode, 200);
    const again = await redeem(code);
    assert.equal(again.statusCode, 401);
    assert.equal(again.json().error.code, 'invalid_code');
    assert.equal(
      again.json().error.message,
      'This sign-in link has expired or was already used. Run `credless console` for a new one.',
    );
    assert.equal(again.headers['set-cookie'], undefined);
  });

  test('a code expires after 5 minutes', async () => {
    const fresh = codeOf((await credless.consoleSignInLink()).link);
    const stale = codeOf((await credless.consoleSignInLink()).link);
    clockOffsetMs += 4 * 60_000 + 59_000;
    try {
      assert.equal((await redeem(fresh)).statusCode, 200, 'still valid at 4:59');
      clockOffsetMs += 2000;
      const expired = await redeem(stale);
      assert.equal(expired.statusCode, 401);
      assert.equal(expired.json().error.code, 'invalid_code');
    } finally {
      clockOffsetMs = 0;
    }
  });

  test('an unknown or malformed code is refused', async () => {
    for (const code of ['A'.repeat(43), 'not a code', 42, undefined]) {
      const response = await inject({ method: 'POST', url: '/console/api/session', payload: { code } });
      assert.equal(response.statusCode, 401, String(code));
    }
  });
});

describe('the session cookie on the API', () => {
  test('with its CSRF header it acts as the principal; without it, or with another, it is no one', async () => {
    const session = await signIn();
    const withHeader = await asConsole(session, 'GET', '/v1.0/applications');
    assert.equal(withHeader.statusCode, 200, withHeader.body);
    const explain = await asConsole(session, 'GET', `/v1.0/organization`);
    assert.equal(explain.statusCode, 200);
    for (const csrf of [false, 'x'.repeat(43), (await signIn()).csrf] as const) {
      const refused = await asConsole(session, 'GET', '/v1.0/applications', { csrf });
      assert.equal(refused.statusCode, 401, `csrf ${csrf}`);
      assert.equal(refused.json().error.code, 'InvalidAuthenticationToken');
    }
  });

  test("credless's own APIs beyond Graph take it too: sign-in logs, explain", async () => {
    const session = await signIn();
    const tenant = credless.tenantId;
    const signIns = await asConsole(session, 'GET', `/${tenant}/signins`);
    assert.equal(signIns.statusCode, 200, signIns.body);
    const auditLog = await asConsole(session, 'GET', '/v1.0/auditLogs/signIns');
    assert.equal(auditLog.statusCode, 200, auditLog.body);
    // Authenticated and authorized: the answer is about the body (no token given), not the caller.
    const explain = await asConsole(session, 'POST', `/${tenant}/explain`, { payload: { appId: 'x' } });
    assert.equal(explain.statusCode, 400, explain.body);
    const anonymous = await inject({ method: 'POST', url: `/${tenant}/explain`, payload: { appId: 'x' } });
    assert.equal(anonymous.statusCode, 401);
  });

  test('an Authorization header of its own wins over the cookie', async () => {
    const session = await signIn();
    const response = await inject({
      method: 'GET',
      url: '/v1.0/applications',
      headers: {
        cookie: `credless_console=${session.cookie}`,
        'x-credless-csrf': session.csrf,
        authorization: 'Bearer not-a-token',
      },
    });
    assert.equal(response.statusCode, 401);
  });

  test('GET /console/api/session needs only the cookie; it answers no_session without one', async () => {
    const session = await signIn();
    const mine = await asConsole(session, 'GET', '/console/api/session', { csrf: false });
    assert.equal(mine.statusCode, 200);
    assert.equal(mine.json().id, session.body.id);
    const none = await inject({ method: 'GET', url: '/console/api/session' });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().error.code, 'no_session');
    assert.match(none.json().error.message, /^Not signed in\./);
  });
});

describe('sessions', () => {
  test('listed, revoked (then refused) and signed out', async () => {
    const first = await signIn();
    const second = await signIn();
    const listed = await asConsole(first, 'GET', '/console/api/sessions');
    assert.equal(listed.statusCode, 200);
    const value = listed.json().value as Array<{ id: string; current: boolean; lastUsedAt: string }>;
    assert.ok(value.some((entry) => entry.id === first.body.id && entry.current));
    assert.ok(value.some((entry) => entry.id === second.body.id && !entry.current));
    assert.equal((await asConsole(first, 'GET', '/console/api/sessions', { csrf: false })).statusCode, 401);

    const revoked = await asConsole(first, 'DELETE', `/console/api/sessions/${second.body.id}`);
    assert.equal(revoked.statusCode, 204);
    const refused = await asConsole(second, 'GET', '/v1.0/applications');
    assert.equal(refused.statusCode, 401);
    const ended = await asConsole(second, 'GET', '/console/api/session');
    assert.equal(ended.json().error.code, 'no_session');
    assert.match(ended.json().error.message, /^Your session has ended\./);
    assert.match(String(ended.headers['set-cookie']), /^credless_console=; Max-Age=0/);

    const signOut = await asConsole(first, 'DELETE', '/console/api/session');
    assert.equal(signOut.statusCode, 204);
    assert.match(String(signOut.headers['set-cookie']), /^credless_console=; Max-Age=0/);
    assert.equal((await asConsole(first, 'GET', '/v1.0/applications')).statusCode, 401);
  });

  test('a session expires after CREDLESS_CONSOLE_SESSION_HOURS', async () => {
    const session = await signIn();
    clockOffsetMs = SESSION_HOURS * 3_600_000 - 60_000;
    try {
      assert.equal((await asConsole(session, 'GET', '/v1.0/applications')).statusCode, 200);
      clockOffsetMs += 61_000;
      assert.equal((await asConsole(session, 'GET', '/console/api/session')).statusCode, 401);
      assert.equal((await asConsole(session, 'GET', '/v1.0/applications')).statusCode, 401);
    } finally {
      clockOffsetMs = 0;
    }
  });
});

describe('a session bound to an application', () => {
  let readerAppId: string;
  let writerAppId: string;

  before(async () => {
    const scenario = (displayName: string, graphRoles: string[]) =>
      createWorkloadScenario(credless, {
        displayName,
        issuer: 'https://issuer.invalid',
        subject: displayName,
        graphRoles,
      });
    readerAppId = (await scenario('console-reader', ['Application.Read.All'])).appId;
    writerAppId = (await scenario('console-writer', ['Application.ReadWrite.All'])).appId;
  });

  /** A link for `appId`, asked through the API by `session` (the administrator's, unless given). */
  async function linkFor(appId: string, session?: SignedIn): Promise<LightMyRequestResponse> {
    return asConsole(session ?? (await signIn()), 'POST', '/v1.0/credless/consoleSignInCodes', {
      payload: { appId },
    });
  }

  test("gets that application's Graph roles: reads pass, a write its roles lack is 403", async () => {
    const answer = await linkFor(readerAppId);
    assert.equal(answer.statusCode, 201, answer.body);
    const reader = await signInWith(answer.json().link);
    assert.equal(reader.body.principal.appId, readerAppId);
    assert.deepEqual(reader.body.roles, ['Application.Read.All']);
    assert.equal((await asConsole(reader, 'GET', '/v1.0/applications')).statusCode, 200);
    const write = await asConsole(reader, 'POST', '/v1.0/applications', { payload: { displayName: 'no' } });
    assert.equal(write.statusCode, 403);
    assert.equal(write.json().error.code, 'Authorization_RequestDenied');
    const apps = await asConsole(reader, 'GET', "/v1.0/applications?$filter=displayName eq 'no'");
    assert.deepEqual(apps.json().value, []);
  });

  test('cannot mint a session more powerful than its caller, nor ask without write access', async () => {
    const writer = await signInWith((await linkFor(writerAppId)).json().link);
    const escalation = await linkFor(credless.admin?.clientId as string, writer);
    assert.equal(escalation.statusCode, 403, escalation.body);
    assert.match(escalation.json().error.message, /AuditLog\.Read\.All/);
    assert.equal((await linkFor(readerAppId, writer)).statusCode, 201, 'a lesser session is fine');
    const reader = await signInWith((await linkFor(readerAppId)).json().link);
    assert.equal((await linkFor(readerAppId, reader)).statusCode, 403);
    const unknown = await linkFor('00000000-0000-0000-0000-00000000abcd');
    assert.equal(unknown.statusCode, 400);
    const anonymous = await inject({ method: 'POST', url: '/v1.0/credless/consoleSignInCodes' });
    assert.equal(anonymous.statusCode, 401);
  });

  test('a lesser session cannot see or revoke the administrator’s', async () => {
    const admin = await signIn();
    const reader = await signInWith((await linkFor(readerAppId)).json().link);
    const seen = (await asConsole(reader, 'GET', '/console/api/sessions')).json().value as Array<{
      id: string;
    }>;
    assert.ok(!seen.some((entry) => entry.id === admin.body.id));
    const revoke = await asConsole(reader, 'DELETE', `/console/api/sessions/${admin.body.id}`);
    assert.equal(revoke.statusCode, 404);
    assert.equal((await asConsole(admin, 'GET', '/console/api/session')).statusCode, 200);
  });
});

test('no sign-in code, session cookie or CSRF token ever reaches the log', () => {
  assert.ok(secrets.size > 20, `the tests above saw ${secrets.size} secrets`);
  assert.ok(
    logLines.some((line) => line.includes('console session opened')),
    'session openings are logged (by id)',
  );
  const log = logLines.join('');
  for (const secret of secrets) assert.ok(!log.includes(secret), 'a console secret is in the log');
});
