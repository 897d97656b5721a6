/**
 * Hostile and malformed token requests against one real credless over HTTPS. Every case must be
 * refused with the catalogue's status, OAuth error and AADSTS code, without a token and with the
 * no-store headers; no case may make credless fetch a key a token header points at, nor contact the
 * issuer except for the one allowed refetch; and credless keeps serving afterwards.
 * @module
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import {
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
  X509Certificate,
} from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createCertificateAuthority } from '@credless/common';
import { GRAPH_RESOURCE_URI } from '@credless/core';
import {
  createWorkloadScenario,
  type IssueTokenOptions,
  startTestOidcIssuer,
  startTestStack,
  type TestCredless,
  type TestOidcIssuer,
  type TestStack,
} from '@credless/testkit';
import type { JWK } from 'jose';
import { type Agent, request } from 'undici';
import {
  type BaitServer,
  encodeSegment,
  type JsonSource,
  PUBLIC_KEY_AS_HMAC_SECRET,
  replaceSignature,
  signHs256,
  signJws,
  startBaitServer,
  withRawMember,
  withStrayBits,
} from './crafted-tokens.ts';

const SUBJECT = 'system:serviceaccount:default:workload';
const AUDIENCE = 'api://AzureADTokenExchange';
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const SKEW_SECONDS = 30;
const REFETCH_COOLDOWN_MS = 30_000;
/** A key the test holds, published in the main issuer's JWKS, so raw JSON can be signed validly. */
const CRAFTING_KID = 'crafting-key';
const BAIT_KID = 'attacker-key';

interface Expected {
  status: number;
  error: string;
  code: number;
}
// Expected answers, as ERROR_CATALOGUE defines them.
const MALFORMED: Expected = { status: 400, error: 'invalid_request', code: 50027 };
const BAD_REQUEST: Expected = { status: 400, error: 'invalid_request', code: 9002313 };
const BAD_SIGNATURE: Expected = { status: 401, error: 'invalid_client', code: 700027 };
const BAD_TIME: Expected = { status: 401, error: 'invalid_client', code: 700024 };
const ISSUER_NO_MATCH: Expected = { status: 401, error: 'invalid_client', code: 700211 };
const AUDIENCE_NO_MATCH: Expected = { status: 401, error: 'invalid_client', code: 700212 };
const KEY_NOT_FOUND: Expected = { status: 401, error: 'invalid_client', code: 7000272 };
const sts = (status: number, error: string, code: number): Expected => ({ status, error, code });

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

interface BadInputCase {
  name: string;
  send: () => Promise<Answer>;
  expect: Expected;
  /**
   * The main issuer must see exactly one refetch (discovery + JWKS) during the case; otherwise no
   * request at all, since the warm-up cached its keys.
   */
  expectsOneRefetch?: boolean;
  before?: () => void;
  check?: () => void;
}

interface Env {
  /** The issuer, credless and client below, closed together. */
  stack: TestStack;
  issuer: TestOidcIssuer;
  leakyIssuer: TestOidcIssuer;
  credless: TestCredless;
  client: Agent;
  appId: string;
  leakyAppId: string;
  issuerJwk: JWK;
  craftingKey: KeyObject;
  attackerKey: KeyObject;
  attackerCert: { der: Buffer; key: KeyObject };
  bait: BaitServer;
  ownAccessToken: string;
}

// One frozen clock for credless and the issuers; only the refetch case moves it.
let clockMs = Math.floor(Date.now() / 1000) * 1000;
const now = () => clockMs;
const nowSeconds = () => Math.floor(clockMs / 1000);
let env: Env;

// ---- building requests
async function call(options: { method?: string; tenant?: string; contentType?: string; body?: string }) {
  const tenant = options.tenant ?? env.credless.tenantId;
  const response = await request(`${env.credless.url}/${tenant}/oauth2/v2.0/token`, {
    method: (options.method ?? 'POST') as 'POST',
    headers: { 'content-type': options.contentType ?? 'application/x-www-form-urlencoded' },
    ...(options.body === undefined ? {} : { body: options.body }),
    dispatcher: env.client,
  });
  const text = await response.body.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    assert.fail(`answer is not JSON (status ${response.statusCode}): ${text.slice(0, 200)}`);
  }
  return { status: response.statusCode, headers: response.headers, body };
}

const form = (assertion: string, extra: Record<string, string> = {}): Record<string, string> => ({
  grant_type: 'client_credentials',
  client_id: env.appId,
  scope: `${GRAPH_RESOURCE_URI}/.default`,
  client_assertion_type: JWT_BEARER,
  client_assertion: assertion,
  ...extra,
});
const without = (fields: Record<string, string>, name: string) =>
  Object.fromEntries(Object.entries(fields).filter(([key]) => key !== name));
const postForm = (fields: Record<string, string>) => call({ body: new URLSearchParams(fields).toString() });
const postAssertion = async (assertion: string | Promise<string>, extra: Record<string, string> = {}) =>
  postForm(form(await assertion, extra));

// ---- building assertions
const claims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  iss: env.issuer.issuer,
  sub: SUBJECT,
  aud: AUDIENCE,
  iat: nowSeconds(),
  nbf: nowSeconds(),
  exp: nowSeconds() + 600,
  jti: randomUUID(),
  ...overrides,
});
const craftedHeader = (extra: Record<string, unknown> = {}) => ({
  alg: 'RS256',
  typ: 'JWT',
  kid: CRAFTING_KID,
  ...extra,
});
/** Validly signed by a key the main issuer publishes (so only the crafted defect is wrong). */
const crafted = (payload: JsonSource = claims(), header: JsonSource = craftedHeader()) =>
  signJws(header, payload, env.craftingKey);
/** Signed by the main issuer's own current key. */
const issued = (overrides: Record<string, unknown> = {}, options?: IssueTokenOptions) =>
  env.issuer.issueToken({ sub: SUBJECT, aud: AUDIENCE, ...overrides }, options);
/** Signed by the attacker; the header names where the attacker's key is. */
const attackerSigned = (header: Record<string, unknown>) =>
  signJws({ alg: 'RS256', typ: 'JWT', kid: BAIT_KID, ...header }, claims(), env.attackerKey);
/** A crafted token whose signature has a '-' or '_' (so the '+/' swap changes it); a miss is ~1 in 50 000. */
function craftedWithUrlSafeChars(): string {
  for (;;) {
    const token = crafted();
    if (/[-_]/.test(token.split('.')[2] ?? '')) return token;
  }
}

/** A case that posts a well-formed request whose only defect is in the assertion (or in `extra`). */
const refuse = (
  name: string,
  expect: Expected,
  assertion: () => string | Promise<string>,
  options: Pick<BadInputCase, 'before' | 'expectsOneRefetch'> & { extra?: Record<string, string> } = {},
): BadInputCase => {
  const { extra, ...rest } = options;
  return { name, expect, send: async () => postAssertion(await assertion(), extra), ...rest };
};

const CASES: BadInputCase[] = [
  // ---- unsigned and key confusion
  refuse(
    "alg 'none', empty signature",
    BAD_SIGNATURE,
    () => `${encodeSegment({ alg: 'none', typ: 'JWT' })}.${encodeSegment(claims())}.`,
  ),
  refuse("alg 'none' with a signature segment", BAD_SIGNATURE, () =>
    crafted(claims(), { alg: 'none', typ: 'JWT' }),
  ),
  ...Object.entries(PUBLIC_KEY_AS_HMAC_SECRET).map(([label, secretOf]) =>
    refuse(`HS256 keyed with the issuer's public key: ${label}`, BAD_SIGNATURE, () =>
      signHs256({ alg: 'HS256', typ: 'JWT', kid: env.issuer.currentKid }, claims(), secretOf(env.issuerJwk)),
    ),
  ),
  refuse('RS256 by a different RSA key under the issuer kid', BAD_SIGNATURE, () =>
    signJws({ alg: 'RS256', typ: 'JWT', kid: env.issuer.currentKid }, claims(), env.attackerKey),
  ),
  // ---- time claims (skew 30 s)
  refuse('expired: exp = now - 120', BAD_TIME, () => issued({}, { expiresInSeconds: -120 })),
  refuse('expired just past the skew: exp = now - 31', BAD_TIME, () => issued({}, { expiresInSeconds: -31 })),
  refuse('not yet valid: nbf = now + 120', BAD_TIME, () => issued({}, { notBefore: nowSeconds() + 120 })),
  refuse('iat in the future beyond the skew', BAD_TIME, () =>
    issued({}, { issuedAt: nowSeconds() + 120, notBefore: nowSeconds() }),
  ),
  // Finite but beyond Date's range: the error message must still be written (once a RangeError, a 500).
  refuse('nbf = 1e300', BAD_TIME, () => crafted(claims({ nbf: 1e300 }))),
  refuse('exp = -1e300', BAD_TIME, () => crafted(claims({ exp: -1e300 }))),
  refuse('missing exp', MALFORMED, () => crafted(claims({ exp: undefined }))),
  refuse('exp as a string', MALFORMED, () => crafted(claims({ exp: String(nowSeconds() + 600) }))),
  refuse('exp as 1e400 (Infinity)', MALFORMED, () =>
    crafted(withRawMember(claims({ exp: undefined }), 'exp', '1e400')),
  ),
  // ---- audience
  refuse('wrong aud', AUDIENCE_NO_MATCH, () => issued({ aud: 'api://SomeOtherExchange' })),
  refuse('aud is an empty array', MALFORMED, () => issued({ aud: [] })),
  refuse('aud is [1]', MALFORMED, () => issued({ aud: [1] })),
  refuse('aud in the wrong case', AUDIENCE_NO_MATCH, () => issued({ aud: AUDIENCE.toLowerCase() })),
  refuse('aud with a trailing space', AUDIENCE_NO_MATCH, () => issued({ aud: `${AUDIENCE} ` })),
  // ---- issuer (signed with the issuer's own key: only the iss string is wrong)
  refuse('wrong iss', ISSUER_NO_MATCH, () => issued({ iss: 'https://attacker.example' })),
  refuse('iss with a trailing slash added', ISSUER_NO_MATCH, () => issued({ iss: `${env.issuer.issuer}/` })),
  refuse('iss as an array', MALFORMED, () => issued({ iss: [env.issuer.issuer] })),
  refuse('iss a prefix of the issuer', ISSUER_NO_MATCH, () =>
    issued({ iss: env.issuer.issuer.slice(0, -1) }),
  ),
  refuse('iss with a suffix', ISSUER_NO_MATCH, () =>
    issued({ iss: `${env.issuer.issuer}.attacker.example` }),
  ),
  refuse('iss with a path appended', ISSUER_NO_MATCH, () => issued({ iss: `${env.issuer.issuer}/evil` })),
  refuse('iss differing only in case', ISSUER_NO_MATCH, () =>
    issued({ iss: env.issuer.issuer.replace('https://', 'HTTPS://') }),
  ),
  // ---- subject
  refuse('subject differing only in case', sts(401, 'invalid_client', 7002138), () =>
    issued({ sub: SUBJECT.toUpperCase() }),
  ),
  refuse('wrong subject', sts(401, 'invalid_client', 700213), () => issued({ sub: `${SUBJECT}-other` })),
  // ---- kid: an opaque lookup value
  refuse(
    'unknown kid after the cooldown: exactly one refetch',
    KEY_NOT_FOUND,
    () => issued({}, { kid: 'gone' }),
    {
      before: () => {
        clockMs += REFETCH_COOLDOWN_MS + 1000;
      },
      expectsOneRefetch: true,
    },
  ),
  refuse('another unknown kid within the cooldown: no fetch', KEY_NOT_FOUND, () =>
    issued({}, { kid: 'gone-2' }),
  ),
  refuse("kid '../../dev/null'", KEY_NOT_FOUND, () => issued({}, { kid: '../../dev/null' })),
  refuse('kid with SQL', KEY_NOT_FOUND, () => issued({}, { kid: "x' OR '1'='1" })),
  refuse('kid of 10 kB', MALFORMED, () => issued({}, { kid: 'k'.repeat(10_000) })),
  refuse('numeric kid', MALFORMED, () => issued({}, { header: { kid: 1 } })),
  // ---- headers that name their own key (the bait server must see nothing)
  refuse('jku at a loopback HTTPS server', BAD_SIGNATURE, () =>
    attackerSigned({ jku: `${env.bait.httpsUrl}/jwks` }),
  ),
  refuse('jku at a loopback HTTP server', BAD_SIGNATURE, () =>
    attackerSigned({ jku: `${env.bait.httpUrl}/jwks` }),
  ),
  refuse('x5u at a loopback HTTPS server', BAD_SIGNATURE, () =>
    attackerSigned({ x5u: `${env.bait.httpsUrl}/c.pem` }),
  ),
  refuse("embedded jwk header with the attacker's key", BAD_SIGNATURE, () =>
    attackerSigned({ jwk: { ...env.attackerKey.export({ format: 'jwk' }), kid: BAIT_KID } }),
  ),
  refuse("x5c header with the attacker's certificate", BAD_SIGNATURE, () =>
    signJws(
      { alg: 'ES256', typ: 'JWT', x5c: [env.attackerCert.der.toString('base64')] },
      claims(),
      env.attackerCert.key,
    ),
  ),
  refuse("crit: ['exp']", BAD_SIGNATURE, () => crafted(claims(), craftedHeader({ crit: ['exp'] }))),
  refuse('b64: false', BAD_SIGNATURE, () => crafted(claims(), craftedHeader({ b64: false }))),
  // ---- shape and encoding (validly signed unless said otherwise; jose alone accepts '=', '\n' and stray bits)
  refuse(
    'JWE-shaped token with 5 segments',
    MALFORMED,
    () => `${encodeSegment({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.AA.AA.AA.AA`,
  ),
  refuse('oversized token (> 16 KiB)', MALFORMED, () => crafted(claims({ padding: 'x'.repeat(17 * 1024) }))),
  refuse("base64 padding '='", MALFORMED, () => replaceSignature(crafted(), (s) => `${s}==`)),
  refuse("'+' and '/' alphabet", MALFORMED, () =>
    replaceSignature(craftedWithUrlSafeChars(), (s) => s.replaceAll('-', '+').replaceAll('_', '/')),
  ),
  refuse('line break inside a segment', MALFORMED, () =>
    replaceSignature(crafted(), (s) => `${s.slice(0, 64)}\n${s.slice(64)}`),
  ),
  refuse('stray trailing bits in the signature', MALFORMED, () => replaceSignature(crafted(), withStrayBits)),
  refuse('1 MB of dots (body limit)', sts(413, 'invalid_request', 9002313), () => '.'.repeat(1024 * 1024)),
  // ---- an issuer that leaks private keys in its JWKS (a second issuer with its own app)
  {
    name: 'issuer JWKS with private key members',
    expect: sts(401, 'invalid_client', 50166),
    before: () => env.leakyIssuer.setFault('privateKeyInJwks'),
    send: async () =>
      postForm({
        ...form(await env.leakyIssuer.issueToken({ sub: SUBJECT, aud: AUDIENCE })),
        client_id: env.leakyAppId,
      }),
    check: () => assert.ok(env.leakyIssuer.requests.some((entry) => entry.path.endsWith('/openid/v1/jwks'))),
  },
  // ---- the request itself (a valid assertion, one thing wrong)
  {
    name: 'GET instead of POST',
    expect: sts(400, 'invalid_request', 900561),
    send: () => call({ method: 'GET' }),
  },
  {
    name: 'JSON body',
    expect: BAD_REQUEST,
    send: async () => call({ contentType: 'application/json', body: JSON.stringify(form(await issued())) }),
  },
  {
    name: 'client_id given twice',
    expect: BAD_REQUEST,
    send: async () =>
      call({ body: `${new URLSearchParams(form(await issued()))}&client_id=${randomUUID()}` }),
  },
  {
    name: 'missing grant_type',
    expect: sts(400, 'invalid_request', 900144),
    send: async () => postForm(without(form(await issued()), 'grant_type')),
  },
  {
    name: 'missing client_assertion',
    expect: sts(401, 'invalid_client', 7000218),
    send: async () => postForm(without(form(await issued()), 'client_assertion')),
  },
  refuse('grant_type password', sts(400, 'unsupported_grant_type', 70003), issued, {
    extra: { grant_type: 'password' },
  }),
  refuse('client_secret with an assertion', sts(400, 'invalid_request', 90023), issued, {
    extra: { client_secret: 'hunter2' },
  }),
  refuse('wrong client_assertion_type', BAD_REQUEST, issued, {
    extra: { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' },
  }),
  refuse('scope without /.default', sts(400, 'invalid_scope', 1002012), issued, {
    extra: { scope: `${GRAPH_RESOURCE_URI}/User.Read.All` },
  }),
  refuse('two resources in scope', sts(400, 'invalid_scope', 700022), issued, {
    extra: { scope: `${GRAPH_RESOURCE_URI}/.default api://other-resource/.default` },
  }),
  refuse('unknown resource', sts(400, 'invalid_resource', 500011), issued, {
    extra: { scope: 'api://no-such-resource/.default' },
  }),
  refuse('unknown client_id', sts(400, 'unauthorized_client', 700016), issued, {
    extra: { client_id: randomUUID() },
  }),
  {
    name: 'unknown tenant',
    expect: sts(400, 'invalid_request', 90002),
    send: async () =>
      call({ tenant: randomUUID(), body: new URLSearchParams(form(await issued())).toString() }),
  },
  // refuseOwnTokens runs before any credential lookup, so 700222 (not 700211).
  refuse(
    'an access token credless issued, as the assertion',
    sts(401, 'invalid_client', 700222),
    () => env.ownAccessToken,
  ),
];

describe('token endpoint: bad input table', () => {
  before(async () => {
    const stack = await startTestStack({
      issuer: { kidStyle: 'kubernetes', now },
      credless: {
        now,
        config: {
          clockSkewSeconds: SKEW_SECONDS,
          issuerFetch: {
            timeoutMs: 5000,
            maxBytes: 256 * 1024,
            refetchCooldownMs: REFETCH_COOLDOWN_MS,
            maxAgeMs: 600_000,
            allowPrivateNetworks: true,
            caFile: undefined,
          },
        },
      },
    });
    const { issuer, credless, client } = stack;
    const leakyIssuer = await startTestOidcIssuer({ certificateAuthority: issuer.certificateAuthority, now });
    const scenario = await createWorkloadScenario(credless, {
      issuer: issuer.issuer,
      subject: SUBJECT,
      graphRoles: ['User.Read.All'],
    });
    const leaky = await createWorkloadScenario(credless, {
      displayName: 'leaky',
      issuer: leakyIssuer.issuer,
      subject: SUBJECT,
    });

    // Publish a key the test holds next to the issuer's own, so raw JSON claims can be validly signed.
    const published = (await (
      await request(issuer.jwksUri, { dispatcher: issuer.dispatcher })
    ).body.json()) as { keys: JWK[] };
    const crafting = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const craftingJwk = {
      ...crafting.publicKey.export({ format: 'jwk' }),
      kid: CRAFTING_KID,
      alg: 'RS256',
      use: 'sig',
    };
    issuer.setOverrides({ jwks: { keys: [...published.keys, craftingJwk] } });

    const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const attackerCa = await createCertificateAuthority({ commonName: 'attacker' });
    const bait = await startBaitServer({
      ca: issuer.certificateAuthority,
      jwks: {
        keys: [{ ...attacker.publicKey.export({ format: 'jwk' }), kid: BAIT_KID, alg: 'RS256', use: 'sig' }],
      },
    });
    env = {
      stack,
      issuer,
      leakyIssuer,
      credless,
      client,
      appId: scenario.appId,
      leakyAppId: leaky.appId,
      issuerJwk: published.keys.find((key) => key.kid === issuer.currentKid)!,
      craftingKey: crafting.privateKey,
      attackerKey: attacker.privateKey,
      attackerCert: {
        der: Buffer.from(new X509Certificate(attackerCa.certPem).raw),
        key: createPrivateKey(attackerCa.keyPem),
      },
      bait,
      ownAccessToken: '',
    };
    // Warm-up: a valid exchange caches the issuer's keys (and yields a token of credless's own).
    const warmUp = await postAssertion(crafted());
    assert.equal(warmUp.status, 200, JSON.stringify(warmUp.body));
    env.ownAccessToken = warmUp.body['access_token'] as string;
  });

  after(async () => {
    await env?.stack.close();
    await env?.bait.close();
    await env?.leakyIssuer.close();
  });

  test(`the table has ${CASES.length} cases (at least 30), uniquely named`, () => {
    assert.ok(CASES.length >= 30, `only ${CASES.length} cases`);
    assert.equal(new Set(CASES.map((entry) => entry.name)).size, CASES.length);
  });

  for (const entry of CASES) {
    test(entry.name, async () => {
      entry.before?.();
      const issuerRequestsBefore = env.issuer.requests.length;
      const { status, headers, body } = await entry.send();
      const summary = `${status} ${JSON.stringify(body).slice(0, 300)}`;
      assert.equal(status, entry.expect.status, summary);
      assert.equal(body['error'], entry.expect.error, summary);
      assert.equal((body['error_codes'] as number[] | undefined)?.[0], entry.expect.code, summary);
      assert.equal('access_token' in body, false);
      assert.equal(headers['cache-control'], 'no-store, no-cache');
      assert.match(String(headers['content-type']), /^application\/json\b/);
      const issuerRequests = env.issuer.requests
        .slice(issuerRequestsBefore)
        .map((r) => `${r.method} ${r.path}`);
      if (entry.expectsOneRefetch) {
        assert.deepEqual(issuerRequests, [
          `GET ${new URL(env.issuer.discoveryUrl).pathname}`,
          `GET ${new URL(env.issuer.jwksUri).pathname}`,
        ]);
      } else {
        assert.deepEqual(issuerRequests, []);
      }
      assert.equal(env.bait.connections, 0, 'a token header made credless contact the bait server');
      entry.check?.();
    });
  }

  test('after the whole table a valid exchange still succeeds', async () => {
    const { status, headers, body } = await postAssertion(issued());
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(typeof body['access_token'], 'string');
    assert.equal(headers['cache-control'], 'no-store, no-cache');
    assert.deepEqual(env.bait.requests, []);
  });
});
